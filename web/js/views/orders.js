// My Orders: newest first, one page at a time; more on demand with the API's next_cursor. Each
// order shows its first items' pictures and names (what the OrdersByCustomer index projects).
// The list can be narrowed to one status and searched by order number; the choice is in the
// page's address (#/orders?status=paid&order=ORD-1003), so Back and a reload keep it.

import { get } from "../api.js";
import { focus, h, replace, uid } from "../dom.js";
import { money, t } from "../i18n.js";
import { announce } from "../announcer.js";
import { navigate } from "../router.js";
import { errorPanel, heading, phrase, statusBadge, timeOf } from "./common.js";
import { thumbnail } from "./order.js";

const PAGE_SIZE = 10;
const STATUSES = ["created", "paid", "shipped", "delivered", "cancelled"];
/** The API's limit for an order number searched (longer text is no order number). */
const SEARCH_MAX = 64;

/** The list's filters from the page's address: a known status, an order number. */
function filtersOf(query) {
  const status = query?.get("status") ?? "";
  return {
    status: STATUSES.includes(status) ? status : "",
    order: (query?.get("order") ?? "").trim().slice(0, SEARCH_MAX),
  };
}

/** The page's own address for `filters`. */
export function ordersHref({ status = "", order = "" } = {}) {
  const query = new URLSearchParams();
  if (status) query.set("status", status);
  if (order) query.set("order", order);
  const text = query.toString();
  return text ? `/orders?${text}` : "/orders";
}

function orderPath(filters, cursor) {
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (filters.status) query.set("status", filters.status);
  if (filters.order) query.set("order_id", filters.order);
  if (cursor) query.set("cursor", cursor);
  return `/orders?${query}`;
}

/** The first items: their pictures, and their names with how many more the order holds. */
function firstItems(order) {
  const lines = order.first_items ?? [];
  if (!lines.length) return null;
  const shown = lines.reduce((sum, line) => sum + line.quantity, 0);
  const more = order.item_count - shown;
  return h(
    "div",
    { class: "order-items" },
    h("div", { class: "thumbs", "aria-hidden": "true" }, lines.map((line) => thumbnail(line, 48))),
    h(
      "ul",
      { class: "item-names" },
      lines.map((line) =>
        h("li", {}, line.quantity > 1 ? t("orders.line", { count: line.quantity, name: line.name }) : line.name),
      ),
      more > 0 ? h("li", { class: "more" }, t("orders.more_items", { count: more })) : null,
    ),
  );
}

function orderItem(order) {
  const link = h(
    "a",
    { href: `#/orders/${encodeURIComponent(order.order_id)}`, class: "order-link" },
    t("orders.order", { id: order.order_id }),
  );
  return h(
    "li",
    { class: "order-card", "data-order-id": order.order_id },
    h("h2", { class: "order-title" }, link),
    h(
      "p",
      { class: "order-facts" },
      statusBadge(order.status),
      h("span", {}, phrase("orders.placed_on", { date: timeOf(order.placed_at) })),
      h("span", {}, t("orders.items", { count: order.item_count })),
    ),
    firstItems(order),
    h(
      "p",
      { class: "order-total" },
      h("span", { class: "label" }, t("orders.total")),
      " ",
      h("strong", {}, money(order.total)),
    ),
  );
}

