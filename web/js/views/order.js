// Order Details: the help section first (what can be done now, and why not the rest, with dates),
// then the customer's requests, the shipment, the items and totals, the address and the history.

import { get } from "../api.js";
import { h, replace, uid } from "../dom.js";
import { countryName, dateTime, has, money, t } from "../i18n.js";
import {
  breadcrumb,
  caseCard,
  caseHrefOf,
  heading,
  phrase,
  statusBadge,
  timeOf,
} from "./common.js";

export function orderPath(orderId) {
  return `/orders/${encodeURIComponent(orderId)}`;
}

export function helpPath(orderId, action) {
  return `/orders/${encodeURIComponent(orderId)}/help/${action}`;
}

/** Help action → its label, as the API gave it in the chosen language. */
export function actionLabels(order) {
  return Object.fromEntries(order.help.map((entry) => [entry.action, entry.label]));
}

/** When an unavailable action opens, or when it stopped being available. */
export function availabilityDate(entry) {
  if (entry.available_from) {
    return h("p", { class: "when" }, phrase("help.opens_on", { date: timeOf(entry.available_from) }));
  }
  if (entry.available_until) {
    return h("p", { class: "when" }, phrase("help.closed_on", { date: timeOf(entry.available_until) }));
  }
  return null;
}

/** A section of Order Details with a heading that labels it, at heading `level`. */
function card(className, level, title, ...children) {
  const id = uid("section");
  return h(
    "section",
    { class: className ? `card ${className}` : "card", "aria-labelledby": id },
    h(`h${level}`, { id }, title),
    children,
  );
}

/**
 * The help section: what the customer can do now, and why not the rest, with dates. For an
 * agent (`forAgent`) the same, with the offered actions shown as the customer sees them but not
 * as links: they are the customer's to use.
 */
export function helpSection(order, { forAgent = false, level = 2 } = {}) {
  const offered = order.help.filter((entry) => entry.available);
  const others = order.help.filter((entry) => !entry.available);
  const offeredId = uid("offered");
  const othersId = uid("others");
  const sub = `h${level + 1}`;
  return card(
    "help",
    level,
    t("help.title"),
    h(sub, { id: offeredId }, t("help.available_title")),
    forAgent && offered.length ? h("p", { class: "hint" }, t("agent.offered_note")) : null,
    offered.length
      ? h(
          "ul",
          { class: "actions", "aria-labelledby": offeredId },
          offered.map((entry) =>
            h(
              "li",
              { "data-action": entry.action },
              forAgent
                ? h("span", { class: "offered-action" }, entry.label)
                : h(
                    "a",
                    {
                      class: `button ${entry.action === "cancel_order" ? "button-danger" : "button-primary"}`,
                      href: `#${helpPath(order.order_id, entry.action)}`,
                    },
                    entry.label,
                  ),
              entry.available_until
                ? h(
                    "p",
                    { class: "hint" },
                    phrase("help.available_until", { date: timeOf(entry.available_until) }),
                  )
                : null,
            ),
          ),
        )
      : h("p", {}, t("help.none_available")),
    others.length
      ? [
          h(sub, { id: othersId }, t("help.unavailable_title")),
          h(
            "ul",
            { class: "unavailable", "aria-labelledby": othersId },
            others.map((entry) =>
              h(
                "li",
                { "data-action": entry.action, "data-reason": entry.reason },
                h("p", { class: "action-label" }, entry.label),
                h("p", { class: "reason" }, entry.message),
                availabilityDate(entry),
              ),
            ),
          ),
        ]
      : null,
  );
}

/** The order's cases; `currentCaseId` marks the one the page is about (not linked). */
export function casesSection(order, { level = 2, currentCaseId = null } = {}) {
  const labels = actionLabels(order);
  return card(
    null,
    level,
    t("cases.title"),
    order.cases.length
      ? h(
          "ul",
          { class: "cases" },
          order.cases.map((entry) =>
            h(
              "li",
              {},
              caseCard(entry, labels, {
                headingLevel: `h${level + 1}`,
                current: entry.case_id === currentCaseId,
              }),
            ),
          ),
        )
      : h("p", { class: "hint" }, t("cases.none")),
  );
}

function fact(label, ...value) {
  return h("div", {}, h("dt", {}, label), h("dd", {}, value));
}

