// The help section of Order Details. What is offered, and why not the rest, is the API's `help`
// list (the order's state machine decides it); this module only decides how to show it for the
// moment the order is in: the action most likely needed now first and prominent, the others as
// secondary buttons, the ones not available folded into one short list in the page's own words
// (each reason said once, dates formatted here in the viewer's time zone), and cancelling at the
// bottom of Order Details, where the seed puts it.

import { h, uid } from "../dom.js";
import { date, t } from "../i18n.js";
import { phrase, timeOf } from "./common.js";

export function helpPath(orderId, action) {
  return `/orders/${encodeURIComponent(orderId)}/help/${action}`;
}

/** How likely each offered action is what the customer came for now (lower is likelier), from
 * what the order shows. Only the order of the buttons depends on it, never whether they exist. */
function likelihood(action, order) {
  switch (action) {
    case "shipping_delay":
    case "delivery_delay":
      return 0; // offered only once the order is late: that is why they came
    case "return_request":
      return order.delivered_at ? 1 : 6;
    case "item_problem":
      return order.delivered_at ? 2 : 5;
    case "payment_issue":
      return order.paid_at ? 7 : 1; // before the payment arrives, it is the payment
    case "change_address":
      return 3;
    case "customs_duties":
      return 4;
    default:
      return 8; // cancelling: never the suggestion
  }
}

/**
 * The API's help list in the order to show it: `offered` likeliest first (cancelling apart when
 * `cancelApart`, else last), and the others grouped by why they are not available.
 */
export function rankHelp(order, { cancelApart = true } = {}) {
  const offered = order.help.filter((entry) => entry.available);
  const cancel = cancelApart ? (offered.find((entry) => entry.action === "cancel_order") ?? null) : null;
  const ranked = offered
    .filter((entry) => entry !== cancel)
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => likelihood(a.entry.action, order) - likelihood(b.entry.action, order) || a.index - b.index)
    .map(({ entry }) => entry);
  return { offered: ranked, cancel, later: laterGroups(order.help.filter((entry) => !entry.available)) };
}

/** Reasons an action has not started yet (they open later) or has stopped being offered. */
const OPENS = new Set(["not_yet_paid", "not_yet_shipped", "not_late_yet"]);
const ENDED = new Set(["already_shipped", "order_delivered", "order_cancelled", "window_closed"]);

function dateOf(entry) {
  return entry.available_from ?? entry.available_until ?? null;
}

/** The unavailable actions grouped by reason (a delay's by its action too: its words differ),
 * those that open later first. */
function laterGroups(unavailable) {
  const groups = new Map();
  for (const entry of unavailable) {
    const key = entry.reason === "not_late_yet" ? `${entry.reason}.${entry.action}` : (entry.reason ?? entry.action);
    if (!groups.has(key)) groups.set(key, { reason: entry.reason, action: entry.action, entries: [] });
    groups.get(key).entries.push(entry);
  }
  const rank = (group) => (OPENS.has(group.reason) ? 0 : ENDED.has(group.reason) ? 1 : 2);
  return [...groups.values()].sort((a, b) => rank(a) - rank(b));
}

/** The group's words in the page's language: with its date when all its actions share the day. */
function groupLead(group) {
  const days = new Set(group.entries.map((entry) => (dateOf(entry) ? date(dateOf(entry)) : null)));
  const shared = days.size === 1 && !days.has(null) ? dateOf(group.entries[0]) : null;
  const base =
    group.reason === "not_late_yet" ? `help.later.not_late_yet_${group.action}` : `help.later.${group.reason}`;
  if (!OPENS.has(group.reason) && !ENDED.has(group.reason)) {
    // A reason the page has no words for: the API's own (in the language asked for).
    return { lead: group.entries[0].message, datedEach: true };
  }
  if (shared) return { lead: phrase(base, { date: timeOf(shared) }), datedEach: false };
  return { lead: t(`help.later.${group.reason === "not_late_yet" ? "not_late_yet" : group.reason}_plain`), datedEach: true };
}

