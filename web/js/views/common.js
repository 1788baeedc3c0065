// Pieces several views share: error panels, headings, badges, dates, case cards.

import { announce } from "../announcer.js";
import { ApiError, get } from "../api.js";
import { focus, h, replace, uid } from "../dom.js";
import { features } from "../features.js";
import { date, dateTime, has, locale, t } from "../i18n.js";

/** What went wrong, in words. */
export function errorText(error) {
  if (!(error instanceof ApiError)) return t("errors.bug");
  switch (error.kind) {
    case "network":
      return t("errors.network");
    case "timeout":
      return t("errors.timeout");
    case "busy":
      return t("errors.busy");
    case "server":
      return t("errors.server", { status: error.status });
    case "unauthorized":
      return t("errors.session_expired");
    case "not_found":
      return t("errors.not_found");
    case "forbidden":
      return t("errors.forbidden");
    case "refused":
    case "conflict":
    case "validation":
      // Refusals the page knows by their code are said in its own words (the API's are in
      // English); the others are the API's own words, in the language we asked for.
      if (error.code && has(`errors.codes.${error.code}`)) {
        return t(`errors.codes.${error.code}`, error.body?.error ?? {});
      }
      // The API's words only when they are in the page's language; never English on a Spanish page.
      return error.messageIsIn(locale()) ? error.message : t("errors.not_done");
    default:
      return t("errors.unexpected", { status: error.status });
  }
}

/** A failure in words, with a way to try again when trying again can help. */
export function errorPanel(error, retry, { title = t("errors.title") } = {}) {
  const retryable = !(error instanceof ApiError) || error.retryable;
  return h(
    "div",
    { class: "panel panel-error", role: "alert", tabindex: "-1" },
    h("h2", { class: "panel-title" }, title),
    h("p", {}, errorText(error)),
    retry && retryable
      ? h("button", { type: "button", class: "button", onclick: retry }, t("errors.retry"))
      : null,
  );
}

export function heading(text) {
  return h("h1", { tabindex: "-1" }, text);
}

export function breadcrumb(...links) {
  return h(
    "nav",
    { class: "breadcrumb", "aria-label": t("order.breadcrumb") },
    h(
      "ol",
      {},
      links.map(([href, text]) => h("li", {}, h("a", { href }, text))),
    ),
  );
}

export function statusBadge(status) {
  return h("span", { class: `badge badge-${status}` }, t(`states.${status}`));
}

/** `t(key)` with some placeholders filled by nodes: "Placed on {date}" with a <time> inside. */
export function phrase(key, nodes, values = {}) {
  const marks = Object.fromEntries(Object.keys(nodes).map((name) => [name, `\u0000${name}\u0000`]));
  return t(key, { ...values, ...marks })
    .split("\u0000")
    .map((part, index) => (index % 2 === 1 ? nodes[part] : part))
    .filter((part) => part !== "");
}

export function timeOf(iso, text = date(iso)) {
  return h("time", { datetime: iso }, text);
}

/** A section with a heading that labels it. */
export function section(id, title, ...children) {
  return h(
    "section",
    { class: "card", "aria-labelledby": id },
    h("h2", { id }, title),
    children,
  );
}

/** Set by the case pages when they are registered: where one case's conversation is. */
let caseHref = () => null;
export function linkCasesWith(makeHref) {
  caseHref = makeHref;
}

/** Where the conversation of `caseData` ({case_id}) is, for the signed-in user; null if nowhere. */
export function caseHrefOf(caseData) {
  return features.caseConversations ? caseHref(caseData) : null;
}

/**
 * A case as the orders API shows it: the help outcome's `case` or one of the order's `cases`.
 * `labels` maps help actions to their labels (the order's `help` list, localised by the API).
 * `showOrder` adds a link to the case's order; `current` marks the case the page is about.
 */
