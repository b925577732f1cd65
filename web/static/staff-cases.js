// The case desk: the list with its clock (overdue first, then the next deadline), search by
// number, phone or name (masked until opened), and one case with everything around it and the
// actions its state allows.
import { $, CHANNELS, actionName, desk, el, evidenceItem, facts, fill, lookups, may, turnItem, when } from "/static/staff-common.js";

const DUE = { route_by: "分派时限", contact_by: "联系时限", close_by: "办结时限", follow_up_by: "回访时限" };
const OVERDUE = { route: "分派逾期", contact: "联系逾期", close: "办结逾期", follow_up: "回访逾期", route_by: "分派逾期", contact_by: "联系逾期", close_by: "办结逾期", follow_up_by: "回访逾期" };
const NEXT = { received: ["route"], registered: ["route"], routed: ["contact", "start_mediation"], in_mediation: ["contact", "close"], closed: ["follow_up"] };
let wired = false;

function query() {
  const q = new URLSearchParams();
  for (const [key, id] of [["q", "c-q"], ["status", "c-status"], ["category", "c-category"], ["institution", "c-institution"]]) {
    if ($(id).value.trim()) q.set(key, $(id).value.trim());
  }
  if ($("c-overdue").checked) q.set("overdue", "1");
  return q;
}

export async function refreshCases() {
  const data = await desk(`desk/cases?${query()}`);
  $("cases").replaceChildren(...data.items.map((c) => el("li", {}, el("button", {
    type: "button", class: c.overdue.length ? "overdue" : "", dataset: { case: c.case_no }, onclick: () => openCase(c.case_no),
  }, c.overdue.length ? `【${c.overdue.map((o) => OVERDUE[o] || o).join("、")}】` : "", `${c.case_no} · ${c.status_name} · ${c.category_name}`,
  el("small", {}, ` ${c.applicant_masked} ${c.phone_masked || ""} · ${c.institution_name || "未分派"}`),
  c.next_due_at ? el("small", {}, ` · ${DUE[c.next_due]} ${when(c.next_due_at)}`) : null))));
  if (!data.items.length) $("cases").append(el("li", { class: "empty" }, "没有符合条件的案件。"));
}

export function startCases() {
  if (!wired) {
    $("case-filters").addEventListener("submit", (e) => { e.preventDefault(); refreshCases(); });
    wired = true;
  }
  refreshCases();
}

export async function openCase(caseNo) {
  const c = await desk(`cases/${encodeURIComponent(caseNo)}/desk`);
  const view = $("case-template").content.cloneNode(true);
  view.querySelector(".title").textContent = `案件 ${c.case_no}（${c.status_name}${c.outcome_name ? "：" + c.outcome_name : ""}）`;
  facts(view.querySelector(".facts"), [
    ["类别", c.category_name], ["渠道", CHANNELS[c.channel] || c.channel], ["承办机构", c.institution ? c.institution.name : "未分派"],
    ["申请人", c.applicant.name], ["手机", c.applicant.phone], ["身份证号", c.applicant.id_number_masked],
    ["被申请人", c.respondents.map((r) => r.name).join("、")], ["地点", c.location], ["金额（元）", c.amount_yuan],
    ["事由", c.description], ["登记时间", when(c.created_at)],
    ["下一个时限", c.next_due_at ? `${DUE[c.next_due]}：${when(c.next_due_at)}` : null],
    ["逾期", c.overdue.map((o) => OVERDUE[o] || o).join("、")], ["首次联系", when(c.first_contact_at)], ["办结时间", when(c.closed_at)],
    ["回访", c.follow_up && c.follow_up.completed_at ? `${c.follow_up.result}（${c.follow_up.satisfied ? "满意" : "不满意"}）` : null],
  ]);
  view.querySelector(".evidence").replaceChildren(...(c.evidence.length ? c.evidence.map(evidenceItem) : [el("li", {}, "无")]));
  view.querySelector(".appointments").replaceChildren(...(c.appointments.length ? c.appointments.map((a) =>
    el("li", {}, `${when(a.start)} ${a.mediator.name}（${a.institution.name}）${a.status === "booked" ? "" : "（已取消）"}`)) : [el("li", {}, "无")]));
  view.querySelector(".turns").replaceChildren(...c.conversation.turns.map((t) => turnItem({
    speaker: t.speaker || (t.kind === "bot" ? "bot" : "citizen"), text: t.text || (t.digits ? `按键 ${t.digits}` : ""),
    low_confidence: typeof t.confidence === "number" && t.confidence < 0.6 })).filter((li) => li.textContent));
  view.querySelector(".audit").replaceChildren(...c.audit.map((e) => el("li", {}, `${when(e.at)} ${e.actor.replace("staff:", "")} ${actionName(e.action)}${e.reason ? "：" + e.reason : ""}`)));
  $("case-detail").replaceChildren(view);
  wireCase(c);
}

function wireCase(c) {
  const root = $("case-detail");
  const q = (s) => root.querySelector(s);
  const allowed = may("cases.write") ? NEXT[c.status] || [] : [];
  for (const action of ["route", "contact", "start_mediation"]) q(`[data-action=${action}]`).hidden = !allowed.includes(action);
  q(".close-box").hidden = !allowed.includes("close");
  q(".follow-box").hidden = !allowed.includes("follow_up");
  fill(q(".reroute-to"), lookups.institutions.filter((i) => !c.institution || i.code !== c.institution.code));
  q(".reroute-box").hidden = !(may("cases.reroute") && ["registered", "routed", "in_mediation"].includes(c.status));
  const post = (path, body) => desk(`cases/${encodeURIComponent(c.case_no)}/${path}`, { method: "POST", body: JSON.stringify(body) });
  const actions = {
    route: () => post("transitions", { action: "route" }),
    contact: () => post("contact", { note: q(".note-text").value || undefined }),
    start_mediation: () => post("transitions", { action: "start_mediation" }),
    close: () => post("transitions", { action: "close", outcome: q(".outcome").value }),
    follow_up: () => post("follow-up", { result: q(".follow-result").value.trim() || "已回访", satisfied: q(".follow-satisfied").checked }),
    reroute: () => post("reroute", { institution: q(".reroute-to").value, reason: q(".reroute-reason").value.trim() }),
    note: () => post("notes", { text: q(".note-text").value.trim() }),
  };
  for (const button of root.querySelectorAll("[data-action]")) {
    button.addEventListener("click", async () => {
      q(".error").textContent = "";
      try { await actions[button.dataset.action](); await openCase(c.case_no); refreshCases(); }
      catch (err) { q(".error").textContent = err.message; }
    });
  }
}
