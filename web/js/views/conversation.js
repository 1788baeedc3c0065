// What the customer's case page and the agents' console share: a case's conversation, and a box
// to write in whose every press is one intent (its Idempotency-Key kept when the same text is
// sent again after a failure that may not have reached the API).

import { announce } from "../announcer.js";
import { ApiError, Intent } from "../api.js";
import { focus, h, replace, uid } from "../dom.js";
import { dateTime, has, locale, t } from "../i18n.js";
import { validationText } from "../validation.js";
import { errorPanel, timeOf } from "./common.js";
import { attachmentGallery, attachmentPicker } from "./attachments.js";
import { addressLines } from "./order.js";

/** The rules' one limit for every message (lifecycle.text.MESSAGE_MAX_LENGTH): the help forms
 * and the reply boxes alike. */
export const MESSAGE_MAX = 5000;

/**
 * What the customer asked for beyond their first message (the case's `details`): the items and
 * how many, what happened, a reason, a new address. Item names come from the order when it is
 * at hand (else the SKU). `words` is "case" (the customer's page) or "agent" (the console);
 * `fact(label, value)` makes one row of the caller's list.
 */
export function requestDetails(caseData, order, { fact, words = "agent" }) {
  const details = caseData.details ?? {};
  const facts = [];
  if (Array.isArray(details.items) && details.items.length) {
    const names = Object.fromEntries((order?.items ?? []).map((item) => [item.sku, item.name]));
    facts.push(
      fact(
        t(`${words}.details_items`),
        h(
          "ul",
          { class: "plain asked-items" },
          details.items.map((item) =>
            h(
              "li",
              { "data-sku": item.sku },
              t(`${words}.details_item`, { quantity: item.quantity, name: names[item.sku] ?? item.sku }),
            ),
          ),
        ),
      ),
    );
  }
  if (details.problem && has(`forms.problem.${details.problem}`)) {
    facts.push(fact(t(`${words}.details_problem`), t(`forms.problem.${details.problem}`)));
  }
  if (details.reason) facts.push(fact(t(`${words}.details_reason`), details.reason));
  if (details.address) {
    facts.push(
      fact(
        t(`${words}.details_address`),
        addressLines(details.address).map((line, index) => (index ? [h("br"), line] : line)),
      ),
    );
  }
  return facts;
}

/** One message: who wrote it and when, an internal note marked as such, what it says, and its
 * photos and files (thumbnails that open a full view). */
function messageItem(message, author, { signal } = {}) {
  return h(
    "li",
    {
      class: ["message", `message-${message.author}`, message.internal ? "message-internal" : null]
        .filter(Boolean)
        .join(" "),
      "data-author": message.author,
      "data-internal": message.internal ? "true" : null,
    },
    h(
      "p",
      { class: "message-meta" },
      h("strong", { class: "message-author" }, author(message)),
      " ",
      timeOf(message.at, dateTime(message.at)),
    ),
    message.internal ? h("p", { class: "message-flag" }, t("agent.internal")) : null,
    h("p", { class: "message-body" }, message.body),
    attachmentGallery(message.attachment_ids, { signal }),
  );
}

/**
 * The messages, oldest first. `author(message)` names who wrote each one for the reader;
 * internal notes (agents only ever get them) are marked as such.
 */
export function messageList(messages, author, { emptyText = t("case.no_messages"), signal } = {}) {
  if (!messages.length) return h("p", { class: "hint" }, emptyText);
  return h(
    "ol",
    { class: "messages" },
    messages.map((message) => messageItem(message, author, { signal })),
  );
}

/**
 * A case's conversation as the API gives it, its latest page: the messages, and above them a
 * button that reads the page before (the case's `older_messages`) and puts it on top, until the
 * conversation's start.
 *   messages, older     the page the case came with, and its `older_messages`
 *   author(message)     who wrote each one, for the reader
 *   load(cursor)        resolves with the case read from that cursor ({messages, older_messages})
 */
export function conversationThread({ messages, older, author, load, signal }) {
  let cursor = older;
  // With earlier pages to come the list is there even if this page shows nothing (a page of
  // agents' notes, which the customer does not see).
  const list =
    messages.length || !cursor
      ? messageList(messages, author, { signal })
      : h("ol", { class: "messages" });
  if (!cursor) return list;
  const control = h("div", { class: "earlier" });
  const button = h("button", { type: "button", class: "button" }, t("case.earlier.show"));

  function showControl() {
    button.disabled = false;
    button.textContent = t("case.earlier.show");
    replace(control, cursor ? button : h("p", { class: "hint" }, t("case.earlier.start")));
  }

  button.addEventListener("click", async () => {
    button.disabled = true;
    button.textContent = t("case.earlier.loading");
    control.querySelector(".panel-error")?.remove();
    try {
      const page = await load(cursor);
      const added = page.messages.map((message) => messageItem(message, author, { signal }));
      list.prepend(...added);
      cursor = page.older_messages;
      const shown = t("case.earlier.shown", { count: added.length });
      announce(cursor ? shown : `${shown} ${t("case.earlier.start")}`);
      showControl();
      // The reader goes on from the first of the messages just shown, and reads down to where
      // they were; with none to show (a page of agents' notes only), from the control.
      focus(added[0] ?? control.querySelector("button, p"));
    } catch (error) {
      if (signal?.aborted) return;
      if (!(error instanceof ApiError)) console.error(error);
      showControl();
      const panel = errorPanel(error, null);
      control.append(panel);
      focus(panel);
    }
  });
  showControl();
  return h("div", { class: "thread" }, control, list);
}

