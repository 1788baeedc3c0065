// My Orders: newest first, one page at a time; more on demand with the API's next_cursor. Each
// order shows its first items' pictures and names (what the OrdersByCustomer index projects).

import { get } from "../api.js";
import { focus, h, replace } from "../dom.js";
import { money, t } from "../i18n.js";
import { announce } from "../announcer.js";
import { errorPanel, heading, phrase, statusBadge, timeOf } from "./common.js";
import { thumbnail } from "./order.js";

const PAGE_SIZE = 10;

function orderPath(cursor) {
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
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

export async function ordersView(ctx) {
  ctx.title(t("orders.title"));
  const first = await get(orderPath(null), { signal: ctx.signal });
  const list = h("ul", { class: "order-list" }, first.orders.map(orderItem));
  const footer = h("div", { class: "list-footer" });
  let cursor = first.next_cursor;

  const more = h("button", { type: "button", class: "button" }, t("orders.more"));
  more.addEventListener("click", async () => {
    more.disabled = true;
    more.textContent = t("orders.loading_more");
    footer.querySelector(".panel-error")?.remove();
    try {
      const page = await get(orderPath(cursor), { signal: ctx.signal });
      const added = page.orders.map(orderItem);
      list.append(...added);
      cursor = page.next_cursor;
      announce(
        cursor
          ? t("orders.loaded_more", { count: added.length })
          : `${t("orders.loaded_more", { count: added.length })} ${t("orders.all_shown")}`,
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

  function showFooter() {
    more.disabled = false;
    more.textContent = t("orders.more");
    replace(footer, cursor ? more : h("p", { class: "hint" }, t("orders.all_shown")));
  }
  showFooter();

  replace(
    ctx.main,
    heading(t("orders.title")),
    h("p", { class: "lead" }, t("orders.intro")),
    first.orders.length ? [list, footer] : h("p", { class: "panel panel-info" }, t("orders.empty")),
  );
}
