// The hand-off queue, pushed live (server-sent events, no polling): safety first, then overdue,
// then the longest wait; filters; one conversation with its packet, transcript (doubtful call
// lines marked), tags and evidence; take over, talk, pass to a colleague, make a case, close.
import { $, CHANNELS, api, desk, el, slotName, evidenceItem, facts, lookups, may, session, turnItem, waited, when } from "/static/staff-common.js";

const state = { current: null, events: null, queue: null, started: false, wired: false, shownQueue: "" };

function params() {
  const query = new URLSearchParams({ status: $("f-status").value });
  for (const [key, id] of [["channel", "f-channel"], ["category", "f-category"], ["institution", "f-institution"]]) {
    if ($(id).value) query.set(key, $(id).value);
  }
  return query;
}

function item(handoff) {
  const badges = [handoff.urgent ? "【紧急】" : "", handoff.overdue ? "【超时】" : ""].join("");
  const button = el("button", {
    type: "button", class: [handoff.urgent ? "urgent" : "", handoff.overdue ? "overdue" : ""].join(" ").trim(),
    dataset: { id: handoff.id }, onclick: () => open(handoff.id),
    "aria-current": state.current && state.current.id === handoff.id ? "true" : null,
  }, `${badges}#${handoff.id} ${CHANNELS[handoff.channel] || handoff.channel} · ${handoff.reason_name || handoff.reason}`,
  handoff.category_name ? ` · ${handoff.category_name}` : "",
  el("small", {}, ` 等待${waited(handoff.waiting_s)} · ${when(handoff.created_at)}`),
  handoff.status === "claimed" ? el("small", {}, ` · ${handoff.claimed_by.replace("staff:", "")}处理中`) : null,
  ...(handoff.tags || []).map((t) => el("span", { class: "tag" }, t)));
  return el("li", {}, button);
}

export async function refresh() {
  try {
    const data = await api(`/staff/api/handoffs?${params()}`);
    // The list is rebuilt only when what it shows changed, so a button is not swapped under the
    // pointer by a push about someone else's conversation.
    const shownQueue = JSON.stringify([data.items, state.current && state.current.id]);
    if (shownQueue === state.shownQueue) return;
    state.shownQueue = shownQueue;
    $("queue").replaceChildren(...data.items.map(item));
    if (!data.items.length) $("queue").append(el("li", { class: "empty" }, "暂无会话。"));
  } catch (err) {
    $("live-state").textContent = err.message;
  }
}

function listen() {
  // One stream for the queue; the browser reconnects by itself if it drops.
  if (state.queue) return;
  state.queue = new EventSource("/staff/api/queue/events");
  state.queue.onopen = () => { $("live-state").textContent = "实时更新中"; refresh(); };
  state.queue.onerror = () => { $("live-state").textContent = "实时连接中断，正在重连…"; };
  state.queue.onmessage = (event) => {
    const change = JSON.parse(event.data);
    refresh();
    if (state.current && change.id === state.current.id && change.change !== "created" && !editing() && !shown(change)) open(change.id);
  };
}

function shown(change) {
  // The page already shows this state (our own action re-rendered it): do not render it twice.
  const c = state.current;
  if (change.change === "evidence") return false; // a new file: show it
  const sameTags = !change.tags || JSON.stringify(change.tags) === JSON.stringify(c.tags || []);
  return change.status === c.status && change.claimed_by === c.claimed_by && sameTags;
}

function editing() {
  // Never re-render under someone's hands: a case form being filled in, a reply being typed.
  const root = $("detail");
  const form = root.querySelector(".case-form");
  const reply = root.querySelector(".reply textarea");
  return Boolean((form && !form.hidden) || (reply && reply.value.trim()) || (root.contains(document.activeElement) && document.activeElement.matches("input, textarea")));
}

export function startQueue() {
  if (!state.wired) {
    $("queue-filters").addEventListener("change", refresh);
    state.wired = true;
  }
  listen();
  refresh();
}

export function stopQueue() {
  if (state.queue) { state.queue.close(); state.queue = null; }
  if (state.events) { state.events.close(); state.events = null; }
}

