"""Chinese tokenisation for retrieval, with a PRIVATE jieba tokenizer.

The global ``jieba`` instance belongs to Rasa; the legal user dictionary is loaded into
our own :class:`jieba.Tokenizer` so that intent classification is not affected.

Document side (statutes, curated entries): content words minus :data:`STOPWORDS`.
Question side additionally drops conversational filler (legal/data/fillers.txt: 我想问一下,
就是, 听说, 到底, 能不能 …), which carries no topic but would dilute the confidence of long
colloquial questions. The jieba dictionary (about a second to load) is read lazily, on
first use or from :meth:`TextProcessor.prepare`, under a lock.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping
from pathlib import Path

import jieba
import yaml

from legal.retrieval import Group

_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_WORD_RE = re.compile(r"^[\u3400-\u4dbf\u4e00-\u9fffA-Za-z0-9]+$")

# Function words and conversational filler that carry no topic.
_STOPWORD_TEXT = """
的 了 吗 呢 吧 啊 呀 嘛 么 哦 和 与 及 或 是 在 有 没 没有 也 都 就 还 又 再 才 把
被 给 让 跟 对 向 从 到 于 为 以 等 之 其 这 那 这个 那个 这样 那样 这儿 那儿 这里
那里 什么 怎么 怎么办 怎样 咋 咋整 如何 几 个 一个 一下 一些 我 我们
俺 俺们 你 你们 您 他 她 它 他们 她们 自己 人家 请问 想 想要 要 要是 能 能不能 可以
可不可以 会 会不会 应该 该 得 需要 是不是 有没有 不 不是 吗 一直 已经 现在 然后 但是
可是 如果 所以 因为 结果 到底 一般 比较 特别 非常 很 太 最 更 多 少 啥 干啥 怎么样
谁 啥子 下 上 里 中 后 前 时候 问题 事 事情 情况 知道 告诉 一 二 三 帮 帮忙
帮我 找 去 来 说 看 办 做 行 好 算 呗 嗯 哎 喂 您好 你好 还有 别的 其他 办法 有用 用
过 管 死活 两个 一样 这种 那种 东西 人 我家 家里 咱 咱们
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def read_word_list(path: Path) -> frozenset[str]:
    """Whitespace-separated words; ``#`` starts a comment."""
    if not path.exists():
        return frozenset()
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w for line in lines for w in line.split("#", 1)[0].split())


class TextProcessor:
    """Tokenise text into content words; optionally expand colloquial synonyms."""

    def __init__(
        self,
        userdict: Path | None,
        synonyms: Mapping[str, list[str]],
        fillers: Iterable[str] = (),
        rewrites: Mapping[str, str] | None = None,
    ) -> None:
        self._userdict = userdict
        self._tokenizer = jieba.Tokenizer()
        self._lock = threading.Lock()
        self._ready = False
        self._synonyms = {k: tuple(v) for k, v in synonyms.items()}
        self._fillers = STOPWORDS | frozenset(fillers)
        phrases = sorted((f for f in self._fillers if len(f) >= 3), key=lambda f: (-len(f), f))
        self._phrase_re = re.compile("|".join(map(re.escape, phrases))) if phrases else None
        self._subword_cache: dict[str, list[str]] = {}
        self._rewrites = [(re.compile(k), v) for k, v in (rewrites or {}).items()]

    @classmethod
    def from_files(cls, userdict: Path, synonyms: Path, fillers: Path | None = None) -> TextProcessor:
        data = yaml.safe_load(synonyms.read_text(encoding="utf-8")) if synonyms.exists() else {}
        mapping = (data or {}).get("synonyms") or {}
        rewrites = (data or {}).get("rewrites") or {}
        words = read_word_list(fillers) if fillers is not None else frozenset()
        return cls(
            userdict,
            {str(k): [str(x) for x in v] for k, v in mapping.items()},
            words,
            {str(k): str(v) for k, v in rewrites.items()},
        )

    def prepare(self) -> None:
        """Load the jieba dictionary and the legal user dictionary (once, thread-safe)."""
        if self._ready:
            return
        with self._lock:
            if not self._ready:
                self._tokenizer.initialize()
                if self._userdict is not None and self._userdict.exists():
                    self._tokenizer.load_userdict(str(self._userdict))
                self._ready = True

    def words(self, text: str) -> list[str]:
        """Content words of a text as jieba segments them."""
        self.prepare()
        words = (w.strip().lower() for w in self._tokenizer.cut(text))
        return [w for w in words if w and _WORD_RE.match(w) and w not in STOPWORDS]

    def subwords(self, word: str) -> list[str]:
        """Dictionary words of 2-3 characters inside a longer word (医疗纠纷 -> 医疗, 纠纷)."""
        cached = self._subword_cache.get(word)
        if cached is None:
            self.prepare()
            freq = self._tokenizer.FREQ
            subs = [word[i:i + n] for n in (2, 3) for i in range(len(word) - n + 1) if n < len(word)]
            cached = [w for w in dict.fromkeys(subs) if freq.get(w) and w not in STOPWORDS]
            self._subword_cache[word] = cached
        return cached

    def tokens(self, text: str) -> list[str]:
        """Document-side tokens: content words plus their dictionary sub-words."""
        return [t for w in self.words(text) for t in (w, *self.subwords(w))]

    def strip_fillers(self, text: str) -> str:
        """Apply the question rewrites (要不要钱 -> 收费), then cut filler phrases of 3+
        characters (我想问一下, 能不能 …) out of a question, so that jieba does not glue
        their pieces to the words around them (离能, 告要)."""
        for pattern, replacement in self._rewrites:
            text = pattern.sub(replacement, text)
        return self._phrase_re.sub("，", text) if self._phrase_re else text

    def legal_terms(self, text: str) -> list[str]:
        """The legal terms the question's everyday words map to (老板 → 用人单位), in order."""
        words = self.words(self.strip_fillers(text))
        return list(dict.fromkeys(t for w in words for t in self._synonyms.get(w, ()) if t not in words))

    def query_groups(self, text: str) -> list[Group]:
        """One group per distinct content word of a question: the word and its expansions."""
        groups: list[Group] = []
        seen: set[str] = set()
        for word in self.words(self.strip_fillers(text)):
            if word in seen or word in self._fillers:
                continue
            seen.add(word)
            expansions = [t for syn in self._synonyms.get(word, ()) for t in self.tokens(syn)]
            full = tuple(dict.fromkeys([word, *expansions]))
            partial = tuple(
                t for t in self.subwords(word) if t not in full and t not in self._fillers
            )
            groups.append(Group(full, partial))
        return groups


def cjk_count(text: str) -> int:
    """Number of Chinese characters in a text."""
    return len(_CJK_RE.findall(text))
