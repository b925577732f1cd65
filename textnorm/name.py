"""Personal names in what citizens type or say."""

from __future__ import annotations

import re

from textnorm._numerals import to_halfwidth

# Phrases people put around their name: 我叫张三 / 我是李四 / 姓名：王五 / 免贵姓林，叫林小梅.
_INTRO_RE = re.compile(
    r"(?:我的?(?:名字|姓名)(?:是|叫)?|(?:姓名|名字)(?:是|叫|:)?|我叫|我是|叫我|本人)\s*"
    r"(?P<name>[\u4e00-\u9fff·]{2,6}|[A-Za-z][A-Za-z .'-]{1,40})"
)
_SURNAME_ONLY_RE = re.compile(
    r"(?:免贵)?姓(?P<surname>[\u4e00-\u9fff]{1,2})(?:[,，。\s]*(?:叫|名叫)(?P<name>[\u4e00-\u9fff]{1,4}))?"
)
_BARE_NAME_RE = re.compile(r"^(?P<name>[\u4e00-\u9fff·]{2,6}|[A-Za-z][A-Za-z .'-]{1,40})$")
# The common surnames (about 300 cover well over 99% of Chinese people): a name must start
# with one, so "我是在城南工地干活的" is never read as the name "在城南工地".
_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
    "向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌"
    "毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦"
    "麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩"
    "明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强"
    "帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊阿乌母裘亓"
    "修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植"
    "衡富尧闭由"
)
_COMPOUND_SURNAMES = (
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "令狐", "西门",
)
_TRAILING_NOISE_RE = re.compile(r"(?:吧|啊|呀|哦|呢|的|就行|即可|谢谢)+$")
_NOT_NAMES = {
    "不知道",
    "不想说",
    "不告诉你",
    "没有",
    "算了",
    "同意",
    "不同意",
    "可以",
    "好的",
    "是的",
    "不是",
    "你好",
}


def extract_person_name(text: str) -> str | None:
    """Return the citizen's name from a short answer, or None if no plausible name is there."""
    text = to_halfwidth(text).strip().strip("。.!！?？,，~")
    if not text or len(text) > 40:
        return None
    match = _INTRO_RE.search(text)
    if match:
        return _clean(match.group("name"))
    match = _SURNAME_ONLY_RE.search(text)
    if match:
        given = match.group("name")
        surname = match.group("surname")
        if given:
            return _clean(given if given.startswith(surname) else surname + given)
        # "免贵姓张，张伟": the full name follows the surname
        full = re.search(rf"{re.escape(surname)}[\u4e00-\u9fff]{{1,3}}", text[match.end():])
        if full:
            return _clean(full.group())
        return None  # a surname alone is not enough to register a case
    match = _BARE_NAME_RE.match(text)
    if match:
        return _clean(match.group("name"))
    return None


_NOT_LATIN_NAMES = {
    "pass", "skip", "ok", "okay", "yes", "no", "none", "null", "hello", "hi", "test", "na", "n/a",
}


def plausible_surname(char: str) -> bool:
    """One of the common single-character surnames."""
    return char in _SURNAMES


def plausible_chinese_name(name: str) -> bool:
    """2–4 characters starting with a common surname (or a compound one); names with the
    middle dot (维吾尔族、藏族 … 买买提·艾力) are accepted as given, Latin names when capitalised
    and not a word like "pass"."""
    if "·" in name:
        return True
    if not re.search(r"[\u4e00-\u9fff]", name):
        words = name.split()
        return (
            1 <= len(words) <= 4
            and all(w[:1].isupper() for w in words)
            and name.strip().lower() not in _NOT_LATIN_NAMES
        )
    if len(set(name)) == 1:  # 哈哈哈, 呵呵: laughter, not a person (哈 is also a surname)
        return False
    if name.startswith(_COMPOUND_SURNAMES):
        return 3 <= len(name) <= 5
    return 2 <= len(name) <= 4 and name[0] in _SURNAMES


def _clean(name: str) -> str | None:
    name = _TRAILING_NOISE_RE.sub("", name.strip())
    if len(name) < 2 or name in _NOT_NAMES or not plausible_chinese_name(name):
        return None
    return name
