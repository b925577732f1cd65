// The citizen's chat page: typed turns over /api/chat, spoken turns over the voice gateway's
// /robot/stream (push-to-talk), one conversation for both. Replies to spoken turns are read aloud
// with the Web Speech API in zh-CN.
const $ = (id) => document.getElementById(id);
const STORE = "jiefen.chat";
const MIN_PRESS_MS = 300;

const state = { session: null, log: [], busy: false, voice: null, talk: null };

function save() {
  sessionStorage.setItem(STORE, JSON.stringify({ ticket: state.session?.ticket, log: state.log }));
}

function bubble(kind, text, extra = "") {
  const li = document.createElement("li");
  li.className = `${kind} ${extra}`.trim();
  li.textContent = text;
  $("log").appendChild(li);
  li.scrollIntoView({ block: "end" });
}

function add(kind, text, extra = "") {
  state.log.push({ kind, text, extra });
  bubble(kind, text, extra);
  save();
}

function status(text) { $("status").textContent = text; }

function showOptions(buttons, onPick) {
  const box = $("options");
  box.replaceChildren();
  for (const b of buttons) {
    const btn = document.createElement("button");
    btn.type = "button";
    btn.textContent = b.title;
    btn.addEventListener("click", () => { box.replaceChildren(); onPick(b); });
    box.appendChild(btn);
  }
}

async function post(path, body, ticket) {
  const headers = { "Content-Type": "application/json" };
  if (ticket) headers.Authorization = `Bearer ${ticket}`;
  const response = await fetch(path, { method: "POST", headers, body: JSON.stringify(body) });
  let data = {};
  try { data = await response.json(); } catch { /* an empty or HTML error page */ }
  return { ok: response.ok, status: response.status, data };
}

async function startSession() {
  const saved = JSON.parse(sessionStorage.getItem(STORE) || "{}");
  const { ok, data } = await post("/api/session", { ticket: saved.ticket || null });
  if (!ok) throw new Error("session");
  state.session = data;
  listen();
  $("text").maxLength = data.max_chars;
  if (data.resumed && Array.isArray(saved.log)) {
    state.log = saved.log;
    for (const m of state.log) bubble(m.kind, m.text, m.extra);
  } else {
    state.log = [];
    save();
  }
  return data.resumed;
}

function showReplies(messages) {
  for (const m of messages) if (m.text) add("bot", m.text);
  const last = [...messages].reverse().find((m) => m.buttons && m.buttons.length);
  showOptions(last ? last.buttons : [], (b) => send({ payload: b.payload, title: b.title }));
}

// Lines from a staff member who took the conversation over, pushed by the web service.
function listen() {
  if (state.events) state.events.close();
  const events = new EventSource(`/api/events?ticket=${encodeURIComponent(state.session.ticket)}`);
  events.onmessage = (event) => {
    const msg = JSON.parse(event.data);
    if (msg.type === "takeover" || msg.type === "released") { add("bot", msg.text, "notice"); showOptions([], null); }
    else if (msg.type === "staff") add("staff", msg.text);
  };
  state.events = events;  // EventSource reconnects by itself after a network drop
}

async function send(body, echo = true) {
  if (state.busy) return false;
  state.busy = true;
  $("send").disabled = true;
  status("正在回复…");
  try {
    const { ok, status: code, data } = await post("/api/chat", body, state.session.ticket);
    if (!ok) {
      if (code === 401) await startSession();
      add("bot", data.message || "系统暂时繁忙，请稍后再试。", "error");
      return false;
    }
    if (echo && data.shown) add("me", data.shown);
    if (data.mode === "staff") status(data.notice || "");
    showReplies(data.messages);
    return true;
  } catch {
    add("bot", "网络连接失败，您的消息没有发出，请检查网络后重试。", "error");
    return false;
  } finally {
    state.busy = false;
    $("send").disabled = false;
    if ($("status").textContent === "正在回复…") status("");
  }
}