async function open(id) {
  if (state.events) { state.events.close(); state.events = null; }
  const handoff = await api(`/staff/api/handoffs/${id}`);
  state.current = handoff;
  const view = $("detail-template").content.cloneNode(true);
  view.querySelector(".title").textContent = `转人工 #${handoff.id}${handoff.urgent ? "（紧急）" : ""}`;
  facts(view.querySelector(".facts"), [
    ["原因", handoff.reason_name || handoff.reason], ["类别", handoff.category_name], ["渠道", CHANNELS[handoff.channel]],
    ["手机", handoff.phone], ["案件编号", handoff.case_no], ["回电", handoff.callback_requested ? "需要回电" : null],
    ["提交时间", when(handoff.created_at)], ["已等待", waited(handoff.waiting_s)],
    ["状态", { open: "等待接入", claimed: `处理中（${(handoff.claimed_by || "").replace("staff:", "")}）`, closed: "已结束" }[handoff.status]],
    ...Object.entries(handoff.collected || {}).map(([k, v]) => [slotName(k), k === "category" ? (lookups.categories.find((c) => c.code === v) || { name: v }).name : v]),
  ]);
  const turns = view.querySelector(".turns");
  const lines = handoff.turns.length ? handoff.turns : (handoff.transcript || []);
  for (const t of lines) turns.append(turnItem(t));
  $("detail").replaceChildren(view);
  tags(handoff);
  evidence(handoff);
  wire(handoff);
}

function tags(handoff) {
  const root = $("detail");
  const list = root.querySelector(".tag-list");
  const render = (values) => {
    list.replaceChildren(...values.map((t) => el("span", { class: "tag" }, t,
      el("button", { type: "button", class: "untag", "aria-label": `删除标签${t}`, onclick: () => save(values.filter((v) => v !== t)) }, "×"))));
  };
  const save = async (values) => {
    try { const saved = await api(`/staff/api/desk/handoffs/${handoff.id}/tags`, { method: "PUT", body: JSON.stringify({ tags: values }) }); handoff.tags = saved.tags; render(saved.tags); }
    catch (err) { root.querySelector(".error").textContent = err.message; }
  };
  render(handoff.tags || []);
  root.querySelector(".tag-add").addEventListener("change", (e) => {
    if (e.target.value && !(handoff.tags || []).includes(e.target.value)) save([...(handoff.tags || []), e.target.value]);
    e.target.value = "";
  });
}

async function evidence(handoff) {
  try {
    const data = await desk(`handoffs/${handoff.id}/evidence`);
    const list = $("detail").querySelector(".evidence");
    list.replaceChildren(...data.items.map(evidenceItem));
    if (data.items.length) list.prepend(el("li", { class: "label" }, `群众上传的材料（${data.items.length}）：`));
  } catch { /* shown on the case once it exists */ }
}