export function shipmentSection(order, { level = 2 } = {}) {
  const facts = [];
  const notes = [];
  if (order.status === "cancelled") {
    facts.push(fact(t("order.cancelled_at"), timeOf(order.cancelled_at)));
    if (order.cancel_reason) facts.push(fact(t("order.cancel_reason"), order.cancel_reason));
    if (order.refund_due) notes.push(h("p", {}, t("order.refund_due")));
  } else {
    if (order.tracking_number) {
      if (order.carrier) facts.push(fact(t("order.carrier"), order.carrier));
      facts.push(
        fact(t("order.tracking"), h("span", { class: "reference tracking" }, order.tracking_number)),
      );
    }
    if (order.shipped_at) facts.push(fact(t("order.shipped_at"), timeOf(order.shipped_at)));
    if (order.delivered_at) {
      facts.push(fact(t("order.delivered_at"), timeOf(order.delivered_at)));
    } else if (order.estimated_delivery_by) {
      facts.push(fact(t("order.estimated_delivery_by"), timeOf(order.estimated_delivery_by)));
    } else if (order.estimated_ship_by) {
      facts.push(fact(t("order.estimated_ship_by"), timeOf(order.estimated_ship_by)));
    }
    if (!order.tracking_number && !order.shipped_at) {
      notes.push(h("p", { class: "hint" }, t("order.no_tracking")));
    }
    // The delay the scheduled check recorded: since when, and that customer service knows.
    const late =
      order.status === "paid" && order.shipping_delayed_since
        ? ["order.late_shipping", order.shipping_delayed_since, order.estimated_ship_by]
        : order.status === "shipped" && order.delivery_delayed_since
          ? ["order.late_delivery", order.delivery_delayed_since, order.estimated_delivery_by]
          : null;
    if (late) {
      const [key, since, estimate] = late;
      facts.push(fact(t("order.late_since"), timeOf(since, dateTime(since))));
      notes.push(h("p", { class: "panel panel-warning late" }, phrase(key, { date: timeOf(estimate) })));
    }
  }
  return card(
    null,
    level,
    t("order.shipment_title"),
    facts.length ? h("dl", { class: "facts" }, facts) : null,
    notes,
  );
}

export function itemsSection(order, { level = 2 } = {}) {
  const rows = order.items.map((item) =>
    h(
      "tr",
      {},
      h(
        "th",
        { scope: "row" },
        h("span", { class: "item-name" }, item.name),
        h("span", { class: "item-sku" }, t("order.sku", { sku: item.sku })),
      ),
      h("td", { class: "number" }, String(item.quantity)),
      h("td", { class: "number" }, money(item.unit_price)),
      h("td", { class: "number" }, money(item.line_total)),
    ),
  );
  const total = (key, value, strong = false) =>
    h(
      "div",
      { class: strong ? "grand-total" : null },
      h("dt", {}, t(key)),
      h("dd", {}, strong ? h("strong", {}, money(value)) : money(value)),
    );
  return card(
    null,
    level,
    t("order.items_title"),
    h(
      "table",
      { class: "items" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, t("order.item")),
          h("th", { scope: "col", class: "number" }, t("order.quantity")),
          h("th", { scope: "col", class: "number" }, t("order.unit_price")),
          h("th", { scope: "col", class: "number" }, t("order.line_total")),
        ),
      ),
      h("tbody", {}, rows),
    ),
    h(
      "dl",
      { class: "totals" },
      total("order.subtotal", order.subtotal),
      total("order.shipping", order.shipping),
      total("order.tax", order.tax),
      total("order.total", order.total, true),
    ),
  );
}

export function addressLines(address) {
  return [
    address.name,
    address.line1,
    address.line2,
    [address.postal_code, address.city].filter(Boolean).join(" "),
    address.region,
    countryName(address.country),
  ].filter(Boolean);
}

export function addressSection(order, { level = 2 } = {}) {
  const address = order.shipping_address;
  return card(
    null,
    level,
    t("order.address_title"),
    h(
      "address",
      { class: "address" },
      addressLines(address).map((line, index) => (index ? [h("br"), line] : line)),
    ),
    address.phone ? h("p", { class: "hint" }, t("order.phone", { phone: address.phone })) : null,
  );
}

/** Events whose text is the same whatever their data: `timeline.<event>`. */
const PLAIN_EVENTS = new Set([
  "create",
  "pay",
  "deliver",
  "cancel",
  "change_address",
  "cancel_order",
  "payment_issue",
  "customs_duties",
  "shipping_delay",
  "delivery_delay",
]);

