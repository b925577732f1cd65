// Staff console: hand-offs waiting (urgent first), one conversation with its transcript, live
// takeover (claim → talk → close). The staff token stays in this tab only (sessionStorage).
const $ = (id) => document.getElementById(id);
const SPEAKERS = { citizen: "群众", bot: "智能助手", staff: "工作人员" };
const REFRESH_MS = 5000;
const state = { token: sessionStorage.getItem("jiefen.staff") || "", me: "", current: null, events: null, timer: null };

async function api(path, options = {}) {
  const response = await fetch(path, {
    ...options,
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${state.token}` },
  });
  let data = {};
  try { data = await response.json(); } catch { /* not JSON */ }
  if (!response.ok) throw Object.assign(new Error(data.message || "请求失败"), { status: response.status });
  return data;
}

function item(handoff) {
  const li = document.createElement("li");
  const button = document.createElement("button");
  button.type = "button";
  button.dataset.id = handoff.id;
  button.className = handoff.urgent ? "urgent" : "";
  const channel = { web: "网页", phone: "电话", robot: "自助机" }[handoff.channel] || handoff.channel;
  button.textContent = `${handoff.urgent ? "【紧急】" : ""}#${handoff.id} ${channel} · ${handoff.reason_name || handoff.reason}` +
    (handoff.category_name ? ` · ${handoff.category_name}` : "");
  button.addEventListener("click", () => open(handoff.id));
  if (state.current && state.current.id === handoff.id) button.setAttribute("aria-current", "true");
  li.appendChild(button);
  return li;
}

async function refresh() {
  try {
    const [open_, claimed] = await Promise.all([api("/staff/api/handoffs?status=open"), api("/staff/api/handoffs?status=claimed")]);
    $("open").replaceChildren(...open_.items.map(item));
    $("claimed").replaceChildren(...claimed.items.map(item));
    $("refreshed").textContent = new Date().toLocaleTimeString("zh-CN");
  } catch (err) {
    if (err.status === 401 || err.status === 403) logout(err.message);
  }
}

function turn(ol, speaker, text, staff) {
  const li = document.createElement("li");
  li.className = speaker;
  const who = document.createElement("span");
  who.className = "who";
  who.textContent = speaker === "staff" && staff ? `${SPEAKERS.staff}（${staff}）` : SPEAKERS[speaker] || speaker;
  li.append(who, document.createTextNode(text));
  ol.appendChild(li);
  li.scrollIntoView({ block: "end" });
}

function facts(dl, handoff) {
  const rows = [
    ["原因", handoff.reason_name || handoff.reason], ["类别", handoff.category_name], ["手机", handoff.phone],
    ["案件编号", handoff.case_no], ["回电", handoff.callback_requested ? "需要回电" : null],
    ["提交时间", handoff.created_at], ["状态", { open: "等待接入", claimed: `处理中（${handoff.claimed_by}）`, closed: "已结束" }[handoff.status]],
    ...Object.entries(handoff.collected || {}),
  ];
  dl.replaceChildren();
  for (const [key, value] of rows) {
    if (value === null || value === undefined || value === "") continue;
    const dt = document.createElement("dt"); dt.textContent = key;
    const dd = document.createElement("dd"); dd.textContent = value;
    dl.append(dt, dd);
  }
}

async function open(id) {
  if (state.events) { state.events.close(); state.events = null; }
  const handoff = await api(`/staff/api/handoffs/${id}`);
  state.current = handoff;
  const view = $("detail-template").content.cloneNode(true);
  view.querySelector(".title").textContent = `转人工 #${handoff.id}`;
  facts(view.querySelector(".facts"), handoff);
  const turns = view.querySelector(".turns");
  // The whole conversation when there is one (web tracker, call record), else the packet's excerpt.
  const lines = handoff.turns.length ? handoff.turns : (handoff.transcript || []).map((t) => ({ speaker: t.speaker, text: t.text }));
  for (const t of lines) turn(turns, t.speaker, t.text, t.staff);
  $("detail").replaceChildren(view);
  wire(handoff);
  refresh();
}

function wire(handoff) {
  const root = $("detail");
  const claim = root.querySelector(".claim"), reply = root.querySelector(".reply");
  const close = root.querySelector(".close"), note = root.querySelector(".note"), error = root.querySelector(".error");
  const turns = root.querySelector(".turns");
  const mine = handoff.status === "claimed" && handoff.claimed_by === state.me;
  claim.hidden = handoff.status !== "open";
  close.hidden = note.hidden = !mine;
  reply.hidden = !(mine && handoff.live);
  if (mine && handoff.live) follow(handoff.conversation_id, turns);
  claim.addEventListener("click", async () => {
    try { await api(`/staff/api/handoffs/${handoff.id}/claim`, { method: "POST", body: "{}" }); await open(handoff.id); }
    catch (err) { error.textContent = err.message; refresh(); }
  });
  reply.addEventListener("submit", async (e) => {
    e.preventDefault();
    const box = reply.querySelector("textarea");
    const text = box.value.trim();
    if (!text) return;
    try { await api(`/staff/api/handoffs/${handoff.id}/messages`, { method: "POST", body: JSON.stringify({ text }) }); box.value = ""; error.textContent = ""; }
    catch (err) { error.textContent = err.message; }  // the text stays in the box
  });
  reply.querySelector("textarea").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); reply.requestSubmit(); }
  });
  close.addEventListener("click", async () => {
    try { await api(`/staff/api/handoffs/${handoff.id}/close`, { method: "POST", body: JSON.stringify({ note: note.value }) }); await open(handoff.id); }
    catch (err) { error.textContent = err.message; }
  });
}

function follow(conversationId, turns) {
  const url = `/staff/api/conversations/${encodeURIComponent(conversationId)}/events?token=${encodeURIComponent(state.token)}`;
  state.events = new EventSource(url);
  state.events.onmessage = (event) => {
    const msg = JSON.parse(event.data);
    if (msg.type === "citizen") turn(turns, "citizen", msg.text);
    else if (msg.type === "staff") turn(turns, "staff", msg.text, msg.staff);
    else if (msg.type === "takeover" || msg.type === "released") turn(turns, "bot", msg.text);
  };
}

function logout(message) {
  sessionStorage.removeItem("jiefen.staff");
  state.token = "";
  clearInterval(state.timer);
  $("desk").hidden = true;
  $("login").hidden = false;
  $("login-error").textContent = message || "";
}

async function login(token) {
  state.token = token;
  try {
    const me = await api("/staff/api/me");
    state.me = me.actor;
    $("who").textContent = `当前：${me.name}`;
  } catch (err) {
    logout(err.status === 401 || err.status === 403 ? "令牌无效，请重新输入。" : err.message);
    return;
  }
  sessionStorage.setItem("jiefen.staff", token);
  $("login").hidden = true;
  $("desk").hidden = false;
  await refresh();
  state.timer = setInterval(refresh, REFRESH_MS);
}

$("login").addEventListener("submit", (e) => { e.preventDefault(); login($("token").value.trim()); });
if (state.token) login(state.token);
