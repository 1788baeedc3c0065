// The customer's cases with customer service: My cases (newest activity first, more on demand)
// and one case's conversation with a reply box. A message on a closed case is never refused: it
// opens a follow-up that continues it (or joins the order's open case about the same topic), and
// the page goes there saying so; the two cases link to each other.

import { loadAddressFormats } from "../addresses.js";
import { call, get } from "../api.js";
import { focus, h, replace } from "../dom.js";
import { number, t } from "../i18n.js";
import { navigate } from "../router.js";
import { breadcrumb, caseCard, heading, pagedList, phrase, timeOf } from "./common.js";
import { composer, messageList, MESSAGE_MAX, requestDetails } from "./conversation.js";
import { orderPath } from "./order.js";

const PAGE_SIZE = 10;

export function casePath(caseId) {
  return `/cases/${encodeURIComponent(caseId)}`;
}

function caseLink(caseId) {
  return h("a", { href: `#${casePath(caseId)}`, class: "reference" }, caseId);
}

export async function casesView(ctx) {
  ctx.title(t("cases.list_title"));
  const { list, footer, empty } = await pagedList({
    path: (cursor) => {
      const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (cursor) query.set("cursor", cursor);
      return `/cases?${query}`;
    },
    itemsOf: (page) => page.cases,
    render: (entry) => h("li", {}, caseCard(entry, {}, { headingLevel: "h2", showOrder: true, markUnread: true })),
    texts: {
      more: "cases.more",
      loading_more: "cases.loading_more",
      loaded_more: "cases.loaded_more",
      all_shown: "cases.all_shown",
    },
    signal: ctx.signal,
    listClass: "cases case-list",
    focusIn: (item) => item.querySelector(".case-link a"),
  });
  replace(
    ctx.main,
    heading(t("cases.list_title")),
    h("p", { class: "lead" }, t("cases.list_intro")),
    empty ? h("p", { class: "panel panel-info" }, t("cases.list_empty")) : [list, footer],
  );
}

/** Where the case is in its life, in words: whose turn, or when it was solved or closed. */
function standing(caseData) {
  if (caseData.status === "closed") {
    return h("p", { class: "case-turn" }, phrase("case.closed", { date: timeOf(caseData.closed_at) }));
  }
  if (caseData.status === "solved") {
    return h("p", { class: "case-turn" }, phrase("case.solved", { date: timeOf(caseData.solved_at) }));
  }
  return caseData.turn ? h("p", { class: "case-turn" }, t(`cases.turn.${caseData.turn}`)) : null;
}

function links(caseData) {
  return [
    caseData.follows
      ? h("p", { class: "case-follows" }, phrase("case.follows", { case: caseLink(caseData.follows) }))
      : null,
    caseData.followed_by.length
      ? h(
          "p",
          { class: "case-followed-by" },
          phrase("case.followed_by", {
            case: caseData.followed_by.flatMap((id, index) => (index ? [", ", caseLink(id)] : [caseLink(id)])),
          }),
        )
      : null,
  ];
}

const AUTHORS = { customer: "case.author.customer", agent: "case.author.agent", system: "case.author.system" };

function fact(label, ...value) {
  return h("div", {}, h("dt", {}, label), h("dd", {}, value));
}

/** What the customer asked for (the case's details beyond the message), to read back. */
function askedFor(caseData, order) {
  const facts = requestDetails(caseData, order, { fact, words: "case" });
  if (!facts.length) return null;
  return h(
    "div",
    { class: "asked-for" },
    h("h3", {}, t("case.details_title")),
    h("dl", { class: "facts" }, facts),
  );
}

/** The order, for the names of the items asked about; the SKUs do when it cannot be read. */
async function orderFor(caseData, signal) {
  const details = caseData.details ?? {};
  if (!Array.isArray(details.items) && !details.address) return null;
  try {
    const [order] = await Promise.all([
      Array.isArray(details.items) ? get(orderPath(caseData.order_id), { signal }) : null,
      details.address ? loadAddressFormats() : null,
    ]);
    return order;
  } catch (error) {
    if (signal.aborted) throw error;
    return null;
  }
}

/** One case: where it stands, its conversation, and the box to answer (or to write again). */
export async function caseView(ctx) {
  const caseId = ctx.params.case_id;
  const first = await get(casePath(caseId), { signal: ctx.signal });
  const order = await orderFor(first, ctx.signal);
  const label = t(`actions.${first.action}`);
  ctx.title(label);

  const draw = (caseData, notice = null) => {
    const closed = caseData.status === "closed";
    const replyTitleId = "reply-title";
    const box = composer({
      label: t("case.message"),
      hint: t("case.message_hint", { max: number(MESSAGE_MAX) }),
      submitText: t("case.send"),
      build: (text) => ({ body: text }),
      send: (body, idempotencyKey) =>
        call(`${casePath(caseData.case_id)}/messages`, {
          method: "POST",
          body,
          idempotencyKey,
          signal: ctx.signal,
        }),
      sent: (answer) => {
        const got = answer.body.case;
        if (got.case_id !== caseData.case_id) {
          // The case was closed: the message went to the case that continues it.
          navigate(casePath(got.case_id), {
            notice: answer.status === 201 ? "follow_up_opened" : "joined_open",
            from: caseData.case_id,
          });
          return;
        }
        draw(got, t("case.sent"));
      },
      signal: ctx.signal,
    });
    const noticePanel = notice
      ? h("div", { class: "panel panel-success case-notice", role: "status", tabindex: "-1" }, h("p", {}, notice))
      : null;
    replace(
      ctx.main,
      breadcrumb(
        ["#/cases", t("app.my_cases")],
        [`#${orderPath(caseData.order_id)}`, t("order.title", { id: caseData.order_id })],
      ),
      heading(label),
      h(
        "p",
        { class: "order-facts lead" },
        h("span", { class: `badge badge-case-${caseData.status}` }, caseData.status_label),
        h("span", {}, t("case.reference", { id: caseData.case_id })),
        h(
          "span",
          {},
          phrase("case.about_order", {
            order: h("a", { href: `#${orderPath(caseData.order_id)}` }, caseData.order_id),
          }),
        ),
      ),
      noticePanel,
      h(
        "div",
        { class: "case-layout" },
        h(
          "section",
          {
            class: "card conversation",
            "aria-labelledby": "conversation-title",
            "data-case-id": caseData.case_id,
            "data-status": caseData.status,
          },
          h("h2", { id: "conversation-title" }, t("case.conversation")),
          standing(caseData),
          links(caseData),
          askedFor(caseData, order),
          messageList(caseData.messages, (message) => t(AUTHORS[message.author])),
        ),
        h(
          "section",
          { class: "card reply", "aria-labelledby": replyTitleId },
          h("h2", { id: replyTitleId }, t(closed ? "case.follow_up_title" : "case.reply_title")),
          box,
        ),
      ),
    );
    if (noticePanel) focus(noticePanel);
    return noticePanel;
  };

  const arrived = ctx.state.notice
    ? t(`case.${ctx.state.notice}`, { id: ctx.state.from ?? "" })
    : null;
  const noticePanel = draw(first, arrived);
  if (noticePanel) ctx.focusOn(noticePanel);
}
