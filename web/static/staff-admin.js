// Administration: staff accounts (create, disable, enable, reset a password) with the staff audit
// log, and the mediator profiles citizens choose from (specialties, languages, hours, days off).
import { $, actionName, desk, el, lookups, when } from "/static/staff-common.js";

const WEEK = "一二三四五六日";
let accountsWired = false;
let mediatorsWired = false;

export async function refreshAccounts() {
  const [data, audit] = await Promise.all([desk("staff/accounts"), desk("staff/audit")]);
  $("accounts").replaceChildren(...data.items.map((a) => el("tr", { dataset: { user: a.username } },
    el("td", {}, a.username), el("td", {}, a.display_name), el("td", {}, a.role_name),
    el("td", {}, a.institution ? a.institution.name : ""), el("td", {}, a.active ? (a.locked ? "已锁定" : "正常") : "已停用"),
    el("td", {}, when(a.last_login_at)),
    el("td", {}, el("button", { type: "button", class: "toggle", onclick: () => toggle(a) }, a.active ? "停用" : "启用"),
      el("button", { type: "button", class: "reset", onclick: () => reset(a) }, "重设密码")))));
  $("audit").replaceChildren(...audit.items.slice(0, 100).map((e) => el("tr", {},
    el("td", {}, when(e.at)), el("td", {}, e.actor.replace("staff:", "")), el("td", {}, actionName(e.action)),
    el("td", {}, e.outcome === "ok" ? "成功" : "已拒绝"), el("td", {}, e.source || ""),
    el("td", {}, Object.entries(e.detail || {}).filter(([, v]) => v !== null && v !== undefined).map(([k, v]) => `${k}=${v}`).join(" ")))));
}

async function toggle(account) {
  try { await desk(`staff/accounts/${account.username}/${account.active ? "disable" : "enable"}`, { method: "POST", body: "{}" }); }
  catch (err) { $("account-error").textContent = err.message; }
  refreshAccounts();
}

async function reset(account) {
  const password = window.prompt(`为 ${account.username} 设置新密码（至少12位）：`);
  if (!password) return;
  try { await desk(`staff/accounts/${account.username}/password`, { method: "POST", body: JSON.stringify({ password }) }); $("account-error").textContent = "密码已重设，该账号需重新登录。"; }
  catch (err) { $("account-error").textContent = err.message; }
}

export function startAccounts() {
  if (!accountsWired) {
    $("account-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      $("account-error").textContent = "";
      try {
        await desk("staff/accounts", { method: "POST", body: JSON.stringify({
          username: $("a-username").value.trim(), display_name: $("a-display").value.trim(), role: $("a-role").value,
          institution: $("a-institution").value || undefined, password: $("a-password").value }) });
        $("account-form").reset();
        $("account-error").textContent = "账号已创建。";
        refreshAccounts();
      } catch (err) { $("account-error").textContent = err.message; }
    });
    accountsWired = true;
  }
  refreshAccounts();
}

function hoursText(hours) {
  return hours.map((h) => `${h.weekday + 1} ${h.start}-${h.end}`).join("\n");
}

function parseHours(text) {
  return text.split("\n").map((l) => l.trim()).filter(Boolean).map((line) => {
    const match = line.match(/^([1-7])\s+(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})$/);
    if (!match) throw new Error(`接待时间“${line}”格式不正确，应为“1 09:00-12:00”。`);
    return { weekday: Number(match[1]) - 1, start: match[2].padStart(5, "0"), end: match[3].padStart(5, "0") };
  });
}

function edit(m) {
  $("mediator-form-title").textContent = m ? `修改调解员：${m.name}` : "新增调解员";
  $("m-editing").value = m ? m.code : "";
  $("m-code").value = m ? m.code : "";
  $("m-code").disabled = Boolean(m);
  $("m-name").value = m ? m.name : "";
  $("m-title").value = m ? m.title || "" : "";
  $("m-institution").value = m ? m.institution.code : lookups.institutions[0].code;
  $("m-languages").value = m ? m.languages.join("、") : "普通话";
  $("m-hours").value = m ? hoursText(m.hours) : "";
  $("m-days-off").value = m ? m.days_off.map((d) => d.day).join("\n") : "";
  $("m-active").checked = m ? m.active : true;
  for (const box of $("m-specialties").querySelectorAll("input")) box.checked = Boolean(m && m.specialties.includes(box.value));
}

export async function refreshMediators() {
  const data = await desk("mediators?all=1");
  $("mediators").replaceChildren(...data.items.map((m) => el("tr", { dataset: { code: m.code } },
    el("td", {}, m.name), el("td", {}, m.title || ""), el("td", {}, m.institution.name), el("td", {}, m.specialty_names.join("、")),
    el("td", {}, m.languages.join("、")), el("td", {}, m.hours.map((h) => `周${WEEK[h.weekday]} ${h.start}-${h.end}`).join("；")),
    el("td", {}, m.days_off.map((d) => d.day).join("、")), el("td", {}, m.active ? "接受预约" : "暂停"),
    el("td", {}, el("button", { type: "button", onclick: () => edit(m) }, "修改")))));
}

export function startMediators() {
  if (!mediatorsWired) {
    $("m-specialties").replaceChildren(...lookups.categories.map((c) => el("label", {}, el("input", { type: "checkbox", value: c.code }), c.name)));
    $("mediator-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      $("mediator-error").textContent = "";
      try {
        const code = $("m-editing").value;
        const body = {
          name: $("m-name").value.trim(), title: $("m-title").value.trim() || null, institution: $("m-institution").value,
          languages: $("m-languages").value.split(/[、,，\s]+/).filter(Boolean),
          specialties: [...$("m-specialties").querySelectorAll("input:checked")].map((b) => b.value),
          hours: parseHours($("m-hours").value),
          days_off: $("m-days-off").value.split(/\s+/).filter(Boolean), active: $("m-active").checked,
        };
        if (code) await desk(`mediators/${code}`, { method: "PUT", body: JSON.stringify(body) });
        else await desk("mediators", { method: "POST", body: JSON.stringify({ ...body, code: $("m-code").value.trim() }) });
        $("mediator-error").textContent = "已保存。";
        edit(null);
        refreshMediators();
      } catch (err) { $("mediator-error").textContent = err.message; }
    });
    mediatorsWired = true;
    edit(null);
  }
  refreshMediators();
}