// --- push-to-talk over the voice gateway ---

function openVoice() {
  if (state.voice && state.voice.ready) return state.voice.ready;
  const url = `${state.session.voice_url}?ticket=${encodeURIComponent(state.session.ticket)}&mode=ptt`;
  const ws = new WebSocket(url);
  ws.binaryType = "arraybuffer";
  const voice = { ws };
  voice.ready = new Promise((resolve, reject) => {
    ws.onmessage = (event) => onVoice(JSON.parse(event.data), resolve, reject);
    ws.onerror = () => reject(new Error("voice"));
    ws.onclose = () => { if (state.voice === voice) state.voice = null; reject(new Error("voice")); };
  });
  state.voice = voice;
  return voice.ready;
}

function onVoice(msg, resolve, reject) {
  if (msg.type === "ready") resolve(msg);
  else if (msg.type === "partial") status(`正在听：${msg.text}`);
  else if (msg.type === "final") { status(""); if (msg.text) add("me", msg.text, "voice"); }
  else if (msg.type === "reply") {
    add("bot", msg.text);
    showOptions(msg.options.map((o) => ({ title: o.title, key: o.key })), (o) =>
      state.voice?.ws.send(JSON.stringify({ type: "keys", digits: o.key })));
    speak(msg.text, msg.turn);
  } else if (msg.type === "stop_speaking") window.speechSynthesis?.cancel();
  else if (msg.type === "handoff" || msg.type === "end") { add("bot", msg.text); speak(msg.text, -1); }
  else if (msg.type === "error") {
    status(msg.message);
    if (msg.code === "asr_unavailable") $("talk").hidden = true;
    const err = new Error(msg.code);
    err.voiceMessage = msg.message;
    reject(err);
  }
}

function speak(text, turn) {
  const done = () => { if (turn >= 0) state.voice?.ws.send(JSON.stringify({ type: "spoken", turn })); };
  const synth = window.speechSynthesis;
  if (!synth || typeof SpeechSynthesisUtterance === "undefined") { done(); return; }
  const utterance = new SpeechSynthesisUtterance(text);
  utterance.lang = "zh-CN";
  utterance.rate = 0.95;  // a little slower: replies carry numbers and addresses
  utterance.onend = done;
  utterance.onerror = done;
  synth.cancel();
  synth.speak(utterance);
}

async function startTalk() {
  if (state.talk) return;
  const talk = { started: performance.now() };
  state.talk = talk;
  $("talk").setAttribute("aria-pressed", "true");
  window.speechSynthesis?.cancel();  // the citizen wants to speak: stop reading the reply
  try {
    await openVoice();
    talk.stream = await navigator.mediaDevices.getUserMedia({
      audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true },
    });
    talk.ctx = new AudioContext();
    await talk.ctx.audioWorklet.addModule("/static/pcm-worklet.js");
    talk.node = new AudioWorkletNode(talk.ctx, "pcm16-writer");
    talk.flushed = new Promise((resolve) => {
      talk.node.port.onmessage = (event) => {
        if (event.data === "flushed") resolve();
        else if (state.voice?.ws.readyState === WebSocket.OPEN) state.voice.ws.send(event.data);
      };
    });
    if (state.talk !== talk) {  // released before the microphone was ready: a tap, not speech
      await releaseMic(talk);
      status("请按住按钮说话，说完再松开。");
      return;
    }
    talk.ctx.createMediaStreamSource(talk.stream).connect(talk.node);
    status("正在听，请说话，说完松开按钮");
  } catch (err) {
    status(err.name === "NotAllowedError" ? "没有麦克风权限，请允许后重试，或直接输入文字。"
                                          : err.voiceMessage || "语音暂不可用，请直接输入文字。");
    await releaseMic(talk);
    if (state.talk === talk) state.talk = null;
    $("talk").setAttribute("aria-pressed", "false");
  }
}

