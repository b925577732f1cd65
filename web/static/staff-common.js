// Shared by the console's pages: the API client (session cookie + CSRF token), local times,
// lookups (categories, institutions) and small DOM helpers. Every text shown is Chinese.
export const $ = (id) => document.getElementById(id);
export const TZ = "Asia/Shanghai"; // the centre's local time, whatever the browser's zone
export const CHANNELS = { web: "网页", phone: "电话", robot: "自助机", "walk-in": "窗口" };
export const ACTIONS = {
  register: "登记", route: "分派", reroute: "改派", start_mediation: "开始调解", close: "办结", contact: "首次联系",
  note: "备注", record_follow_up: "回访", handoff_requested: "请求转人工", handoff_merged: "合并转人工请求",
  handoff_claimed: "接管会话", handoff_closed: "结束人工服务", handoff_passed: "转交同事", handoff_tagged: "标记会话",
  case_from_handoff: "由会话登记", handoff_attached: "关联会话", appointment_booked: "预约", appointment_cancelled: "取消预约",
  appointment_rescheduled: "改约", escalate: "逾期升级", login: "登录", logout: "退出登录", refused: "拒绝访问",
  password_change: "修改密码", account_created: "创建账号", account_disabled: "停用账号", account_enabled: "启用账号", password_reset: "重设密码",
  csrf_missing: "缺少CSRF令牌", csrf_wrong: "CSRF令牌错误", csrf_cross_site: "跨站请求", upload_refused: "拒收文件",
  evidence_viewed: "查看材料", export_cases: "导出案件", export_transcripts: "导出对话记录",
  mediator_created: "新增调解员", mediator_updated: "修改调解员",
};
export const SLOTS = {
  category: "类别（助手识别）", description: "事由", respondent: "被申请人", location: "地点", amount_yuan: "金额（元）",
  applicant_name: "申请人姓名", applicant_phone: "申请人手机", applicant_id_number: "身份证号", case_no: "案件编号",
  not_captured: "未能采集",
};
export const slotName = (key) => SLOTS[key] || key;
export const actionName = (code) => ACTIONS[code] || code;
export const session = { me: null, csrf: "", onExpired: () => {} };

export async function api(path, options = {}) {
  const method = (options.method || "GET").toUpperCase();
  const headers = { "Content-Type": "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = session.csrf;
  const response = await fetch(path, { ...options, method, headers, credentials: "same-origin" });
  let data = {};
  try { data = await response.json(); } catch { /* not JSON */ }
  if (response.status === 401 && session.me) session.onExpired(data.message || "登录已过期，请重新登录。");
  if (!response.ok) {
    const error = data.error || data;
    throw Object.assign(new Error(error.message || "请求失败，请稍后再试。"), { status: response.status, code: error.code });
  }
  return data;
}

export const desk = (path, options) => api(`/staff/api/desk/${path}`, options);

export function when(value) {
  // ISO strings from the case service, or Unix seconds from a transcript.
  if (value === null || value === undefined || value === "" || value === 0) return "";
  const date = typeof value === "number" ? new Date(value * 1000) : new Date(value);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleString("zh-CN", { timeZone: TZ, hour12: false, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
}

export function waited(seconds) {
  if (seconds < 60) return `${seconds}秒`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}分钟`;
  return `${Math.floor(seconds / 3600)}小时${Math.floor((seconds % 3600) / 60)}分`;
}

export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

export function facts(dl, rows) {
  dl.replaceChildren();
  for (const [key, value] of rows) {
    if (value === null || value === undefined || value === "") continue;
    dl.append(el("dt", {}, key), el("dd", {}, value));
  }
}

export const lookups = { categories: [], institutions: [] };

export async function loadLookups() {
  const [categories, institutions] = await Promise.all([desk("specialties"), desk("institutions")]);
  lookups.categories = categories.items;
  lookups.institutions = institutions.items;
  for (const select of document.querySelectorAll("select.categories")) fill(select, lookups.categories);
  for (const select of document.querySelectorAll("select.institutions")) fill(select, lookups.institutions);
}

export function fill(select, items) {
  const keep = [...select.querySelectorAll("option[value='']")];
  select.replaceChildren(...keep, ...items.map((i) => el("option", { value: i.code }, i.name)));
}

export function may(permission) {
  return Boolean(session.me && session.me.permissions.includes(permission));
}

export function speaker(turn) {
  return { citizen: "群众", bot: "智能助手", staff: "工作人员" }[turn.speaker] || turn.speaker;
}

export function turnItem(turn) {
  // One transcript line; a call line the recogniser was unsure of is marked for staff.
  const li = el("li", { class: `${turn.speaker}${turn.low_confidence ? " low-confidence" : ""}` },
    el("span", { class: "who" }, turn.speaker === "staff" && turn.staff ? `工作人员（${turn.staff}）` : speaker(turn)),
    turn.at ? el("time", { class: "at" }, when(turn.at)) : null,
    turn.text);
  if (turn.low_confidence) {
    li.title = "语音识别置信度低，内容可能有误，请向群众核实";
    li.prepend(el("span", { class: "flag" }, "⚠识别存疑"));
  }
  return li;
}

export function evidenceItem(item) {
  const url = `/staff/api/desk/evidence/${encodeURIComponent(item.ref)}/file`;
  const size = item.size > 1024 * 1024 ? `${(item.size / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(item.size / 1024)} KB`;
  const li = el("li", { class: "evidence-item" },
    el("a", { href: url, target: "_blank", rel: "noopener" }, item.filename), ` （${size}，${when(item.uploaded_at)}）`);
  if (item.media_type.startsWith("image/")) li.prepend(el("img", { src: url, alt: item.filename, class: "thumb" }));
  return li;
}