/** When an unavailable action opens, or when it stopped being offered: a chip with the date. */
export function availabilityDate(entry) {
  if (entry.available_from) {
    return h("p", { class: "when" }, phrase("help.opens_on", { date: timeOf(entry.available_from) }));
  }
  if (entry.available_until) {
    return h("p", { class: "when" }, phrase("help.closed_on", { date: timeOf(entry.available_until) }));
  }
  return null;
}

/** Why an action is not available, in one sentence of the page's, with its date formatted here:
 * for a refusal (the API's `action_unavailable` answer carries the same reason and dates). */
export function unavailableText(entry) {
  const group = { reason: entry.reason, action: entry.action, entries: [entry] };
  const { lead } = groupLead(group);
  const sentence = Array.isArray(lead) ? lead : [lead];
  // The list's leads end with a colon before the actions; alone, the sentence ends.
  const last = sentence.at(-1);
  if (typeof last === "string") sentence[sentence.length - 1] = last.replace(/:\s*$/, ".");
  return sentence;
}

function laterList(later, sub) {
  const titleId = uid("later");
  return [
    h(sub, { id: titleId }, t("help.unavailable_title")),
    h(
      "ul",
      { class: "unavailable", "aria-labelledby": titleId },
      later.map((group) => {
        const { lead, datedEach } = groupLead(group);
        return h(
          "li",
          { class: "later-group", "data-reason": group.reason },
          h("p", { class: "reason" }, lead),
          h(
            "ul",
            { class: "later-actions" },
            group.entries.map((entry) =>
              h(
                "li",
                { "data-action": entry.action, "data-reason": entry.reason },
                h("span", { class: "action-label" }, entry.label),
                datedEach ? availabilityDate(entry) : null,
              ),
            ),
          ),
        );
      }),
    ),
  ];
}

function offeredItem(order, entry, { forAgent, primary }) {
  return h(
    "li",
    { class: primary ? "primary" : null, "data-action": entry.action },
    forAgent
      ? h("span", { class: "offered-action" }, entry.label)
      : h(
          "a",
          {
            class: `button ${primary ? "button-primary button-large" : entry.action === "cancel_order" ? "button-danger-quiet" : "button-secondary"}`,
            href: `#${helpPath(order.order_id, entry.action)}`,
          },
          entry.label,
        ),
    entry.available_until
      ? h("p", { class: "hint" }, phrase("help.available_until", { date: timeOf(entry.available_until) }))
      : null,
  );
}

/** A section with a heading that labels it, at heading `level`. */
function card(className, level, title, ...children) {
  const id = uid("section");
  return h(
    "section",
    { class: `card ${className}`, "aria-labelledby": id },
    h(`h${level}`, { id }, title),
    children,
  );
}

/**
 * The help section. For an agent (`forAgent`) the same, with the offered actions shown as the
 * customer sees them but not as links (they are the customer's to use), cancelling among them.
 */
export function helpSection(order, { forAgent = false, level = 2 } = {}) {
  const { offered, later } = rankHelp(order, { cancelApart: !forAgent });
  const cancel = !forAgent && order.help.some((entry) => entry.action === "cancel_order" && entry.available);
  const offeredId = uid("offered");
  const sub = `h${level + 1}`;
  return card(
    "help",
    level,
    t("help.title"),
    offered.length
      ? [
          h(sub, { id: offeredId }, t("help.available_title")),
          forAgent ? h("p", { class: "hint" }, t("agent.offered_note")) : null,
          h(
            "ul",
            { class: "actions", "aria-labelledby": offeredId },
            offered.map((entry, index) => offeredItem(order, entry, { forAgent, primary: index === 0 })),
          ),
        ]
      : h("p", {}, t(cancel ? "help.only_cancel" : "help.none_available")),
    later.length ? laterList(later, sub) : null,
  );
}

/** Cancelling, at the bottom of Order Details while the order can still be cancelled. */
export function cancelSection(order, { level = 2 } = {}) {
  const entry = order.help.find((candidate) => candidate.action === "cancel_order" && candidate.available);
  if (!entry) return null;
  return card(
    "cancel-order",
    level,
    t("help.cancel_title"),
    h("p", {}, t("help.cancel_text")),
    h(
      "ul",
      { class: "actions" },
      offeredItem(order, entry, { forAgent: false, primary: false }),
    ),
  );
}