function wire(handoff) {
  const root = $("detail");
  const q = (selector) => root.querySelector(selector);
  const error = q(".error");
  const mine = handoff.status === "claimed" && handoff.claimed_by === session.me.actor;
  q(".claim").hidden = handoff.status !== "open";
  q(".close").hidden = q(".note").hidden = !mine;
  q(".reply").hidden = !(mine && handoff.live);
  q(".pass").hidden = !mine;
  q(".make-case").hidden = q(".attach").hidden = !(handoff.status !== "closed" && !handoff.case_found && may("cases.create"));
  if (mine && handoff.live) follow(handoff.conversation_id, q(".turns"));
  if (mine) colleagues(q(".pass-to"));
  const act = (fn) => async () => { error.textContent = ""; try { await fn(); } catch (err) { error.textContent = err.message; refresh(); } };
  q(".claim").addEventListener("click", act(async () => { await api(`/staff/api/handoffs/${handoff.id}/claim`, { method: "POST", body: "{}" }); await open(handoff.id); }));
  q(".reply").addEventListener("submit", async (e) => {
    e.preventDefault();
    const box = q(".reply textarea");
    const text = box.value.trim();
    if (!text) return;
    try { await api(`/staff/api/handoffs/${handoff.id}/messages`, { method: "POST", body: JSON.stringify({ text }) }); box.value = ""; error.textContent = ""; }
    catch (err) { error.textContent = err.message; } // the text stays in the box
  });
  q(".reply textarea").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); q(".reply").requestSubmit(); }
  });
  q(".pass-button").addEventListener("click", act(async () => {
    if (!q(".pass-to").value) throw new Error("请选择接手的同事。");
    await api(`/staff/api/handoffs/${handoff.id}/pass`, { method: "POST", body: JSON.stringify({ to: q(".pass-to").value, note: q(".pass-note").value }) });
    await open(handoff.id);
  }));
  q(".close").addEventListener("click", act(async () => { await api(`/staff/api/handoffs/${handoff.id}/close`, { method: "POST", body: JSON.stringify({ note: q(".note").value }) }); await open(handoff.id); }));
  q(".make-case").addEventListener("click", () => caseForm(handoff));
  q(".attach-button").addEventListener("click", act(async () => {
    const made = await api(`/staff/api/desk/desk/attach/${handoff.id}`, { method: "POST", body: JSON.stringify({ case_no: q(".attach-no").value.trim() }) });
    error.textContent = `已关联到案件 ${made.case_no}。`;
    await open(handoff.id);
  }));
}

function caseForm(handoff) {
  // What the bot collected, for staff to correct before the case is registered.
  const form = $("detail").querySelector(".case-form");
  const c = handoff.collected || {};
  const select = form.elements.category;
  select.replaceChildren(...lookups.categories.map((i) => el("option", { value: i.code }, i.name)));
  select.value = handoff.category || c.category || "other";
  form.elements.description.value = c.description || handoff.summary || "";
  form.elements.name.value = c.applicant_name || "";
  form.elements.phone.value = c.applicant_phone || handoff.phone || "";
  form.elements.id_number.value = c.applicant_id_number || "";
  form.elements.respondent.value = c.respondent || "";
  form.elements.location.value = c.location || "";
  form.elements.amount_yuan.value = c.amount_yuan || "";
  form.hidden = false;
  form.onsubmit = async (e) => {
    e.preventDefault();
    const f = form.elements;
    const body = {
      category: f.category.value, description: f.description.value.trim(),
      applicant: { name: f.name.value.trim(), phone: f.phone.value.trim(), ...(f.id_number.value.trim() ? { id_number: f.id_number.value.trim() } : {}) },
      respondents: f.respondent.value.trim() ? [f.respondent.value.trim()] : [],
      ...(f.location.value.trim() ? { location: f.location.value.trim() } : {}),
      ...(f.amount_yuan.value.trim() ? { amount_yuan: f.amount_yuan.value.trim() } : {}),
    };
    const error = $("detail").querySelector(".error");
    try {
      const made = await api(`/staff/api/desk/desk/from-handoff/${handoff.id}`, { method: "POST", body: JSON.stringify(body) });
      error.textContent = `已登记案件 ${made.case_no}。`;
      form.hidden = true;
      await open(handoff.id);
      $("detail").querySelector(".error").textContent = `已登记案件 ${made.case_no}。`;
    } catch (err) { error.textContent = err.message; }
  };
}

async function colleagues(select) {
  const data = await desk("staff/colleagues");
  select.replaceChildren(el("option", { value: "" }, "选择接手的同事"),
    ...data.items.filter((c) => `staff:${c.username}` !== session.me.actor).map((c) => el("option", { value: c.username }, `${c.display_name}（${c.username}）`)));
}

function follow(conversationId, turns) {
  state.events = new EventSource(`/staff/api/conversations/${encodeURIComponent(conversationId)}/events`);
  state.events.onmessage = (event) => {
    const msg = JSON.parse(event.data);
    const speakerOf = { citizen: "citizen", staff: "staff" }[msg.type] || "bot";
    turns.append(turnItem({ speaker: speakerOf, text: msg.text, staff: msg.staff, at: msg.at }));
    turns.lastChild.scrollIntoView({ block: "end" });
  };
}
