// The customer's cases with customer service: My cases (newest activity first, more on demand)
// and one case's conversation with a reply box. A message on a closed case is never refused: it
// opens a follow-up that continues it (or joins the order's open case about the same topic), and
// the page goes there saying so; the two cases link to each other.

import { loadAddressFormats } from "../addresses.js";
import { announce } from "../announcer.js";
import { ApiError, call, get, Intent } from "../api.js";
import { focus, h, replace, uid } from "../dom.js";
import { dateTime, number, t } from "../i18n.js";
import { navigate } from "../router.js";
import { breadcrumb, caseCard, errorPanel, heading, pagedList, phrase, timeOf } from "./common.js";
import { composer, conversationThread, MESSAGE_MAX, requestDetails } from "./conversation.js";
import { orderPath } from "./order.js";

const PAGE_SIZE = 10;

export function casePath(caseId) {
  return `/cases/${encodeURIComponent(caseId)}`;
}

/** A link to another case, by its number (`numbers`: the case's `linked_numbers`). */
function caseLink(caseId, numbers = {}) {
  const text = numbers[caseId] ? t("case.number_link", { number: numbers[caseId] }) : caseId;
  return h("a", { href: `#${casePath(caseId)}`, class: "case-number" }, text);
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

/** When customer service will answer, in words: by the first answer's due time (or that it is
 * late, and will come); null when no answer is awaited by a time. */
export function answerBy(caseData) {
  const due = caseData.answer_expected_by;
  if (!due) return null;
  const date = timeOf(due, dateTime(due));
  const late = Date.parse(due) < Date.now();
  return h(
    "p",
    { class: late ? "case-turn answer-by answer-late" : "case-turn answer-by" },
    phrase(late ? "case.answer_late" : "case.answer_by", { date }),
  );
}

/** Where the case is in its life, in words: whose turn (when they answer), or when it was
 * solved or closed. */
function standing(caseData) {
  if (caseData.status === "closed") {
    return h("p", { class: "case-turn" }, phrase("case.closed", { date: timeOf(caseData.closed_at) }));
  }
  if (caseData.status === "solved") {
    return h("p", { class: "case-turn" }, phrase("case.solved", { date: timeOf(caseData.solved_at) }));
  }
  const answer = answerBy(caseData);
  if (answer) return answer;
  return caseData.turn ? h("p", { class: "case-turn" }, t(`cases.turn.${caseData.turn}`)) : null;
}

function links(caseData) {
  const numbers = caseData.linked_numbers ?? {};
  return [
    caseData.follows
      ? h(
          "p",
          { class: "case-follows" },
          phrase("case.follows", { case: caseLink(caseData.follows, numbers) }),
        )
      : null,
    caseData.followed_by.length
      ? h(
          "p",
          { class: "case-followed-by" },
          phrase("case.followed_by", {
            case: caseData.followed_by.flatMap((id, index) =>
              index ? [", ", caseLink(id, numbers)] : [caseLink(id, numbers)],
            ),
          }),
        )
      : null,
  ];
}

/** The customer's rating of a solve, as it was given. */
function givenRating(rating) {
  return h(
    "div",
    { class: "rating-given", "data-rating": rating.value },
    h(
      "p",
      {},
      phrase("case.rating.given", {
        rating: h("strong", {}, t(`case.rating.value.${rating.value}`)),
        date: timeOf(rating.at),
      }),
    ),
    rating.comment ? h("blockquote", { class: "rating-comment" }, rating.comment) : null,
  );
}

/**
 * Once a case is solved: asks how the answer was (good or not good, and a comment if the
 * customer wants), once per solve; then shows the rating given. `rated(case)` is what the page
 * does with the case the API answers.
 */
function ratingSection(caseData, { rated, signal }) {
  if (!caseData.rating_requested) {
    if (!caseData.rating) return null;
    return h(
      "section",
      { class: "card rating", "aria-labelledby": "rating-title" },
      h("h2", { id: "rating-title" }, t("case.rating.title_given")),
      givenRating(caseData.rating),
    );
  }
  const legendId = uid("rating-legend");
  const errorId = uid("error");
  const commentId = uid("field");
  const hintId = uid("hint");
  const choices = ["good", "not_good"].map((value) => {
    const id = uid("rating");
    return h(
      "div",
      { class: "check" },
      h("input", { type: "radio", id, name: "rating", value }),
      h("label", { for: id }, t(`case.rating.value.${value}`)),
    );
  });
  const error = h("p", { class: "field-error", id: errorId, hidden: true });
  const group = h(
    "fieldset",
    { class: "rating-choices" },
    h("legend", { id: legendId }, t("case.rating.question")),
    error,
    choices,
  );
  const comment = h("textarea", {
    id: commentId,
    name: "comment",
    rows: "3",
    maxlength: String(MESSAGE_MAX),
    "aria-describedby": hintId,
  });
  const alert = h("div", { class: "form-alert" });
  const submit = h("button", { type: "submit", class: "button button-primary" }, t("case.rating.send"));
  const form = h(
    "form",
    { class: "rating-form", novalidate: true },
    group,
    h(
      "div",
      { class: "field" },
      h("label", { for: commentId }, t("case.rating.comment"), " ", h("span", { class: "optional" }, t("case.rating.optional"))),
      h("p", { class: "hint", id: hintId }, t("case.rating.comment_hint", { max: number(MESSAGE_MAX) })),
      comment,
    ),
    alert,
    h("div", { class: "form-actions" }, submit),
  );
  const intent = new Intent();
  const radios = () => [...form.querySelectorAll("input[name=rating]")];

  const showError = (text) => {
    error.textContent = text;
    error.hidden = false;
    group.setAttribute("aria-describedby", errorId);
    for (const radio of radios()) radio.setAttribute("aria-invalid", "true");
    focus(radios()[0]);
  };
  const clearError = () => {
    error.hidden = true;
    group.removeAttribute("aria-describedby");
    for (const radio of radios()) radio.removeAttribute("aria-invalid");
  };
  const busy = (on) => {
    submit.disabled = on;
    submit.textContent = on ? t("forms.sending") : t("case.rating.send");
    form.setAttribute("aria-busy", String(on));
  };

  const deliver = async (body) => {
    clearError();
    replace(alert);
    busy(true);
    announce(t("forms.sending"));
    try {
      const answer = await call(`${casePath(caseData.case_id)}/rating`, {
        method: "POST",
        body,
        idempotencyKey: intent.keyFor(body),
        signal,
      });
      intent.settle();
      rated(answer.body, t("case.rating.thanks"));
    } catch (failure) {
      if (signal?.aborted) return;
      busy(false);
      if (!(failure instanceof ApiError)) console.error(failure);
      if (failure.kind === "unauthorized") return;
      const retryable = failure instanceof ApiError && failure.retryable;
      if (!retryable) intent.settle();
      const panel = errorPanel(failure, retryable ? () => deliver(body) : null);
      replace(alert, panel);
      focus(panel);
    }
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = radios().find((radio) => radio.checked);
    if (!chosen) {
      showError(t("case.rating.choose"));
      return;
    }
    const text = comment.value.trim() ? comment.value : null;
    deliver(text ? { rating: chosen.value, comment: text } : { rating: chosen.value });
  });
  return h(
    "section",
    { class: "card rating", "aria-labelledby": "rating-title" },
    h("h2", { id: "rating-title" }, t("case.rating.title")),
    h("p", { class: "hint" }, t("case.rating.intro")),
    form,
  );
}

