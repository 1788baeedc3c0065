// The agents' console as a help desk: the search box and the views (with their counts) on every
// console page, people's names instead of ids, due times said relative to now, saved replies to
// insert into an answer (and to manage), a customer's side panel, and the leads' dashboard.

import { ApiError, call, get, Intent } from "../api.js";
import { focus, h, replace, uid } from "../dom.js";
import { date, dateTime, has, locale, money, number, t } from "../i18n.js";
import { navigate } from "../router.js";
import { breadcrumb, errorPanel, heading, timeOf } from "./common.js";

export const ACTIONS = [
  "cancel_order",
  "change_address",
  "payment_issue",
  "customs_duties",
  "return_request",
  "item_problem",
  "shipping_delay",
  "delivery_delay",
  "general_question",
];

export const dashboardPath = (days = 7) => `/agent/dashboard/${days}`;
export const repliesPath = () => "/agent/replies";
export const searchPath = (query) => `/agent/search/${encodeURIComponent(query)}`;
export const viewPath = (view, action = null) =>
  action ? `/agent/views/action/${encodeURIComponent(action)}` : `/agent/views/${view}`;
const agentCase = (caseId) => `#/agent/cases/${encodeURIComponent(caseId)}`;

// --- people, not ids ---------------------------------------------------------------------------

let profiles = new Map();
let profilesRead = 0;
const PROFILES_KEPT_MS = 60_000;

/** Every agent's profile, read once a minute at most (the console shows names, never ids). */
export async function loadProfiles(signal) {
  if (Date.now() - profilesRead < PROFILES_KEPT_MS) return;
  try {
    const body = await get("/agent/profiles", { signal });
    profiles = new Map(body.profiles.map((profile) => [profile.agent_id, profile]));
    profilesRead = Date.now();
  } catch (error) {
    if (signal?.aborted) throw error;
    // Without the profiles the console still works: it shows the ids it has.
  }
}

export function nameOf(agentId) {
  return profiles.get(agentId)?.display_name ?? agentId;
}

// --- due times, relative to now ----------------------------------------------------------------

function span(milliseconds) {
  const minutes = Math.max(1, Math.round(Math.abs(milliseconds) / 60_000));
  const [value, unit] =
    minutes < 60 ? [minutes, "minute"] : minutes < 48 * 60 ? [Math.round(minutes / 60), "hour"] : [Math.round(minutes / 1440), "day"];
  return new Intl.NumberFormat(locale(), { style: "unit", unit, unitDisplay: "short" }).format(value);
}

/** "vence en 2 h" / "vencido hace 20 min", with the absolute time on hover and for screen readers. */
export function dueLabel(iso, now = Date.now()) {
  const left = Date.parse(iso) - now;
  const text = left >= 0 ? t("console.due_in", { time: span(left) }) : t("console.late_by", { time: span(left) });
  return h("time", { datetime: iso, title: dateTime(iso), "data-late": left < 0 ? "true" : null }, text, h("span", { class: "visually-hidden" }, ` (${dateTime(iso)})`));
}

// --- the bar on every console page: search and views ---------------------------------------------

function searchForm(current = "") {
  const id = uid("search");
  const input = h("input", {
    id,
    type: "search",
    name: "q",
    value: current,
    maxlength: "254",
    autocomplete: "off",
    spellcheck: "false",
    "aria-describedby": `${id}-hint`,
  });
  return h(
    "form",
    {
      class: "console-search",
      role: "search",
      onsubmit: (event) => {
        event.preventDefault();
        const query = input.value.trim();
        if (query) navigate(searchPath(query));
        else focus(input);
      },
    },
    h("label", { for: id }, t("console.search_label")),
    h("p", { class: "hint", id: `${id}-hint` }, t("console.search_hint")),
    h("div", { class: "console-search-row" }, input, h("button", { type: "submit", class: "button" }, t("console.search"))),
  );
}