/** The status to show and the order number to find; pressing Search (or Enter) applies both. */
function filterForm(filters) {
  const statusId = uid("status");
  const orderId = uid("order-number");
  const hintId = uid("hint");
  const status = h(
    "select",
    { id: statusId, name: "status" },
    h("option", { value: "" }, t("orders.filter.all")),
    STATUSES.map((value) =>
      h("option", { value, selected: value === filters.status }, t(`orders.filter.status.${value}`)),
    ),
  );
  const order = h("input", {
    type: "search",
    id: orderId,
    name: "order",
    value: filters.order,
    maxlength: String(SEARCH_MAX),
    autocomplete: "off",
    spellcheck: "false",
    "aria-describedby": hintId,
  });
  const active = Boolean(filters.status || filters.order);
  const form = h(
    "form",
    { class: "order-filters", role: "search", "aria-label": t("orders.filter.label") },
    h("div", { class: "field" }, h("label", { for: statusId }, t("orders.filter.status_label")), status),
    h(
      "div",
      { class: "field" },
      h("label", { for: orderId }, t("orders.filter.order_label")),
      h("p", { class: "hint", id: hintId }, t("orders.filter.order_hint")),
      order,
    ),
    h(
      "div",
      { class: "form-actions" },
      h("button", { type: "submit", class: "button button-primary" }, t("orders.filter.apply")),
      active ? h("a", { href: "#/orders", class: "button" }, t("orders.filter.clear")) : null,
    ),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    navigate(ordersHref({ status: status.value, order: order.value.trim() }));
  });
  return form;
}

/** What the list shows now, in words: those in a status, or the order searched. */
function resultText(filters, count) {
  const status = filters.status ? t(`states.${filters.status}`) : null;
  if (filters.order) {
    if (count) return t("orders.filter.found", { order: filters.order });
    return status
      ? t("orders.filter.not_found_in", { order: filters.order, status })
      : t("orders.filter.not_found", { order: filters.order });
  }
  return count ? t("orders.filter.shown", { count, status }) : t("orders.filter.none_in", { status });
}

export async function ordersView(ctx) {
  const filters = filtersOf(ctx.query);
  const filtered = Boolean(filters.status || filters.order);
  ctx.title(t("orders.title"));
  const first = await get(orderPath(filters, null), { signal: ctx.signal });
  const list = h("ul", { class: "order-list" }, first.orders.map(orderItem));
  const footer = h("div", { class: "list-footer" });
  let cursor = first.next_cursor;

  const more = h("button", { type: "button", class: "button" }, t("orders.more"));
  more.addEventListener("click", async () => {
    more.disabled = true;
    more.textContent = t("orders.loading_more");
    footer.querySelector(".panel-error")?.remove();
    try {
      const page = await get(orderPath(filters, cursor), { signal: ctx.signal });
      const added = page.orders.map(orderItem);
      list.append(...added);
      cursor = page.next_cursor;
      announce(
        cursor
          ? t("orders.loaded_more", { count: added.length })
          : `${t("orders.loaded_more", { count: added.length })} ${allShownText()}`,
      );
      showFooter();
      // Keep the reader's place: the first order just shown.
      focus(added[0]?.querySelector("a") ?? more);
    } catch (error) {
      if (ctx.signal.aborted) return;
      more.disabled = false;
      more.textContent = t("orders.more");
      const panel = errorPanel(error, null);
      footer.prepend(panel);
      focus(panel);
    }
  });

  /** The end of the list, in words: of the status shown, or of every order. A search finds one
   * order or none, which the result line says: it has no end to tell. */
  function allShownText() {
    if (filters.order) return "";
    if (filters.status) return t("orders.filter.all_shown", { status: t(`states.${filters.status}`) });
    return t("orders.all_shown");
  }

  function showFooter() {
    more.disabled = false;
    more.textContent = t("orders.more");
    const end = allShownText();
    replace(footer, cursor ? more : end ? h("p", { class: "hint" }, end) : null);
  }
  showFooter();

  // A filtered list says what it shows; it is where focus goes once the filter is applied.
  const result = filtered
    ? h(
        "p",
        { class: "order-results", role: "status", tabindex: "-1" },
        resultText(filters, first.orders.length),
      )
    : null;
  const orders = first.orders.length
    ? [list, footer]
    : filtered
      ? null
      : h("p", { class: "panel panel-info" }, t("orders.empty"));
  replace(
    ctx.main,
    heading(t("orders.title")),
    h("p", { class: "lead" }, t("orders.intro")),
    filtered || first.orders.length ? filterForm(filters) : null,
    result,
    orders,
  );
  if (result) ctx.focusOn(result);
}
