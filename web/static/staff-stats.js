// Statistics for the centre's leaders, drawn with Chart.js (served with the page, no CDN), and
// the CSV / JSON exports of the same date range.
import { $, desk, el } from "/static/staff-common.js";

const charts = {};
const COLORS = ["#1f4e79", "#c0504d", "#9bbb59", "#8064a2", "#4bacc6", "#f79646", "#2c7873", "#7f6000", "#a5a5a5", "#d16ba5"];
let wired = false;

function draw(id, type, labels, datasets) {
  if (charts[id]) charts[id].destroy();
  charts[id] = new window.Chart($(id), {
    type, data: { labels, datasets },
    options: { animation: false, responsive: true, plugins: { legend: { display: type !== "bar" || datasets.length > 1 } } },
  });
}

function pairs(id, type, rows) {
  draw(id, type, rows.map((r) => r.name), [{ label: "数量", data: rows.map((r) => r.count), backgroundColor: COLORS }]);
}

function exports(range) {
  const links = { "export-stats": "stats.csv", "export-cases": "cases.csv", "export-transcripts": "transcripts.json", "export-transcripts-csv": "transcripts.csv" };
  for (const [id, file] of Object.entries(links)) $(id).href = `/staff/api/desk/desk/${file}?${range}`;
}

const pct = (share) => (share === null || share === undefined ? "—" : `${(share * 100).toFixed(1)}%`);
const hours = (value) => (value === null || value === undefined ? "—" : `${value}小时`);

export async function refreshStats() {
  const range = new URLSearchParams({ from: $("s-from").value, to: $("s-to").value });
  $("stats-error").textContent = "";
  exports(range);
  let data;
  try { data = await desk(`desk/stats?${range}`); } catch (err) { $("stats-error").textContent = err.message; return; }
  // The range is the centre's calendar, not the browser's: an empty field takes the server's
  // default (its last 30 local days), which is then shown, and the exports use the same dates.
  $("s-from").value = data.from;
  $("s-to").value = data.to;
  exports(new URLSearchParams({ from: data.from, to: data.to }));
  const summary = [
    ["案件总数", data.cases], ["转人工", data.handoffs], ["智能助手独立完成", pct(data.without_person.share)],
    ["首次联系用时中位数", hours(data.first_contact.median_hours)], ["按时联系", `${data.first_contact.within_deadline}/${data.first_contact.count}（时限${data.first_contact.deadline_hours}小时）`],
    ["办结用时中位数", hours(data.closure.median_hours)], ["按时办结", `${data.closure.within_deadline}/${data.closure.count}`],
    ["逾期", data.overdue.reduce((n, r) => n + r.count, 0)],
  ];
  $("stats-summary").replaceChildren(...summary.map(([k, v]) => el("div", { class: "stat" }, el("span", {}, k), el("strong", {}, v))));
  const channels = ["网页", "电话", "自助机", "窗口"];
  draw("chart-days", "bar", data.intakes_per_day.map((d) => d.day.slice(5)),
    channels.map((c, i) => ({ label: c, data: data.intakes_per_day.map((d) => d[c]), backgroundColor: COLORS[i], stack: "day" })));
  pairs("chart-category", "bar", data.by_category);
  pairs("chart-institution", "bar", data.by_institution);
  pairs("chart-outcome", "doughnut", data.by_outcome);
  pairs("chart-reasons", "bar", data.handoff_reasons);
  pairs("chart-gender", "doughnut", data.by_gender);
  pairs("chart-age", "bar", data.by_age_band);
  pairs("chart-overdue", "bar", data.overdue);
}

export function startStats() {
  if (!wired) {
    $("stats-range").addEventListener("submit", (e) => { e.preventDefault(); refreshStats(); });
    wired = true;
  }
  refreshStats();
}