/** The search box and the views with their counts (filled in when the counts arrive). */
export function consoleBar(ctx, { query = "", current = null } = {}) {
  const count = (key) => h("span", { class: "view-count", "data-count-of": key }, "");
  const link = (href, key, text) =>
    h(
      "li",
      {},
      h("a", { href: `#${href}`, "aria-current": current === key ? "page" : null, "data-view": key }, text, " ", count(key)),
    );
  const nav = h(
    "nav",
    { class: "console-views", "aria-label": t("console.views_label") },
    h(
      "ul",
      {},
      link(viewPath("mine"), "mine", t("console.view.mine")),
      link(viewPath("unassigned"), "unassigned", t("console.view.unassigned")),
      link(viewPath("overdue"), "overdue", t("console.view.overdue")),
      h("li", {}, h("a", { href: `#${dashboardPath()}`, "aria-current": current === "dashboard" ? "page" : null }, t("console.dashboard"))),
      h("li", {}, h("a", { href: `#${repliesPath()}`, "aria-current": current === "replies" ? "page" : null }, t("console.replies"))),
    ),
    h(
      "details",
      { class: "console-actions", open: current?.startsWith("action:") ? true : null },
      h("summary", {}, t("console.by_action")),
      h("ul", {}, ACTIONS.map((action) => link(viewPath("action", action), `action:${action}`, t(`actions.${action}`)))),
    ),
  );
  const bar = h("div", { class: "console-bar" }, searchForm(query), nav);
  get("/agent/views", { signal: ctx.signal })
    .then((body) => {
      for (const view of body.views) {
        const key = view.view === "action" ? `action:${view.action}` : view.view;
        const slot = bar.querySelector(`[data-count-of="${key}"]`);
        if (slot) {
          slot.textContent = `(${number(view.count)})`;
          slot.setAttribute("aria-label", t("console.count", { count: view.count }));
        }
      }
    })
    .catch(() => {}); // the counts are a help, not the page: without them the links still work
  return bar;
}

// --- search ------------------------------------------------------------------------------------

/** An order found; `withCases`: found by its id, with its cases (an email's orders come without
 * them, one Query for them all: the order's own search shows its cases). */
function orderHit(order, withCases) {
  const title = t("console.hit_order", { order: order.order_id, name: order.customer_name ?? order.customer_id });
  return h(
    "li",
    { class: "search-hit", "data-order-id": order.order_id },
    h("h2", { class: "queue-title" }, withCases ? title : h("a", { href: `#${searchPath(order.order_id)}` }, title)),
    h(
      "dl",
      { class: "facts" },
      h("div", {}, h("dt", {}, t("console.status")), h("dd", {}, order.status_label)),
      h("div", {}, h("dt", {}, t("console.placed")), h("dd", {}, timeOf(order.placed_at))),
      h("div", {}, h("dt", {}, t("console.total")), h("dd", {}, money(order.total))),
      order.contact ? h("div", {}, h("dt", {}, t("console.customer_email")), h("dd", {}, order.contact.email)) : null,
    ),
    !withCases
      ? null
      : order.cases.length
      ? h(
          "ul",
          { class: "search-cases" },
          order.cases.map((entry) =>
            h("li", {}, h("a", { href: agentCase(entry.case_id) }, `${t(`actions.${entry.action}`)} · ${entry.status_label}`)),
          ),
        )
      : h("p", { class: "hint" }, t("console.no_cases")),
  );
}

function caseHit(hit) {
  const entry = hit.case;
  const text = entry
    ? t("console.hit_case", { topic: t(`actions.${entry.action}`), order: entry.order_id })
    : t("console.hit_case_number", { id: hit.case_id });
  return h("li", { class: "search-hit", "data-case-id": hit.case_id }, h("h2", { class: "queue-title" }, h("a", { href: agentCase(hit.case_id) }, text)));
}

export async function searchView(ctx) {
  const query = ctx.params.q ?? "";
  ctx.title(t("console.search_title", { query }));
  const result = await get(`/agent/search?${new URLSearchParams({ q: query })}`, { signal: ctx.signal });
  await loadProfiles(ctx.signal);
  const hits = result.hits.map((hit) => (hit.order ? orderHit(hit.order, hit.matched === "order_id") : caseHit(hit)));
  replace(
    ctx.main,
    heading(t("console.search_title", { query })),
    consoleBar(ctx, { query }),
    hits.length
      ? [h("p", { class: "lead", role: "status" }, t("console.found", { count: hits.length })), h("ol", { class: "queue search-results" }, hits)]
      : h("p", { class: "panel panel-info", role: "status" }, t("console.nothing_found", { query })),
  );
}

