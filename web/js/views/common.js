// Pieces several views share: loading and error panels, headings, badges, dates, case cards.

import { ApiError } from "../api.js";
import { h } from "../dom.js";
import { features } from "../features.js";
import { date, t } from "../i18n.js";

export function loading() {
  return h("p", { class: "loading", role: "status" }, t("app.loading"));
}

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
      // The API's own words, in the language we asked for.
      return error.message;
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

/** Set by the case pages when they are registered: a link to one case's conversation. */
let caseLink = () => null;
export function linkCasesWith(makeLink) {
  caseLink = makeLink;
}

/**
 * A case as the orders API shows it: the help outcome's `case` or one of the order's `cases`.
 * `labels` maps help actions to their labels (the order's `help` list, localised by the API).
 */
export function caseCard(caseData, labels = {}, { headingLevel = "h3" } = {}) {
  const label = labels[caseData.action] ?? t(`actions.${caseData.action}`);
  const turn = caseData.turn ? t(`cases.turn.${caseData.turn}`) : null;
  return h(
    "article",
    { class: "case", "data-case-id": caseData.case_id, "data-status": caseData.status },
    h(headingLevel, { class: "case-title" }, label),
    h(
      "dl",
      { class: "facts" },
      h("div", {}, h("dt", {}, t("cases.status")), h("dd", {}, caseData.status_label)),
      h(
        "div",
        {},
        h("dt", {}, t("cases.opened_on")),
        h("dd", {}, timeOf(caseData.opened_at)),
      ),
      h(
        "div",
        {},
        h("dt", {}, t("cases.reference")),
        h("dd", { class: "reference" }, caseData.case_id),
      ),
    ),
    turn ? h("p", { class: "case-turn" }, turn) : null,
    caseData.opened_by === "system" ? h("p", { class: "hint" }, t("cases.opened_by_system")) : null,
    // The conversation itself is the case page's, once the API serves the case routes.
    features.caseConversations ? caseLink(caseData) : null,
  );
}
