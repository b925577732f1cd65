// Staff console: log in with a user name and password (the session is an HttpOnly cookie; the
// CSRF token lives in this page only), then the pages the account's role may use.
import { $, api, loadLookups, may, session } from "/static/staff-common.js";
import { startQueue, stopQueue } from "/static/staff-queue.js";
import { startCases } from "/static/staff-cases.js";
import { startStats } from "/static/staff-stats.js";
import { startAccounts, startMediators } from "/static/staff-admin.js";

const PAGES = { queue: startQueue, cases: startCases, stats: startStats, mediators: startMediators, accounts: startAccounts };

function show(tab) {
  for (const section of document.querySelectorAll(".tab")) section.hidden = section.id !== `tab-${tab}`;
  for (const button of document.querySelectorAll("#tabs button")) button.setAttribute("aria-current", String(button.dataset.tab === tab));
  PAGES[tab]();
}

function signedOut(message) {
  stopQueue();
  session.me = null;
  session.csrf = "";
  $("desk").hidden = $("tabs").hidden = $("logout").hidden = $("change-password").hidden = true;
  $("login").hidden = false;
  $("who").textContent = "";
  $("login-error").textContent = message || "";
}
session.onExpired = signedOut;

async function signedIn(me, csrf) {
  session.me = me;
  session.csrf = csrf;
  $("who").textContent = `${me.display_name}（${me.role_name || "系统令牌"}）`;
  $("login").hidden = true;
  $("desk").hidden = $("tabs").hidden = $("logout").hidden = false;
  $("change-password").hidden = me.kind !== "session";
  for (const node of document.querySelectorAll("[data-needs]")) node.hidden = !may(node.dataset.needs);
  await loadLookups();
  const first = [...document.querySelectorAll("#tabs button")].find((b) => !b.hidden);
  if (first) show(first.dataset.tab);
}

$("tabs").addEventListener("click", (e) => { if (e.target.dataset.tab) show(e.target.dataset.tab); });

$("login").addEventListener("submit", async (e) => {
  e.preventDefault();
  $("login-error").textContent = "";
  try {
    const result = await api("/staff/api/login", {
      method: "POST", body: JSON.stringify({ username: $("username").value.trim(), password: $("password").value }),
    });
    $("password").value = "";
    await signedIn(result.me, result.csrf);
  } catch (err) {
    $("login-error").textContent = err.message;
  }
});

$("change-password").addEventListener("click", async () => {
  const current = window.prompt("请输入当前密码：");
  if (!current) return;
  const password = window.prompt("请输入新密码（至少12个字符，不含用户名）：");
  if (!password) return;
  try {
    await api("/staff/api/desk/staff/password", { method: "POST", body: JSON.stringify({ current, password }) });
    window.alert("密码已修改，其他设备上的登录已失效。");
  } catch (err) { window.alert(err.message); }
});

$("logout").addEventListener("click", async () => {
  try { await api("/staff/api/logout", { method: "POST", body: "{}" }); } catch { /* already gone */ }
  signedOut("您已退出登录。");
});

// A reload keeps the session (the cookie) and fetches a fresh CSRF token with the account.
api("/staff/api/me").then((me) => signedIn(me, me.csrf)).catch(() => signedOut(""));