// --- saved replies, inserted into an answer ----------------------------------------------------

/** A picker of the saved replies for this case (filled in, suggested first) that puts one into
 * `textarea`; it loads the replies when first opened. */
export function replyPicker(caseId, textarea, signal) {
  const id = uid("saved-reply");
  const select = h("select", { id, disabled: true }, h("option", { value: "" }, t("console.replies_loading")));
  const note = h("p", { class: "hint reply-missing", role: "status" });
  const insert = h("button", { type: "button", class: "button", disabled: true }, t("console.insert"));
  let replies = [];
  get(`/agent/cases/${encodeURIComponent(caseId)}/replies`, { signal })
    .then((body) => {
      replies = body.replies;
      const option = (reply) => h("option", { value: reply.reply_id }, `${reply.title} (${reply.locale})`);
      const suggested = replies.filter((reply) => reply.suggested);
      const others = replies.filter((reply) => !reply.suggested);
      replace(
        select,
        h("option", { value: "" }, replies.length ? t("console.choose_reply") : t("console.no_replies")),
        suggested.length ? h("optgroup", { label: t("console.suggested") }, suggested.map(option)) : null,
        others.length ? h("optgroup", { label: t("console.other_replies") }, others.map(option)) : null,
      );
      select.disabled = !replies.length;
      insert.disabled = !replies.length;
    })
    .catch(() => replace(select, h("option", { value: "" }, t("console.replies_failed"))));
  insert.addEventListener("click", () => {
    const chosen = replies.find((reply) => reply.reply_id === select.value);
    if (!chosen) {
      note.textContent = t("console.choose_first");
      focus(select);
      return;
    }
    textarea.value = textarea.value.trim() ? `${textarea.value.trimEnd()}\n\n${chosen.filled}` : chosen.filled;
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
    note.textContent = chosen.missing.length
      ? t("console.fill_in", { names: chosen.missing.map((name) => `{${name}}`).join(", ") })
      : t("console.inserted", { title: chosen.title });
    focus(textarea);
  });
  return h(
    "div",
    { class: "reply-picker" },
    h("label", { for: id }, t("console.saved_reply")),
    h("div", { class: "console-search-row" }, select, insert),
    note,
  );
}

// --- saved replies, managed --------------------------------------------------------------------

function replyForm(ctx, reply, done) {
  const ids = { title: uid("title"), locale: uid("locale"), body: uid("body"), actions: uid("actions") };
  const title = h("input", { id: ids.title, name: "title", maxlength: "120", value: reply?.title ?? "", required: true });
  const language = h(
    "select",
    { id: ids.locale, name: "locale" },
    ["es", "en"].map((code) => h("option", { value: code, selected: (reply?.locale ?? locale()) === code ? true : null }, t(`console.language.${code}`))),
  );
  const body = h("textarea", { id: ids.body, name: "body", rows: "5", maxlength: "5000" });
  body.value = reply?.body ?? "";
  const boxes = ACTIONS.map((action) => {
    const box = h("input", { type: "checkbox", name: "actions", value: action, id: uid("action"), checked: reply?.actions.includes(action) ? true : null });
    return h("label", { class: "check" }, box, " ", t(`actions.${action}`));
  });
  const alert = h("div", { class: "form-alert" });
  const intent = new Intent();
  const form = h(
    "form",
    { class: "card reply-form", novalidate: true },
    h("div", { class: "field" }, h("label", { for: ids.title }, t("console.reply_title")), title),
    h("div", { class: "field" }, h("label", { for: ids.locale }, t("console.reply_language")), language),
    h(
      "div",
      { class: "field" },
      h("label", { for: ids.body }, t("console.reply_body")),
      h("p", { class: "hint", id: `${ids.body}-hint` }, t("console.placeholders_hint")),
      body,
    ),
    h("fieldset", { class: "field" }, h("legend", {}, t("console.reply_actions")), boxes),
    alert,
    h("div", { class: "form-actions" }, h("button", { type: "submit", class: "button button-primary" }, reply ? t("console.save_changes") : t("console.save_reply"))),
  );
  body.setAttribute("aria-describedby", `${ids.body}-hint`);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const payload = {
      title: title.value,
      locale: language.value,
      body: body.value,
      actions: boxes.map((label) => label.querySelector("input")).filter((box) => box.checked).map((box) => box.value),
    };
    replace(alert);
    try {
      const path = reply ? `/agent/replies/${encodeURIComponent(reply.reply_id)}?version=${reply.version}` : "/agent/replies";
      await call(path, { method: reply ? "PUT" : "POST", body: payload, idempotencyKey: intent.keyFor(payload), signal: ctx.signal });
      intent.settle();
      done(reply ? t("console.reply_changed") : t("console.reply_saved"));
    } catch (error) {
      if (ctx.signal.aborted) return;
      if (!(error instanceof ApiError) || !error.retryable) intent.settle();
      const problems = error.body?.error?.errors ?? [];
      const panel = errorPanel(error, null);
      if (problems.length) panel.append(h("ul", {}, problems.map((problem) => h("li", {}, problem.msg))));
      replace(alert, panel);
      focus(panel);
    }
  });
  return form;
}

