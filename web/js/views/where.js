// "Where is my order", at the top of Order Details: when it ships or arrives (or when it did),
// that it is late when it is, the carrier's tracking link, and the steps Ordered → Paid →
// Shipped → Delivered with their dates and the estimate. Every date is the viewer's local day.

import { h, uid } from "../dom.js";
import { day, shortDate, t } from "../i18n.js";
import { phrase, timeOf } from "./common.js";

/** Whether the order is late, read off the API: the delay the check recorded, or the delay
 * link the state machine offers once the estimate has passed. */
export function lateness(order) {
  const offered = (action) => order.help.some((entry) => entry.action === action && entry.available);
  if (order.status === "paid" && (order.shipping_delayed_since || offered("shipping_delay"))) {
    return { kind: "shipping", estimate: order.estimated_ship_by, recorded: order.shipping_delayed_since };
  }
  if (order.status === "shipped" && (order.delivery_delayed_since || offered("delivery_delay"))) {
    return {
      kind: "delivery",
      estimate: order.estimated_delivery_by,
      recorded: order.delivery_delayed_since,
    };
  }
  return null;
}

function headline(order, late) {
  const on = (iso) => timeOf(iso, day(iso));
  if (late) return t("where.late_title");
  switch (order.status) {
    case "created":
      return t("where.awaiting_payment");
    case "paid":
      return phrase("where.ships_by", { date: on(order.estimated_ship_by) });
    case "shipped":
      return phrase("where.arrives_by", { date: on(order.estimated_delivery_by) });
    case "delivered":
      return phrase("where.delivered_on", { date: on(order.delivered_at) });
    case "cancelled":
      return phrase("where.cancelled_on", { date: on(order.cancelled_at) });
    default:
      return order.status_label;
  }
}

function lateNotice(late) {
  const estimate = timeOf(late.estimate);
  const key = late.recorded ? `order.late_${late.kind}` : `where.late_${late.kind}_unreported`;
  return h("p", { class: "panel panel-warning late" }, phrase(key, { date: estimate }));
}

function tracking(order) {
  if (!order.tracking_number) return null;
  const number = h("span", { class: "reference tracking" }, order.tracking_number);
  return h(
    "div",
    { class: "tracking-line" },
    h(
      "p",
      {},
      order.carrier
        ? phrase("where.tracking_with", { carrier: order.carrier, number })
        : phrase("where.tracking", { number }),
    ),
    order.tracking_url
      ? h(
          "a",
          { class: "button button-secondary track", href: order.tracking_url, rel: "noopener noreferrer" },
          t("where.track", { carrier: order.carrier ?? "" }),
        )
      : null,
  );
}

/** One step of the progress bar: done (with its date), or to come (with the estimate). */
function step(name, { done, at = null, expected = null, late = false, current = false }) {
  const state = done ? "done" : "upcoming";
  return h(
    "li",
    {
      class: ["step", `step-${state}`, late ? "step-late" : null, name === "cancelled" ? "step-cancelled" : null]
        .filter(Boolean)
        .join(" "),
      "data-step": name,
      "aria-current": current ? "step" : null,
    },
    h("span", { class: "step-label" }, t(`states.${name}`)),
    done && at
      ? h("span", { class: "step-date" }, timeOf(at, shortDate(at)))
      : expected
        ? h(
            "span",
            { class: "step-date" },
            phrase(late ? "where.step_late" : "where.step_expected", { date: timeOf(expected, shortDate(expected)) }),
          )
        : null,
    h("span", { class: "visually-hidden" }, t(done ? "where.step_done" : "where.step_to_come")),
  );
}

/** Ordered → Paid → Shipped → Delivered; a cancelled order's steps end where it was cancelled. */
export function progress(order, late = lateness(order)) {
  const steps = [];
  if (order.status === "cancelled") {
    steps.push(step("created", { done: true, at: order.placed_at }));
    if (order.paid_at) steps.push(step("paid", { done: true, at: order.paid_at }));
    steps.push(step("cancelled", { done: true, at: order.cancelled_at, current: true }));
  } else {
    const reached = ["created", "paid", "shipped", "delivered"].indexOf(order.status);
    const at = { created: order.placed_at, paid: order.paid_at, shipped: order.shipped_at, delivered: order.delivered_at };
    const expected = { shipped: order.estimated_ship_by, delivered: order.estimated_delivery_by };
    ["created", "paid", "shipped", "delivered"].forEach((name, index) => {
      const isLate = index === reached + 1 && late !== null;
      steps.push(
        step(name, {
          done: index <= reached,
          at: at[name],
          expected: expected[name] ?? null,
          late: isLate,
          current: index === reached,
        }),
      );
    });
  }
  return h("ol", { class: "progress", "aria-label": t("where.progress") }, steps);
}

/** The section at the top of Order Details. */
export function whereSection(order, { level = 2 } = {}) {
  const late = lateness(order);
  const titleId = uid("where");
  const cancelled = order.status === "cancelled";
  return h(
    "section",
    { class: `card where${late ? " where-late" : ""}`, "aria-labelledby": titleId, "data-status": order.status },
    h(`h${level}`, { id: titleId, class: "visually-hidden" }, t("where.title")),
    h("p", { class: `where-headline${late ? " late-headline" : ""}` }, headline(order, late)),
    late ? lateNotice(late) : null,
    tracking(order),
    order.status === "created" ? h("p", { class: "hint" }, t("order.no_tracking")) : null,
    order.status === "paid" && !late ? h("p", { class: "hint" }, t("order.no_tracking")) : null,
    progress(order, late),
    cancelled && order.cancel_reason
      ? h("p", { class: "hint cancel-reason" }, t("where.cancel_reason", { reason: order.cancel_reason }))
      : null,
    cancelled && order.refund_due
      ? h("p", { class: "refund" }, t("order.refund_due"))
      : null,
  );
}