const AUTHORS = { customer: "case.author.customer", agent: "case.author.agent", system: "case.author.system" };

/** Who wrote a message, for the customer: an agent by their display name and role ("Marta,
 * atención al cliente"), never their id; without a name, customer service. */
function authorOf(message) {
  if (message.author === "agent" && message.author_name) {
    return t("case.author.agent_named", { name: message.author_name });
  }
  return t(AUTHORS[message.author]);
}

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
  ctx.title(`${label} · ${t("case.number", { number: first.number })}`);
  const earlier = (cursor) =>
    get(`${casePath(caseId)}?${new URLSearchParams({ cursor })}`, { signal: ctx.signal });

  const draw = (caseData, notice = null) => {
    const closed = caseData.status === "closed";
    const replyTitleId = "reply-title";
    const box = composer({
      label: t("case.message"),
      hint: t("case.message_hint", { max: number(MESSAGE_MAX) }),
      submitText: t("case.send"),
      attachments: true,
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
            from: caseData.number,
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
        h("span", { class: "case-number" }, t("case.number", { number: caseData.number })),
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
          conversationThread({
            messages: caseData.messages,
            older: caseData.older_messages,
            author: authorOf,
            load: earlier,
            signal: ctx.signal,
          }),
        ),
        ratingSection(caseData, { rated: (got, notice) => draw(got, notice), signal: ctx.signal }),
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
    ? t(`case.${ctx.state.notice}`, { number: ctx.state.from ?? "" })
    : null;
  const noticePanel = draw(first, arrived);
  if (noticePanel) ctx.focusOn(noticePanel);
}