export async function repliesView(ctx) {
  ctx.title(t("console.replies_title"));
  const body = await get("/agent/replies", { signal: ctx.signal });
  const notice = ctx.state?.notice ? h("div", { class: "panel panel-success", role: "status", tabindex: "-1" }, h("p", {}, ctx.state.notice)) : null;
  const again = (text) => navigate(repliesPath(), { notice: text });
  const item = (reply) => {
    const holder = h("li", { class: "card saved-reply", "data-reply-id": reply.reply_id });
    const show = () =>
      replace(
        holder,
        h("h2", {}, reply.title),
        h("p", { class: "hint" }, `${t(`console.language.${reply.locale}`)}${reply.actions.length ? ` · ${reply.actions.map((a) => t(`actions.${a}`)).join(", ")}` : ""}`),
        h("p", { class: "saved-reply-body" }, reply.body),
        h(
          "div",
          { class: "form-actions" },
          h("button", { type: "button", class: "button", onclick: () => replace(holder, replyForm(ctx, reply, again)) }, t("console.edit")),
          h(
            "button",
            {
              type: "button",
              class: "button",
              onclick: async () => {
                if (!window.confirm(t("console.delete_confirm", { title: reply.title }))) return;
                try {
                  await call(`/agent/replies/${encodeURIComponent(reply.reply_id)}?version=${reply.version}`, { method: "DELETE", idempotencyKey: `delete-${reply.reply_id}-${reply.version}`, signal: ctx.signal });
                  again(t("console.reply_deleted"));
                } catch (error) {
                  const panel = errorPanel(error, null);
                  holder.append(panel);
                  focus(panel);
                }
              },
            },
            t("console.delete"),
          ),
        ),
      );
    show();
    return holder;
  };
  replace(
    ctx.main,
    heading(t("console.replies_title")),
    consoleBar(ctx, { current: "replies" }),
    notice,
    h("section", { "aria-labelledby": "new-reply" }, h("h2", { id: "new-reply" }, t("console.new_reply")), replyForm(ctx, null, again)),
    h(
      "section",
      { "aria-labelledby": "all-replies" },
      h("h2", { id: "all-replies" }, t("console.all_replies")),
      body.replies.length ? h("ul", { class: "saved-replies" }, body.replies.map(item)) : h("p", { class: "panel panel-info" }, t("console.no_replies")),
    ),
  );
  if (notice) focus(notice);
}

// --- a customer's side panel -------------------------------------------------------------------

