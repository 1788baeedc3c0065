// Returns and refunds: what Order Details says of each (its status in words, the items, the
// amounts and dates, the label to print), and the agents' steps on a case (approve or reject a
// requested return, refund up to what is left).

import { ApiError, Intent } from "../api.js";
import { session } from "../auth.js";
import { config } from "../config.js";
import { focus, h, replace, uid } from "../dom.js";
import { date, locale, money, t } from "../i18n.js";
import { errorPanel, errorText, timeOf } from "./common.js";

/** "Reembolso de 21,95 € pendiente", "… emitido el 3 de diciembre a tu tarjeta". */
export function refundSentence(refund) {
  const amount = money(refund.amount);
  if (refund.status === "issued") {
    return t("returns.refund_issued", {
      amount,
      date: date(refund.issued_at),
      method: t(`returns.methods.${refund.method}`),
    });
  }
  if (refund.status === "failed") {
    return t("returns.refund_failed", { amount, reason: refund.failure_reason ?? "" });
  }
  return t("returns.refund_due", { amount });
}

function itemsText(items, order) {
  const names = Object.fromEntries(order.items.map((line) => [line.sku, line.name]));
  return items.map((line) => `${line.quantity} × ${names[line.sku] ?? line.sku}`).join(", ");
}

/** The label's PDF, fetched with the session's token (a plain link would carry none). */
async function downloadLabel(record, button, alert) {
  button.disabled = true;
  replace(alert);
  try {
    const response = await fetch(config().api_url + record.label_url, {
      headers: {
        authorization: `Bearer ${session()?.access_token ?? ""}`,
        "accept-language": locale(),
        accept: "application/pdf",
      },
      cache: "no-store",
    });
    if (!response.ok) throw new ApiError(response.status >= 500 ? "server" : "client", { status: response.status });
    const url = URL.createObjectURL(await response.blob());
    const link = h("a", { href: url, download: `${record.rma}.pdf`, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (error) {
    const panel = errorPanel(error instanceof ApiError ? error : new ApiError("network"), null);
    replace(alert, panel);
    focus(panel);
  } finally {
    button.disabled = false;
  }
}

function returnCard(record, order, headingLevel, forAgent) {
  const alert = h("div", { class: "form-alert" });
  const facts = [
    h("li", {}, t("returns.items"), ": ", itemsText(record.items, order)),
    h("li", {}, t("returns.resolution"), ": ", t(`returns.resolutions.${record.resolution}`)),
    h("li", {}, t("returns.requested_on"), " ", timeOf(record.requested_at)),
  ];
  if (record.drop_off_by && record.status === "approved") {
    facts.push(h("li", { class: "return-deadline" }, t("returns.drop_off_by"), " ", timeOf(record.drop_off_by)));
  }
  if (record.reason) facts.push(h("li", {}, t("returns.reason"), ": ", record.reason));
  if (record.received_items.length) {
    const condition = record.received_items
      .map((line) => `${line.quantity} × ${line.sku} (${t(`returns.conditions.${line.condition}`)})`)
      .join(", ");
    facts.push(h("li", {}, t("returns.received"), ": ", condition));
  }
  let download = null;
  if (record.label_url && record.status === "approved" && !forAgent) {
    const button = h("button", { type: "button", class: "button button-primary return-label" }, t("returns.label"));
    button.addEventListener("click", () => downloadLabel(record, button, alert));
    download = h("div", { class: "form-actions" }, button);
  }
  return h(
    "article",
    { class: "return", "data-return-id": record.return_id, "data-status": record.status },
    h(
      headingLevel,
      { class: "return-title" },
      record.rma ? t("returns.title_rma", { rma: record.rma }) : t("returns.title", { id: record.return_id }),
    ),
    h("p", { class: `badge badge-return-${record.status}` }, record.status_label),
    h("ul", { class: "facts" }, facts),
    download,
    alert,
  );
}

/** Order Details' returns and refunds; nothing when the order has none. */
export function returnsSection(order, { level = 2, forAgent = false } = {}) {
  const returns = order.returns ?? [];
  const refunds = order.refunds ?? [];
  if (!returns.length && !refunds.length) return null;
  const id = uid("section");
  const inner = `h${level + 1}`;
  return h(
    "section",
    { class: "card returns", "aria-labelledby": id },
    h(`h${level}`, { id }, t("returns.section")),
    returns.length
      ? h("ul", { class: "return-list" }, returns.map((record) => h("li", {}, returnCard(record, order, inner, forAgent))))
      : null,
    refunds.length
      ? h(
          "ul",
          { class: "refund-list" },
          refunds.map((refund) =>
            h(
              "li",
              { class: "refund", "data-refund-id": refund.refund_id, "data-status": refund.status },
              h("strong", {}, refundSentence(refund)),
              " ",
              h("span", { class: "hint" }, t(`returns.sources.${refund.source}`)),
            ),
          ),
        )
      : null,
  );
}

/** A form of the agents' steps: its fields, and a button that sends `build()`. */
function stepForm({ className, title, fields, submitText, build, send, sent, refused, signal }) {
  const alert = h("div", { class: "form-alert" });
  const submit = h("button", { type: "submit", class: "button button-primary" }, submitText);
  const form = h(
    "form",
    { class: `return-step ${className}`, novalidate: true },
    h("h3", {}, title),
    fields,
    alert,
    h("div", { class: "form-actions" }, submit),
  );
  const intent = new Intent();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = build();
    if (body === null) return;
    submit.disabled = true;
    replace(alert);
    try {
      const answer = await send(body, intent.keyFor(body));
      intent.settle();
      sent(answer);
    } catch (error) {
      if (signal?.aborted) return;
      submit.disabled = false;
      if (error instanceof ApiError && error.kind === "unauthorized") return;
      const retryable = error instanceof ApiError && error.retryable;
      if (!retryable) intent.settle();
      const panel = (!retryable && refused(error)) || refusal(error, retryable);
      replace(alert, panel);
      focus(panel);
    }
  });
  return form;
}

function refusal(error, retryable) {
  if (error?.code === "refund_exceeds_paid") {
    const left = error.body.error.left;
    return h(
      "div",
      { class: "panel panel-error", role: "alert", tabindex: "-1" },
      h("p", {}, t("returns.exceeds", { left: money(left) })),
    );
  }
  if (error?.code === "no_return_requested") {
    return h("div", { class: "panel panel-error", role: "alert", tabindex: "-1" }, h("p", {}, t("returns.none_waiting")));
  }
  return retryable ? errorPanel(error, null) : h("div", { class: "panel panel-error", role: "alert", tabindex: "-1" }, h("p", {}, errorText(error)));
}

function textField(label, { name, hint = null, type = "textarea", attrs = {} }) {
  const id = uid("field");
  const hintId = hint ? uid("hint") : null;
  const error = h("p", { class: "field-error", id: uid("error"), hidden: true });
  const input =
    type === "textarea"
      ? h("textarea", { id, name, rows: "3", maxlength: "500", "aria-describedby": hintId, ...attrs })
      : h("input", { id, name, type, "aria-describedby": hintId, ...attrs });
  const wrapper = h("div", { class: "field" }, h("label", { for: id }, label), hint ? h("p", { class: "hint", id: hintId }, hint) : null, error, input);
  const showError = (text) => {
    error.textContent = text;
    error.hidden = false;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", [hintId, error.id].filter(Boolean).join(" "));
    focus(input);
  };
  const clear = () => {
    error.hidden = true;
    input.removeAttribute("aria-invalid");
  };
  return { wrapper, input, showError, clear };
}

/** The agents' return and refund steps on a case: approve or reject its requested return, and
 * refund (an item problem's refund, or goodwill) with what is left to refund in view. */
export function returnSteps(caseData, order, refundLeft, { post, done, refused, signal }) {
  if (caseData.status === "closed") return null;
  const steps = [];
  const waiting = (order.returns ?? []).filter(
    (record) => record.case_id === caseData.case_id && record.status === "requested",
  );
  if (caseData.action === "return_request" && waiting.length) {
    steps.push(
      stepForm({
        className: "return-approve",
        title: t("returns.approve_title", { items: waiting.map((r) => itemsText(r.items, order)).join("; ") }),
        fields: h("p", { class: "hint" }, t("returns.approve_hint")),
        submitText: t("returns.approve"),
        build: () => ({}),
        send: (body, key) => post("return/approve", body, key),
        sent: done("approve"),
        refused,
        signal,
      }),
    );
    const reason = textField(t("returns.reject_reason"), { name: "reason", hint: t("returns.reject_hint") });
    steps.push(
      stepForm({
        className: "return-reject",
        title: t("returns.reject_title"),
        fields: reason.wrapper,
        submitText: t("returns.reject"),
        build: () => {
          reason.clear();
          const text = reason.input.value.trim();
          if (!text) {
            reason.showError(t("returns.reason_needed"));
            return null;
          }
          return { reason: text };
        },
        send: (body, key) => post("return/reject", body, key),
        sent: done("reject"),
        refused,
        signal,
      }),
    );
  }
  const amount = textField(t("returns.amount", { currency: refundLeft.currency }), {
    name: "amount",
    type: "text",
    hint: t("returns.left", { left: money(refundLeft) }),
    attrs: { inputmode: "decimal", autocomplete: "off", size: "10" },
  });
  const why = textField(t("returns.refund_reason"), { name: "reason", hint: t("returns.refund_reason_hint") });
  steps.push(
    stepForm({
      className: "agent-refund",
      title: t("returns.refund_title"),
      fields: [h("p", { class: "refund-left" }, h("strong", {}, t("returns.left", { left: money(refundLeft) }))), amount.wrapper, why.wrapper],
      submitText: t("returns.refund"),
      build: () => {
        amount.clear();
        why.clear();
        const value = amount.input.value.trim().replace(",", ".");
        if (!/^\d{1,12}(\.\d{1,4})?$/.test(value) || Number(value) <= 0) {
          amount.showError(t("returns.amount_invalid"));
          return null;
        }
        if (Number(value) > Number(refundLeft.amount)) {
          amount.showError(t("returns.exceeds", { left: money(refundLeft) }));
          return null;
        }
        const text = why.input.value.trim();
        if (!text) {
          why.showError(t("returns.reason_needed"));
          return null;
        }
        return { amount: value, reason: text };
      },
      send: (body, key) => post("refund", body, key),
      sent: done("refund"),
      refused,
      signal,
    }),
  );
  return h("div", { class: "return-steps" }, steps);
}
