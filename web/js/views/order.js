// Order Details: the help section first (what can be done now, and why not the rest, with dates),
// then the customer's requests, the shipment, the items and totals, the address and the history.

import { get } from "../api.js";
import { h, replace, uid } from "../dom.js";
import { countryName, dateTime, has, money, t } from "../i18n.js";
import {
  breadcrumb,
  caseCard,
  heading,
  phrase,
  section,
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

function helpSection(order) {
  const offered = order.help.filter((entry) => entry.available);
  const others = order.help.filter((entry) => !entry.available);
  const id = uid("help");
  const offeredId = uid("offered");
  const othersId = uid("others");
  return h(
    "section",
    { class: "card help", "aria-labelledby": id },
    h("h2", { id }, t("help.title")),
    h("h3", { id: offeredId }, t("help.available_title")),
    offered.length
      ? h(
          "ul",
          { class: "actions", "aria-labelledby": offeredId },
          offered.map((entry) =>
            h(
              "li",
              { "data-action": entry.action },
              h(
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
          h("h3", { id: othersId }, t("help.unavailable_title")),
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

function casesSection(order) {
  const labels = actionLabels(order);
  return section(
    uid("cases"),
    t("cases.title"),
    order.cases.length
      ? h(
          "ul",
          { class: "cases" },
          order.cases.map((entry) => h("li", {}, caseCard(entry, labels))),
        )
      : h("p", { class: "hint" }, t("cases.none")),
  );
}

function fact(label, ...value) {
  return h("div", {}, h("dt", {}, label), h("dd", {}, value));
}

function shipmentSection(order) {
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
    if (order.status === "paid" && order.shipping_delayed_since) {
      notes.push(
        h(
          "p",
          { class: "panel panel-warning" },
          phrase("order.late_shipping", { date: timeOf(order.estimated_ship_by) }),
        ),
      );
    }
    if (order.status === "shipped" && order.delivery_delayed_since) {
      notes.push(
        h(
          "p",
          { class: "panel panel-warning" },
          phrase("order.late_delivery", { date: timeOf(order.estimated_delivery_by) }),
        ),
      );
    }
  }
  return section(
    uid("shipment"),
    t("order.shipment_title"),
    facts.length ? h("dl", { class: "facts" }, facts) : null,
    notes,
  );
}

function itemsSection(order) {
  const id = uid("items");
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
  return h(
    "section",
    { class: "card", "aria-labelledby": id },
    h("h2", { id }, t("order.items_title")),
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

function addressSection(order) {
  const address = order.shipping_address;
  return section(
    uid("address"),
    t("order.address_title"),
    h(
      "address",
      { class: "address" },
      addressLines(address).map((line, index) => (index ? [h("br"), line] : line)),
    ),
    address.phone ? h("p", { class: "hint" }, t("order.phone", { phone: address.phone })) : null,
  );
}

function timelineText(entry, labels) {
  const { event, data } = entry;
  if (event === "ship") {
    return data.carrier ? t("timeline.ship", { carrier: data.carrier }) : t("timeline.ship_plain");
  }
  if (has(`timeline.${event}`) && event !== "help" && event !== "other") {
    return t(`timeline.${event}`);
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

function timelineSection(order) {
  const labels = actionLabels(order);
  const entries = order.history
    .map((entry) => ({ ...entry, at: happenedAt(entry, order) }))
    .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return section(
    uid("history"),
    t("order.timeline_title"),
    h(
      "ol",
      { class: "timeline" },
      entries.map((entry) =>
        h(
          "li",
          { "data-event": entry.event },
          timeOf(entry.at, dateTime(entry.at)),
          h("p", { class: "event" }, timelineText(entry, labels)),
          h("p", { class: "hint" }, t(`timeline.by.${entry.actor}`)),
        ),
      ),
    ),
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
    h(
      "p",
      { class: "order-facts lead" },
      statusBadge(order.status),
      h("span", {}, phrase("order.placed_on", { date: timeOf(order.placed_at) })),
      h("span", {}, t("order.total"), " ", h("strong", {}, money(order.total))),
    ),
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