async function releaseMic(talk) {
  talk.stream?.getTracks().forEach((t) => t.stop());
  if (talk.ctx) await talk.ctx.close();
}

async function stopTalk() {
  const talk = state.talk;
  if (!talk) return;
  state.talk = null;
  $("talk").setAttribute("aria-pressed", "false");
  if (!talk.node) return;
  talk.node.port.postMessage("flush");
  await talk.flushed;
  await releaseMic(talk);
  state.voice?.ws.send(JSON.stringify({ type: "end_of_speech" }));
  status(performance.now() - talk.started < MIN_PRESS_MS ? "请按住按钮说话，说完再松开。" : "正在识别…");
}

function wireTalkButton() {
  const talk = $("talk");
  if (!navigator.mediaDevices?.getUserMedia || !window.AudioWorkletNode) { talk.hidden = true; return; }
  talk.addEventListener("pointerdown", (e) => { e.preventDefault(); startTalk(); });
  for (const ev of ["pointerup", "pointerleave", "pointercancel"]) talk.addEventListener(ev, stopTalk);
  talk.addEventListener("keydown", (e) => { if (e.key === " " && !e.repeat) { e.preventDefault(); startTalk(); } });
  talk.addEventListener("keyup", (e) => { if (e.key === " ") stopTalk(); });
}

const LARGE = "jiefen.largeText"; // remembered on this device: one tap for older citizens
const MAX_UPLOAD = 10 * 1024 * 1024;
const UPLOAD_TYPES = ["image/jpeg", "image/png", "image/webp", "application/pdf"];

function largeText(on) {
  document.documentElement.classList.toggle("large", on);
  $("large-text").setAttribute("aria-pressed", String(on));
  $("large-text").textContent = on ? "标准字号" : "大字模式";
  localStorage.setItem(LARGE, on ? "1" : "0");
}

async function upload(file) {
  // The file goes as it is; the case service checks what it really is.
  if (!UPLOAD_TYPES.includes(file.type)) { add("bot", "只能上传 JPG、PNG、WebP 图片或 PDF 文件。", "error"); return; }
  if (file.size > MAX_UPLOAD) { add("bot", "文件太大了（最大 10 MB），请压缩后再上传。", "error"); return; }
  status(`正在上传“${file.name}”…`);
  try {
    const response = await fetch("/api/evidence", {
      method: "POST", body: file,
      headers: { Authorization: `Bearer ${state.session.ticket}`, "Content-Type": file.type, "X-Filename": encodeURIComponent(file.name) },
    });
    let data = {};
    try { data = await response.json(); } catch { /* not JSON */ }
    if (!response.ok) { add("bot", data.message || "文件上传失败，请稍后再试。", "error"); return; }
    add("me", `📎 ${data.filename}`, "evidence");
    add("bot", data.notice, "notice");
  } catch {
    add("bot", "网络中断，文件没有上传成功，请稍后再试。", "error");
  } finally {
    status("");
  }
}

async function main() {
  largeText(localStorage.getItem(LARGE) === "1");
  $("large-text").addEventListener("click", () => largeText(!document.documentElement.classList.contains("large")));
  $("attach").addEventListener("click", () => $("file").click());
  $("file").addEventListener("change", () => { const f = $("file").files[0]; $("file").value = ""; if (f && state.session) upload(f); });
  $("composer").addEventListener("submit", async (e) => {
    e.preventDefault();
    const text = $("text").value.trim();
    if (!text) return;
    if (await send({ text })) $("text").value = "";  // kept on failure: nothing typed is lost
  });
  $("text").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); $("composer").requestSubmit(); }
  });
  wireTalkButton();
  try {
    if (!(await startSession())) await send({ payload: "/greet", title: "" }, false);
  } catch {
    add("bot", "暂时无法连接服务，请稍后刷新页面重试。", "error");
  }
}

main();
