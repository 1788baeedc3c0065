// What the customer's case page and the agents' console share: a case's conversation, and a box
// to write in whose every press is one intent (its Idempotency-Key kept when the same text is
// sent again after a failure that may not have reached the API).

import { announce } from "../announcer.js";
import { ApiError, Intent } from "../api.js";
import { focus, h, replace, uid } from "../dom.js";
import { dateTime, has, t } from "../i18n.js";
import { errorPanel, timeOf } from "./common.js";

export const MESSAGE_MAX = 5000;

/**
 * The messages, oldest first. `author(message)` names who wrote each one for the reader;
 * internal notes (agents only ever get them) are marked as such.
 */
export function messageList(messages, author, { emptyText = t("case.no_messages") } = {}) {
  if (!messages.length) return h("p", { class: "hint" }, emptyText);
  return h(
    "ol",
    { class: "messages" },
    messages.map((message) =>
      h(
        "li",
        {
          class: [
            "message",
            `message-${message.author}`,
            message.internal ? "message-internal" : null,
          ]
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
      ),
    ),
  );
}

/** A failure the API put in words about a field: its own text when the page knows the kind. */
function validationText(error) {
  const first = error.body?.error?.errors?.[0];
  if (first && has(`forms.validation.${first.type}`)) return t(`forms.validation.${first.type}`);
  return first?.msg ?? error.message;
}

/**
 * A form with one text box and one button.
 *   label, hint, submitText       its words
 *   build(text)                   the request body for the text written
 *   send(body, idempotencyKey)    the request; resolves with the API's answer
 *   sent(answer)                  what the page does once the API has answered for good
 *   refused(error)                optional: a panel for a refusal the caller explains better,
 *                                 or null to show the error in words as usual
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
  signal,
}) {
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
        showFieldError(validationText(failure));
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
    sent(answer);
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!textarea.value.trim()) {
      showFieldError(t("forms.validation.missing"));
      return;
    }
    deliver(build(textarea.value));
  });
  return form;
}