export function caseCard(
  caseData,
  labels = {},
  { headingLevel = "h3", showOrder = false, current = false, markUnread = false } = {},
) {
  const label = labels[caseData.action] ?? t(`actions.${caseData.action}`);
  const due = caseData.answer_expected_by;
  const turn = due
    ? phrase(Date.parse(due) < Date.now() ? "case.answer_late" : "case.answer_by", {
        date: timeOf(due, dateTime(due)),
      })
    : caseData.turn
      ? t(`cases.turn.${caseData.turn}`)
      : null;
  const titleId = uid("case-title");
  const href = current ? null : caseHrefOf(caseData);
  // Customer service wrote since the customer last opened the conversation.
  const unread = markUnread && caseData.unread === true;
  return h(
    "article",
    {
      class: ["case", current ? "case-current" : null, unread ? "case-unread" : null].filter(Boolean).join(" "),
      "data-case-id": caseData.case_id,
      "data-status": caseData.status,
    },
    h(
      headingLevel,
      { class: "case-title", id: titleId },
      label,
      unread ? h("span", { class: "badge badge-unread" }, t("cases.unread")) : null,
    ),
    h(
      "dl",
      { class: "facts" },
      h("div", {}, h("dt", {}, t("cases.status")), h("dd", {}, caseData.status_label)),
      showOrder
        ? h(
            "div",
            {},
            h("dt", {}, t("cases.order")),
            h(
              "dd",
              {},
              h("a", { href: `#/orders/${encodeURIComponent(caseData.order_id)}` }, caseData.order_id),
            ),
          )
        : null,
      h(
        "div",
        {},
        h("dt", {}, t("cases.opened_on")),
        h("dd", {}, timeOf(caseData.opened_at)),
      ),
      showOrder && caseData.last_activity_at
        ? h(
            "div",
            {},
            h("dt", {}, t("cases.last_activity")),
            h("dd", {}, timeOf(caseData.last_activity_at)),
          )
        : null,
      h(
        "div",
        {},
        h("dt", {}, t("cases.number")),
        h("dd", { class: "case-number" }, caseData.number),
      ),
    ),
    turn ? h("p", { class: "case-turn" }, turn) : null,
    caseData.opened_by === "system" ? h("p", { class: "hint" }, t("cases.opened_by_system")) : null,
    current ? h("p", { class: "hint" }, t("cases.this_case")) : null,
    href
      ? h(
          "p",
          { class: "case-link" },
          h("a", { href, "aria-describedby": titleId }, t("cases.open_conversation")),
        )
      : null,
  );
}

/**
 * A list shown one page at a time, with more on demand (the API's `next_cursor`).
 * `path(cursor)` is the page's API path; `itemsOf(page)` its items; `render(item)` one <li>.
 * `texts` names the keys: more, loading_more, loaded_more (plural), all_shown.
 * `focusIn(item)` is where focus goes in the first item shown on demand (its first link).
 * Returns {list, footer, first, empty}: the first page is loaded before anything is drawn.
 */
export async function pagedList({
  path,
  itemsOf,
  render,
  texts,
  signal,
  listTag = "ul",
  listClass,
  focusIn = (item) => item.querySelector("a"),
}) {
  const first = await get(path(null), { signal });
  const list = h(listTag, { class: listClass }, itemsOf(first).map(render));
  const footer = h("div", { class: "list-footer" });
  let cursor = first.next_cursor;
  const more = h("button", { type: "button", class: "button" }, t(texts.more));

  function showFooter() {
    more.disabled = false;
    more.textContent = t(texts.more);
    replace(footer, cursor ? more : h("p", { class: "hint" }, t(texts.all_shown)));
  }

  more.addEventListener("click", async () => {
    more.disabled = true;
    more.textContent = t(texts.loading_more);
    footer.querySelector(".panel-error")?.remove();
    try {
      const page = await get(path(cursor), { signal });
      const added = itemsOf(page).map(render);
      list.append(...added);
      cursor = page.next_cursor;
      const shown = t(texts.loaded_more, { count: added.length });
      announce(cursor ? shown : `${shown} ${t(texts.all_shown)}`);
      showFooter();
      // Keep the reader's place: the first item just shown.
      focus((added[0] && focusIn(added[0])) ?? footer.querySelector("button, p"));
    } catch (error) {
      if (signal.aborted) return;
      more.disabled = false;
      more.textContent = t(texts.more);
      const panel = errorPanel(error, null);
      footer.prepend(panel);
      focus(panel);
    }
  });
  showFooter();
  return { list, footer, first, empty: itemsOf(first).length === 0 };
}