function timelineText(entry, labels) {
  const { event } = entry;
  const data = entry.data ?? {};
  switch (event) {
    case "ship":
      return data.carrier ? t("timeline.ship", { carrier: data.carrier }) : t("timeline.ship_plain");
    case "record_shipping_delay":
    case "record_delivery_delay": {
      const estimate = data.estimated_ship_by ?? data.estimated_delivery_by;
      if (estimate) return phrase(`timeline.${event}`, { date: timeOf(estimate) });
      break;
    }
    case "revise_estimate":
      if (data.estimated_ship_by) {
        return phrase("timeline.revise_estimate_ship", { date: timeOf(data.estimated_ship_by) });
      }
      if (data.estimated_delivery_by) {
        return phrase("timeline.revise_estimate_delivery", {
          date: timeOf(data.estimated_delivery_by),
        });
      }
      return t("timeline.revise_estimate");
    case "return_request":
      if (Array.isArray(data.items) && data.items.length) {
        const count = data.items.reduce((sum, item) => sum + (Number(item.quantity) || 0), 0);
        return t("timeline.return_request", { count });
      }
      break;
    case "item_problem":
      return has(`timeline.problem.${data.problem}`)
        ? t("timeline.item_problem", { problem: t(`timeline.problem.${data.problem}`) })
        : t("timeline.item_problem_plain");
    default:
      if (PLAIN_EVENTS.has(event)) return t(`timeline.${event}`);
  }
  if (labels[event]) return t("timeline.help", { action: labels[event] });
  return t("timeline.other");
}

/** When it happened: the shop's systems may report a payment, shipment or delivery after the
 * fact, with its own time; the history entry keeps when it was recorded. */
const EVENT_TIMES = { pay: "paid_at", ship: "shipped_at", deliver: "delivered_at" };

function happenedAt(entry, order) {
  if (entry.event === "create") return order.placed_at;
  return entry.data?.[EVENT_TIMES[entry.event]] ?? entry.at;
}

/** The order's history, oldest first. `forAgent` says who did what from customer service's
 * side ("by the customer" rather than "by you"). */
export function timelineSection(order, { level = 2, forAgent = false } = {}) {
  const labels = actionLabels(order);
  const entries = order.history
    .map((entry) => ({ ...entry, at: happenedAt(entry, order) }))
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const by = forAgent ? "timeline.by_agent_view" : "timeline.by";
  return card(
    null,
    level,
    t("order.timeline_title"),
    h(
      "ol",
      { class: "timeline" },
      entries.map((entry) => {
        const caseId = entry.data?.case_id;
        const href = caseId ? caseHrefOf({ case_id: caseId }) : null;
        return h(
          "li",
          { "data-event": entry.event },
          timeOf(entry.at, dateTime(entry.at)),
          h("p", { class: "event" }, timelineText(entry, labels)),
          h(
            "p",
            { class: "hint" },
            t(`${by}.${entry.actor}`),
            caseId
              ? [
                  " · ",
                  href
                    ? h("a", { href }, t("timeline.case", { id: caseId }))
                    : t("timeline.case", { id: caseId }),
                ]
              : null,
          ),
        );
      }),
    ),
  );
}

/** The order's facts line under a heading: status, when it was placed, its total. */
export function orderFacts(order, className = "order-facts lead") {
  return h(
    "p",
    { class: className },
    statusBadge(order.status),
    h("span", {}, phrase("order.placed_on", { date: timeOf(order.placed_at) })),
    h("span", {}, t("order.total"), " ", h("strong", {}, money(order.total))),
  );
}

/** What a help action just did, with the case it opened or joined. */
function outcomeNotice(outcome, labels) {
  const action = outcome.case.action;
  const changed = action === "change_address" || action === "cancel_order";
  const title = changed
    ? t(`outcome.${action}`)
    : t(outcome.opened ? "outcome.opened" : "outcome.joined");
  return h(
    "div",
    { class: "panel panel-success outcome", role: "status", tabindex: "-1" },
    h("h2", { class: "panel-title" }, title),
    changed ? h("p", {}, t(outcome.opened ? "outcome.opened" : "outcome.joined")) : null,
    caseCard(outcome.case, labels),
  );
}

export async function orderView(ctx) {
  const orderId = ctx.params.order_id;
  const outcome = ctx.state.outcome ?? null;
  const order = outcome?.order ?? (await get(orderPath(orderId), { signal: ctx.signal }));
  ctx.title(t("order.title", { id: order.order_id }));
  const notice = outcome ? outcomeNotice(outcome, actionLabels(order)) : null;
  replace(
    ctx.main,
    breadcrumb(["#/orders", t("order.back")]),
    heading(t("order.title", { id: order.order_id })),
    orderFacts(order),
    notice,
    h(
      "div",
      { class: "order-layout" },
      h("div", { class: "order-main" }, helpSection(order), itemsSection(order), timelineSection(order)),
      h(
        "div",
        { class: "order-side" },
        casesSection(order),
        shipmentSection(order),
        addressSection(order),
      ),
    ),
  );
  if (notice) ctx.focusOn(notice);
}
