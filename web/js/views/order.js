// Order Details: where the order is first (when it ships or arrives, late or not, the tracking
// link and its steps), then the help section (the likeliest action first; why not the rest, with
// dates), the items with their pictures and the totals, the history, the customer's requests,
// the address, and cancelling at the bottom while it can be done.

import { localityLines, loadAddressFormats } from "../addresses.js";
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
import { availabilityDate, cancelSection, helpPath, helpSection } from "./help.js";
import { returnsSection } from "./returns.js";
import { whereSection } from "./where.js";

export { availabilityDate, helpPath, helpSection, whereSection };

export function orderPath(orderId) {
  return `/orders/${encodeURIComponent(orderId)}`;
}

/** Help action → its label, as the API gave it in the chosen language. */
export function actionLabels(order) {
  return Object.fromEntries(order.help.map((entry) => [entry.action, entry.label]));
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

/** A product's picture, or a neutral placeholder when the shop sent none or it fails to load.
 * The name is beside it, so the picture itself says nothing more (alt=""). */
export function thumbnail(item, size = 64) {
  const placeholder = () => h("span", { class: "thumb thumb-empty", "aria-hidden": "true" });
  if (!item.image_url) return placeholder();
  const image = h("img", {
    class: "thumb",
    src: item.image_url,
    alt: "",
    width: String(size),
    height: String(size),
    loading: "lazy",
    decoding: "async",
    referrerpolicy: "no-referrer",
  });
  image.addEventListener("error", () => image.replaceWith(placeholder()), { once: true });
  return image;
}

export function itemsSection(order, { level = 2 } = {}) {
  const lines = order.items.map((item) =>
    h(
      "li",
      { class: "item", "data-sku": item.sku },
      thumbnail(item),
      h(
        "div",
        { class: "item-text" },
        h("span", { class: "item-name" }, item.name),
        h("span", { class: "item-sku" }, t("order.sku", { sku: item.sku })),
        h(
          "span",
          { class: "item-quantity" },
          t("order.units", { count: item.quantity }),
          " · ",
          t("order.each", { price: money(item.unit_price) }),
        ),
      ),
      h(
        "span",
        { class: "item-total" },
        h("span", { class: "visually-hidden" }, `${t("order.line_total")}: `),
        money(item.line_total),
      ),
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
    h("ul", { class: "items" }, lines),
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

/** The address as its country writes it (UK, Ireland, the US: the city before the postcode). */
export function addressLines(address) {
  return [
    address.name,
    address.line1,
    address.line2,
    ...localityLines(address),
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
  const numbers = Object.fromEntries(order.cases.map((entry) => [entry.case_id, entry.number]));
  const caseText = (caseId) =>
    numbers[caseId] ? t("timeline.case", { number: numbers[caseId] }) : caseId;
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
                  href ? h("a", { href }, caseText(caseId)) : caseText(caseId),
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
    // Done by the customer without a question: its case was solved by the system at once.
    changed
      ? h(
          "p",
          {},
          t(outcome.case.status === "solved" ? "outcome.recorded" : outcome.opened ? "outcome.opened" : "outcome.joined"),
        )
      : null,
    caseCard(outcome.case, labels),
  );
}

export async function orderView(ctx) {
  const orderId = ctx.params.order_id;
  const outcome = ctx.state.outcome ?? null;
  const [order] = await Promise.all([
    outcome?.order ?? get(orderPath(orderId), { signal: ctx.signal }),
    loadAddressFormats(),
  ]);
  ctx.title(t("order.title", { id: order.order_id }));
  const notice = outcome ? outcomeNotice(outcome, actionLabels(order)) : null;
  replace(
    ctx.main,
    breadcrumb(["#/orders", t("order.back")]),
    heading(t("order.title", { id: order.order_id })),
    orderFacts(order),
    notice,
    whereSection(order),
    h(
      "div",
      { class: "order-layout" },
      h(
        "div",
        { class: "order-main" },
        helpSection(order),
        returnsSection(order),
        itemsSection(order),
        timelineSection(order),
      ),
      h("div", { class: "order-side" }, casesSection(order), addressSection(order)),
    ),
    cancelSection(order),
  );
  if (notice) ctx.focusOn(notice);
}