/** A failure the API put in words about the text written, in the page's words. */
function fieldErrorText(error) {
  const first = error.body?.error?.errors?.[0];
  if (first) return validationText(first, { apiError: error });
  return error.messageIsIn?.(locale()) ? error.message : t("forms.validation.invalid");
}

/**
 * A form with one text box and one button.
 *   label, hint, submitText       its words
 *   build(text)                   the request body for the text written
 *   send(body, idempotencyKey)    the request; resolves with the API's answer
 *   sent(answer)                  what the page does once the API has answered for good
 *   refused(error)                optional: a panel for a refusal the caller explains better,
 *                                 or null to show the error in words as usual
 *   attachments                   optional: photos and files can go with the text
 */
export function composer({
  label,
  hint = null,
  submitText,
  build,
  send,
  sent,
  refused = () => null,
  className = "",
  buttonClass = "button-primary",
  attachments = false,
  signal,
}) {
  const picker = attachments ? attachmentPicker({ signal }) : null;
  const fieldId = uid("field");
  const hintId = hint ? uid("hint") : null;
  const error = h("p", { class: "field-error", id: uid("error"), hidden: true });
  const textarea = h("textarea", {
    id: fieldId,
    name: "body",
    rows: "4",
    maxlength: String(MESSAGE_MAX),
    "aria-describedby": hintId,
  });
  const alert = h("div", { class: "form-alert" });
  const submit = h("button", { type: "submit", class: `button ${buttonClass}` }, submitText);
  const form = h(
    "form",
    { class: `composer ${className}`.trim(), novalidate: true },
    h(
      "div",
      { class: "field" },
      h("label", { for: fieldId }, label),
      hint ? h("p", { class: "hint", id: hintId }, hint) : null,
      error,
      textarea,
    ),
    picker?.element,
    alert,
    h("div", { class: "form-actions" }, submit),
  );
  const intent = new Intent();

  const showFieldError = (text) => {
    error.textContent = text;
    error.hidden = false;
    textarea.setAttribute("aria-invalid", "true");
    textarea.setAttribute("aria-describedby", [hintId, error.id].filter(Boolean).join(" "));
    focus(textarea);
  };
  const clearFieldError = () => {
    error.hidden = true;
    error.textContent = "";
    textarea.removeAttribute("aria-invalid");
    if (hintId) textarea.setAttribute("aria-describedby", hintId);
    else textarea.removeAttribute("aria-describedby");
  };
  const busy = (on) => {
    submit.disabled = on;
    submit.textContent = on ? t("forms.sending") : submitText;
    form.setAttribute("aria-busy", String(on));
  };

  const deliver = async (body) => {
    clearFieldError();
    replace(alert);
    busy(true);
    announce(t("forms.sending"));
    let answer;
    try {
      answer = await send(body, intent.keyFor(body));
    } catch (failure) {
      if (signal?.aborted) return;
      busy(false);
      if (!(failure instanceof ApiError)) console.error(failure);
      if (failure.kind === "unauthorized") return; // on the way to sign-in
      if (failure.kind === "validation") {
        intent.settle();
        showFieldError(fieldErrorText(failure));
        return;
      }
      // Nothing says the API did not act: trying again sends the same request with the same key.
      const retryable = failure instanceof ApiError && failure.retryable;
      if (!retryable) intent.settle();
      const panel =
        (!retryable && refused(failure)) || errorPanel(failure, retryable ? () => deliver(body) : null);
      replace(alert, panel);
      focus(panel);
      return;
    }
    intent.settle();
    busy(false);
    picker?.reset();
    sent(answer);
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!textarea.value.trim()) {
      showFieldError(t("forms.validation.blank"));
      return;
    }
    if (picker?.busy()) {
      showFieldError(t("attachments.wait"));
      return;
    }
    const body = build(textarea.value);
    const ids = picker?.ids() ?? [];
    deliver(ids.length ? { ...body, attachment_ids: ids } : body);
  });
  return form;
}