export function customerPanel(caseData, order, signal) {
  const contact = order.contact ?? null;
  const facts = h(
    "dl",
    { class: "facts" },
    h("div", {}, h("dt", {}, t("console.customer_name")), h("dd", {}, order.shipping_address?.name ?? caseData.customer_id)),
    h("div", {}, h("dt", {}, t("console.customer_email")), h("dd", {}, contact?.email ?? t("console.not_given"))),
    h("div", {}, h("dt", {}, t("console.customer_language")), h("dd", {}, contact?.locale ? t(`console.language.${contact.locale}`) : t("console.not_given"))),
  );
  const others = h("div", { class: "customer-others" }, h("p", { class: "hint" }, t("console.loading_customer")));
  get(`/agent/customers/${encodeURIComponent(caseData.customer_id)}`, { signal })
    .then((panel) => {
      const orders = panel.orders.filter((entry) => entry.order_id !== order.order_id);
      const cases = panel.cases.filter((entry) => entry.case_id !== caseData.case_id);
      replace(
        others,
        h("h3", {}, t("console.other_orders")),
        orders.length
          ? h("ul", {}, orders.map((entry) => h("li", {}, h("a", { href: `#${searchPath(entry.order_id)}` }, entry.order_id), ` · ${t(`states.${entry.status}`)} · ${date(entry.placed_at)}`)))
          : h("p", { class: "hint" }, t("console.none")),
        h("h3", {}, t("console.other_cases")),
        cases.length
          ? h("ul", {}, cases.map((entry) => h("li", {}, h("a", { href: agentCase(entry.case_id) }, `${t(`actions.${entry.action}`)} · ${entry.order_id}`), ` · ${entry.status_label}`)))
          : h("p", { class: "hint" }, t("console.none")),
      );
    })
    .catch(() => replace(others, h("p", { class: "hint" }, t("console.customer_failed"))));
  return h("section", { class: "card customer-panel", "aria-labelledby": "customer-title" }, h("h2", { id: "customer-title" }, t("console.customer_title")), facts, others);
}

// --- the dashboard -----------------------------------------------------------------------------

let chartLibrary = null;
/** Chart.js, installed from npm and served beside the page (`vendor/`); null if it cannot load. */
function loadCharts() {
  chartLibrary ??= new Promise((resolve) => {
    if (window.Chart) return resolve(window.Chart);
    const script = h("script", { src: "vendor/chart.umd.min.js" });
    script.addEventListener("load", () => resolve(window.Chart ?? null));
    script.addEventListener("error", () => resolve(null));
    document.head.append(script);
  });
  return chartLibrary;
}

const PALETTE = ["#1d4ed8", "#b45309", "#047857", "#9d174d", "#4338ca", "#0e7490", "#7c2d12", "#374151"];

/** The options of a chart of stacked bars; its legend is the page's own (`legendOf`). */
function stackedBars() {
  return {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    plugins: { legend: { display: false } },
    scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
  };
}

/** A chart's legend as a list the page lays out, so a long topic wraps on a phone (Chart.js's
 * own legend, drawn in the canvas, cut it off at both ends): each name a button that shows or
 * hides its bars, pressed while they are shown. */
function legendOf(chart) {
  return h(
    "ul",
    { class: "plain chart-legend" },
    chart.data.datasets.map((dataset, index) => {
      const swatch = h("span", { class: "chart-swatch", "aria-hidden": "true" });
      swatch.style.backgroundColor = dataset.backgroundColor; // (CSSOM: the CSP allows no inline style)
      const button = h("button", { type: "button", class: "chart-legend-item", "aria-pressed": "true" }, swatch, dataset.label);
      button.addEventListener("click", () => {
        const shown = !chart.isDatasetVisible(index);
        chart.setDatasetVisibility(index, shown);
        chart.update();
        button.setAttribute("aria-pressed", String(shown));
      });
      return h("li", {}, button);
    }),
  );
}

/** A chart with its data as a table one press away (the table is what screen readers read). */
function chartCard(id, title, summary, table, draw) {
  const canvas = h("canvas", { role: "img", "aria-label": summary, height: "240" });
  const tableId = `${id}-table`;
  // A wide table scrolls inside its card: keyboard users reach it too.
  const holder = h(
    "div",
    { class: "chart-table", id: tableId, hidden: true, tabindex: "0", role: "region", "aria-label": title },
    table,
  );
  const toggle = h("button", { type: "button", class: "button", "aria-expanded": "false", "aria-controls": tableId }, t("console.show_table"));
  toggle.addEventListener("click", () => {
    const open = holder.hidden;
    holder.hidden = !open;
    toggle.setAttribute("aria-expanded", String(open));
    toggle.textContent = open ? t("console.hide_table") : t("console.show_table");
  });
  const card = h(
    "section",
    { class: "card chart-card", "aria-labelledby": id, "data-chart": id },
    h("h2", { id }, title),
    h("p", { class: "hint" }, summary),
    h("div", { class: "chart-box" }, canvas),
    toggle,
    holder,
  );
  const box = card.querySelector(".chart-box");
  return {
    card,
    draw: (Chart) => {
      const chart = draw(Chart, canvas);
      if (chart.options.plugins.legend.display === false && chart.data.datasets.length > 1) box.before(legendOf(chart));
    },
  };
}

function dataTable(caption, columns, rows) {
  return h(
    "table",
    { class: "figures" },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, columns.map((column, index) => h("th", { scope: "col", class: index ? "number" : null }, column)))),
    h("tbody", {}, rows.map((row) => h("tr", {}, row.map((cell, index) => (index ? h("td", { class: "number" }, cell) : h("th", { scope: "row" }, cell)))))),
  );
}

function ratingName(name) {
  return has(`console.rating_name.${name}`) ? t(`console.rating_name.${name}`) : name;
}

function minutesText(minutes) {
  if (minutes === null || minutes === undefined) return t("console.no_answers");
  return span(minutes * 60_000);
}

/** The refunds issued in the period: how many, and what they paid back in each currency. */
function refundsText(stats) {
  const count = Object.values(stats.refunds_issued).reduce((sum, value) => sum + value, 0);
  if (!count) return number(0);
  return t("console.refunds_summary", { count: number(count), amounts: stats.refunded.map(money).join(", ") });
}

export async function dashboardView(ctx) {
  const days = ctx.params.days === "30" ? 30 : 7;
  ctx.title(t("console.dashboard_title", { days }));
  const [stats, Chart] = await Promise.all([get(`/agent/stats?days=${days}`, { signal: ctx.signal }), loadCharts()]);
  const first = stats.first_response;
  const share = first.share_within_target === null ? t("console.no_answers") : new Intl.NumberFormat(locale(), { style: "percent" }).format(first.share_within_target);
  const dayLabel = (iso) => new Intl.DateTimeFormat(locale(), { day: "numeric", month: "short", timeZone: "UTC" }).format(new Date(`${iso}T00:00:00Z`));
  const actionsSeen = ACTIONS.filter((action) => stats.per_day.some((day) => day.opened[action]));

  const backlogRows = ["open", "pending", "solved"].map((status) => [
    t(`case_states.${status}`),
    ...ACTIONS.map((action) => number(stats.backlog.find((b) => b.status === status && b.action === action)?.count ?? 0)),
  ]);
  const backlogTotal = stats.backlog.reduce((sum, b) => sum + b.count, 0);
  const backlogActions = ACTIONS.filter((action) => stats.backlog.some((b) => b.action === action));
  const backlog = chartCard(
    "chart-backlog",
    t("console.chart_backlog"),
    t("console.backlog_summary", { count: backlogTotal }),
    dataTable(t("console.chart_backlog"), [t("console.status"), ...ACTIONS.map((a) => t(`actions.${a}`))], backlogRows),
    (Chart, canvas) =>
      new Chart(canvas, {
        type: "bar",
        data: {
          labels: ["open", "pending", "solved"].map((s) => t(`case_states.${s}`)),
          datasets: backlogActions.map((action) => ({
            label: t(`actions.${action}`),
            backgroundColor: PALETTE[ACTIONS.indexOf(action)],
            data: ["open", "pending", "solved"].map((s) => stats.backlog.find((b) => b.status === s && b.action === action)?.count ?? 0),
          })),
        },
        options: stackedBars(),
      }),
  );
  const answers = chartCard(
    "chart-first-response",
    t("console.chart_first_response"),
    t("console.first_response_summary", { p50: minutesText(first.p50_minutes), p90: minutesText(first.p90_minutes), share, answered: first.answered }),
    dataTable(
      t("console.chart_first_response"),
      [t("console.day"), t("console.answered"), t("console.in_time")],
      stats.per_day.map((day) => [dayLabel(day.day), number(day.first_answers), number(day.first_answers_in_time)]),
    ),
    (Chart, canvas) =>
      new Chart(canvas, {
        type: "bar",
        data: {
          labels: stats.per_day.map((day) => dayLabel(day.day)),
          datasets: [
            { label: t("console.in_time"), backgroundColor: PALETTE[2], data: stats.per_day.map((day) => day.first_answers_in_time) },
            { label: t("console.late"), backgroundColor: PALETTE[1], data: stats.per_day.map((day) => day.first_answers - day.first_answers_in_time) },
          ],
        },
        options: stackedBars(),
      }),
  );
  const openedTotal = Object.values(stats.opened).reduce((sum, value) => sum + value, 0);
  const opened = chartCard(
    "chart-opened",
    t("console.chart_opened"),
    t("console.opened_summary", { count: openedTotal, days }),
    dataTable(
      t("console.chart_opened"),
      [t("console.day"), ...actionsSeen.map((a) => t(`actions.${a}`))],
      stats.per_day.map((day) => [dayLabel(day.day), ...actionsSeen.map((a) => number(day.opened[a] ?? 0))]),
    ),
    (Chart, canvas) =>
      new Chart(canvas, {
        type: "bar",
        data: {
          labels: stats.per_day.map((day) => dayLabel(day.day)),
          datasets: actionsSeen.map((action) => ({
            label: t(`actions.${action}`),
            backgroundColor: PALETTE[ACTIONS.indexOf(action)],
            data: stats.per_day.map((day) => day.opened[action] ?? 0),
          })),
        },
        options: stackedBars(),
      }),
  );
  const ratingNames = Object.keys(stats.ratings);
  const ratings = chartCard(
    "chart-ratings",
    t("console.chart_ratings"),
    ratingNames.length ? t("console.ratings_summary", { count: Object.values(stats.ratings).reduce((a, b) => a + b, 0) }) : t("console.no_ratings"),
    dataTable(t("console.chart_ratings"), [t("console.rating"), t("console.count_column")], ratingNames.map((name) => [ratingName(name), number(stats.ratings[name])])),
    (Chart, canvas) =>
      new Chart(canvas, {
        type: "bar",
        data: {
          labels: ratingNames.map(ratingName),
          datasets: [{ label: t("console.chart_ratings"), backgroundColor: PALETTE[4], data: ratingNames.map((name) => stats.ratings[name]) }],
        },
        options: { animation: false, responsive: true, maintainAspectRatio: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
      }),
  );
  const period = h(
    "nav",
    { class: "tabs", "aria-label": t("console.period_label") },
    h("ul", {}, [7, 30].map((value) => h("li", {}, h("a", { href: `#${dashboardPath(value)}`, "aria-current": value === days ? "page" : null }, t("console.last_days", { days: value }))))),
  );
  const cards = [backlog, answers, opened, ratings];
  replace(
    ctx.main,
    breadcrumb(["#/agent", t("agent.queue_title")]),
    heading(t("console.dashboard_title", { days })),
    consoleBar(ctx, { current: "dashboard" }),
    period,
    h(
      "dl",
      { class: "facts dashboard-figures" },
      h("div", {}, h("dt", {}, t("console.p50")), h("dd", { "data-figure": "p50" }, minutesText(first.p50_minutes))),
      h("div", {}, h("dt", {}, t("console.p90")), h("dd", { "data-figure": "p90" }, minutesText(first.p90_minutes))),
      h("div", {}, h("dt", {}, t("console.share_in_time")), h("dd", { "data-figure": "share" }, share)),
      h("div", {}, h("dt", {}, t("console.backlog")), h("dd", { "data-figure": "backlog" }, number(backlogTotal))),
      h("div", {}, h("dt", {}, t("console.refunds_issued")), h("dd", { "data-figure": "refunds" }, refundsText(stats))),
    ),
    Chart ? null : h("p", { class: "panel panel-info" }, t("console.charts_unavailable")),
    h("div", { class: "charts" }, cards.map((card) => card.card)),
  );
  if (Chart) {
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    for (const card of cards) card.draw(Chart);
  } else {
    for (const card of cards) {
      card.card.querySelector(".chart-box").remove();
      const holder = card.card.querySelector(".chart-table");
      holder.hidden = false;
      card.card.querySelector("button[aria-controls]").remove();
    }
  }
}
