// A form per help action: the address form, cancelling with a confirmation, a message box, and
// item pickers for returns and item problems. The API validates; its answers are shown where
// they belong: a field's error at the field, a refusal with its reason and date, a failure in
// words with a retry that reuses the request's Idempotency-Key.

import {
  formatOf,
  loadAddressFormats,
  localityFieldOrder,
  postalCodeProblem,
  regionProblem,
} from "../addresses.js";
import { announce } from "../announcer.js";
import { ApiError, call, get, Intent } from "../api.js";
import { focus, h, replace, uid } from "../dom.js";
import { compare, countryName, number, t } from "../i18n.js";
import { navigate } from "../router.js";
import { validationText } from "../validation.js";
import { attachmentPicker } from "./attachments.js";
import { breadcrumb, errorPanel, heading } from "./common.js";
import { MESSAGE_MAX } from "./conversation.js";
import { unavailableText } from "./help.js";
import { helpPath, orderPath } from "./order.js";

const MESSAGE_ACTIONS = new Set(["payment_issue", "customs_duties", "shipping_delay", "delivery_delay"]);
const ITEM_ACTIONS = new Set(["return_request", "item_problem"]);
const PROBLEMS = ["missing", "incorrect", "lost", "damaged"];
const RESOLUTIONS = ["refund", "replacement"]; // the API's default first
const REASON_MAX = 500;

let countries = null;
async function countryCodes() {
  if (!countries) {
    const response = await fetch("data/countries.json");
    if (!response.ok) throw new ApiError("network", { status: response.status });
    countries = await response.json();
  }
  return countries;
}

/** The fields of one form, by the path the API's error `loc` names (without "body"). */
class Fields {
  constructor() {
    this.byPath = new Map();
  }

  add(path, { control, error, describedBy = [], label }) {
    this.byPath.set(path, { control, error, describedBy, label });
  }

  clear() {
    for (const { control, error, describedBy } of this.byPath.values()) {
      error.hidden = true;
      error.textContent = "";
      control.removeAttribute("aria-invalid");
      setDescribedBy(control, describedBy);
    }
  }

  /** Show `text` at the field `path`; returns the field, or null when no field has that path. */
  show(path, text) {
    const field = this.byPath.get(path);
    if (!field) return null;
    field.error.textContent = text;
    field.error.hidden = false;
    field.control.setAttribute("aria-invalid", "true");
    setDescribedBy(field.control, [...field.describedBy, field.error.id]);
    return field;
  }
}

function setDescribedBy(control, ids) {
  if (ids.length) control.setAttribute("aria-describedby", ids.join(" "));
  else control.removeAttribute("aria-describedby");
}

function errorSlot() {
  return h("p", { class: "field-error", id: uid("error"), hidden: true });
}

function textField(fields, path, label, { value = "", optional = false, hint = null, multiline = false, ...attrs } = {}) {
  const id = uid("field");
  const error = errorSlot();
  const hintEl = hint ? h("p", { class: "hint", id: uid("hint") }, hint) : null;
  const describedBy = hintEl ? [hintEl.id] : [];
  const control = multiline
    ? h("textarea", { id, name: path, rows: "5", ...attrs })
    : h("input", { id, name: path, type: "text", ...attrs });
  control.value = value ?? "";
  setDescribedBy(control, describedBy);
  fields.add(path, { control, error, describedBy, label });
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label, optional ? h("span", { class: "optional" }, ` ${t("forms.optional")}`) : null),
    hintEl,
    error,
    control,
  );
}

/** What the country calls its postcode and its region, and whether the region is needed. */
function localityWords(country) {
  const rule = formatOf(country);
  return {
    postal_code: {
      label: t(`forms.address.postal_code_label.${rule.postalCode.label}`),
      hint: rule.postalCode.example ? t("forms.address.example", { example: rule.postalCode.example }) : null,
      optional: false,
    },
    region: {
      label: t(`forms.address.region_label.${rule.region.label}`),
      hint: rule.region.codes ? t("forms.address.region_code_hint", { example: rule.region.example }) : null,
      optional: !rule.region.required,
    },
    city: { label: t("forms.address.city"), hint: null, optional: false },
  };
}

const LOCALITY_ATTRS = {
  postal_code: { autocomplete: "postal-code", maxlength: "16" },
  city: { autocomplete: "address-level2", maxlength: "100" },
  region: { autocomplete: "address-level1", maxlength: "100" },
};

/**
 * The address form, laid out the way the chosen country writes addresses (the rules' own data):
 * the country first, then the street, then the city, region and postcode in the country's order,
 * each called what the country calls it. Changing the country lays the fields out again,
 * keeping what was written.
 */
async function addressFields(fields, address) {
  const [codes] = await Promise.all([countryCodes(), loadAddressFormats()]);
  const field = (name, options = {}) =>
    textField(fields, `address.${name}`, t(`forms.address.${name}`), {
      value: address[name] ?? "",
      ...options,
    });
  const countryId = uid("field");
  const countryError = errorSlot();
  const select = h(
    "select",
    { id: countryId, name: "address.country", autocomplete: "country" },
    codes
      .map((code) => [code, countryName(code)])
      .sort((a, b) => compare(a[1], b[1]))
      .map(([code, name]) => h("option", { value: code, selected: code === address.country }, name)),
  );
  fields.add("address.country", { control: select, error: countryError, label: t("forms.address.country") });
  const locality = h("div", { class: "locality" });
  const written = { city: address.city ?? "", postal_code: address.postal_code ?? "", region: address.region ?? "" };
  const layOut = () => {
    const words = localityWords(select.value);
    for (const name of ["city", "postal_code", "region"]) {
      const control = locality.querySelector(`[name="address.${name}"]`);
      if (control) written[name] = control.value;
    }
    const order = localityFieldOrder(select.value);
    const parts = order.map((name) =>
      textField(fields, `address.${name}`, words[name].label, {
        value: written[name],
        optional: words[name].optional,
        hint: words[name].hint,
        ...LOCALITY_ATTRS[name],
      }),
    );
    // Postcode and city side by side where the country writes them on one line.
    const pairIndex = order.indexOf("postal_code") === order.indexOf("city") - 1 ? order.indexOf("postal_code") : -1;
    if (pairIndex >= 0) {
      parts.splice(pairIndex, 2, h("div", { class: "field-row" }, parts[pairIndex], parts[pairIndex + 1]));
    }
    replace(locality, parts);
    locality.dataset.country = select.value;
  };
  layOut();
  select.addEventListener("change", layOut);
  return [
    h(
      "div",
      { class: "field" },
      h("label", { for: countryId }, t("forms.address.country")),
      countryError,
      select,
    ),
    field("name", { autocomplete: "name", maxlength: "200" }),
    field("line1", { autocomplete: "address-line1", maxlength: "200" }),
    field("line2", { autocomplete: "address-line2", maxlength: "200", optional: true }),
    locality,
    field("phone", { autocomplete: "tel", type: "tel", optional: true }),
  ];
}

function addressBody(form) {
  const value = (name) => form.elements[`address.${name}`].value.trim();
  const address = {};
  for (const name of ["name", "line1", "city", "postal_code", "country"]) address[name] = value(name);
  for (const name of ["line2", "region", "phone"]) {
    if (value(name)) address[name] = value(name);
  }
  return { address };
}

/** The checks the API makes of an address that the page can make first, with the rules' own
 * data: the postcode's format and the US state code. The same errors the API would give. */
function addressProblems(body) {
  const { country, postal_code: postalCode, region = "" } = body.address;
  const order = localityFieldOrder(country);
  return [
    ["postal_code", postalCodeProblem(country, postalCode)],
    ["region", regionProblem(country, region)],
  ]
    .filter(([, type]) => type)
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b)) // as the form lists them
    .map(([field, type]) => ({ loc: ["body", "address", field], type }));
}

function messageField(fields) {
  return textField(fields, "message", t("forms.message"), {
    multiline: true,
    hint: t("forms.message_hint", { max: number(MESSAGE_MAX) }),
    maxlength: String(MESSAGE_MAX),
  });
}

/** One row per line item: a checkbox, and how many when more than one was ordered. */
function itemPicker(fields, order) {
  const legendError = errorSlot();
  const rows = order.items.map((item) => {
    const checkId = uid("item");
    const nameId = uid("item-name");
    const checkbox = h("input", { type: "checkbox", id: checkId, name: "items", value: item.sku });
    const row = h(
      "div",
      { class: "item-choice", "data-sku": item.sku },
      h(
        "div",
        { class: "check" },
        checkbox,
        h(
          "label",
          { for: checkId },
          h("span", { id: nameId }, item.name),
          h("span", { class: "hint" }, t("forms.items.ordered", { count: item.quantity })),
        ),
      ),
    );
    let quantity = null;
    if (item.quantity > 1) {
      const quantityId = uid("qty");
      const error = errorSlot();
      quantity = h("input", {
        type: "number",
        id: quantityId,
        name: `quantity.${item.sku}`,
        min: "1",
        max: String(item.quantity),
        step: "1",
        inputmode: "numeric",
        disabled: true,
      });
      quantity.value = "1"; // most returns and problems are about one of them
      setDescribedBy(quantity, [nameId]);
      fields.add(`items.${item.sku}.quantity`, {
        control: quantity,
        error,
        describedBy: [nameId],
        label: t("forms.items.quantity_of", { name: item.name }),
      });
      row.append(
        h("div", { class: "field quantity" }, h("label", { for: quantityId }, t("forms.items.quantity")), error, quantity),
      );
      checkbox.addEventListener("change", () => {
        quantity.disabled = !checkbox.checked;
      });
    }
    fields.add(`items.${item.sku}`, { control: checkbox, error: errorSlot(), describedBy: [] });
    return { item, checkbox, quantity, row };
  });
  const fieldset = h(
    "fieldset",
    { class: "items-picker" },
    h("legend", {}, t("forms.items.legend")),
    legendError,
    rows.map((row) => row.row),
  );
  // A fieldset's error is read with its first checkbox.
  fields.add("items", { control: rows[0].checkbox, error: legendError, describedBy: [], label: t("forms.items.legend") });
  const chosen = () =>
    rows
      .filter((row) => row.checkbox.checked)
      .map((row) => {
        const raw = row.quantity ? row.quantity.value.trim() : "1";
        const count = Number(raw);
        return { sku: row.item.sku, quantity: Number.isInteger(count) && raw !== "" ? count : raw };
      });
  return { element: fieldset, chosen };
}

function problemPicker(fields) {
  const error = errorSlot();
  const radios = PROBLEMS.map((kind) => {
    const id = uid("problem");
    const radio = h("input", { type: "radio", id, name: "problem", value: kind });
    return { radio, element: h("div", { class: "check" }, radio, h("label", { for: id }, t(`forms.problem.${kind}`))) };
  });
  fields.add("problem", { control: radios[0].radio, error, describedBy: [], label: t("forms.problem.legend") });
  return h(
    "fieldset",
    { class: "choices" },
    h("legend", {}, t("forms.problem.legend")),
    error,
    radios.map((radio) => radio.element),
  );
}

/** Money back or a replacement: the customer chooses; a replacement is a request customer service
 * approves, which the hint says. The refund is chosen until the customer picks otherwise. */
function resolutionPicker(fields) {
  const error = errorSlot();
  const radios = RESOLUTIONS.map((kind, index) => {
    const id = uid("resolution");
    const hintId = uid("resolution-hint");
    const radio = h("input", {
      type: "radio",
      id,
      name: "resolution",
      value: kind,
      checked: index === 0,
      "aria-describedby": hintId,
    });
    return {
      radio,
      element: h(
        "div",
        { class: "check" },
        radio,
        h(
          "div",
          {},
          h("label", { for: id }, t(`forms.resolution.${kind}`)),
          h("p", { class: "hint", id: hintId }, t(`forms.resolution.${kind}_hint`)),
        ),
      ),
    };
  });
  fields.add("resolution", { control: radios[0].radio, error, describedBy: [], label: t("forms.resolution.legend") });
  return h(
    "fieldset",
    { class: "choices" },
    h("legend", {}, t("forms.resolution.legend")),
    error,
    radios.map((radio) => radio.element),
  );
}

function confirmDialog(order) {
  const titleId = uid("confirm");
  const textId = uid("confirm-text");
  return h(
    "dialog",
    { class: "confirm", "aria-labelledby": titleId, "aria-describedby": textId },
    h(
      "form",
      { method: "dialog" },
      h("h2", { id: titleId }, t("forms.cancel.confirm_title", { id: order.order_id })),
      h("p", { id: textId }, t("forms.cancel.confirm_text")),
      h(
        "div",
        { class: "form-actions" },
        h("button", { class: "button button-danger", value: "yes" }, t("forms.cancel.confirm_yes")),
        h("button", { class: "button", value: "no", autofocus: true }, t("forms.cancel.confirm_no")),
      ),
    ),
  );
}

/** `loc` ["body", "items", 0, "quantity"] → "items.SKU.quantity", by the items that were sent. */
function fieldPath(loc, body) {
  const parts = loc[0] === "body" ? loc.slice(1) : [...loc];
  if (parts[0] === "items" && typeof parts[1] === "number" && body.items?.[parts[1]]) {
    parts[1] = body.items[parts[1]].sku;
    if (parts[2] === "sku") parts.length = 2;
  }
  return parts.join(".");
}


export async function helpFormView(ctx) {
  const { order_id: orderId, action } = ctx.params;
  const order = await get(orderPath(orderId), { signal: ctx.signal });
  const entry = order.help.find((candidate) => candidate.action === action);
  if (!entry) throw new ApiError("not_found", { status: 404 });
  ctx.title(entry.label);
  const backHref = `#${orderPath(orderId)}`;
  const top = [
    breadcrumb(["#/orders", t("order.back")], [backHref, t("forms.back", { id: order.order_id })]),
    heading(entry.label),
  ];
  const backLink = h("a", { href: backHref, class: "button" }, t("forms.back_to_order"));

  if (!entry.available) {
    // Offered a moment ago, or reached by address: say why not, and when.
    const panel = refusalPanel(t("forms.unavailable_title"), entry);
    replace(ctx.main, top, panel, backLink);
    return;
  }

  const fields = new Fields();
  const alert = h("div", { class: "form-alert" });
  const submit = h(
    "button",
    { type: "submit", class: `button ${action === "cancel_order" ? "button-danger" : "button-primary"}` },
    t(`forms.submit.${action}`),
  );
  const parts = [];
  let photos = null;
  let build = () => ({});
  if (action === "change_address") {
    parts.push(await addressFields(fields, order.shipping_address));
    build = () => addressBody(form);
  } else if (action === "cancel_order") {
    parts.push(textField(fields, "reason", t("forms.cancel.reason"), { multiline: true, optional: true, maxlength: String(REASON_MAX) }));
    build = () => {
      const reason = form.elements.reason.value.trim();
      return reason ? { reason } : {};
    };
  } else if (MESSAGE_ACTIONS.has(action)) {
    parts.push(messageField(fields));
    build = () => ({ message: form.elements.message.value });
  } else if (ITEM_ACTIONS.has(action)) {
    const picker = itemPicker(fields, order);
    if (action === "item_problem") parts.push(problemPicker(fields));
    photos = attachmentPicker({ label: t("attachments.add_photos"), signal: ctx.signal });
    parts.push(picker.element, resolutionPicker(fields), messageField(fields), photos.element);
    build = () => {
      const body = {};
      if (action === "item_problem") {
        const problem = form.querySelector("input[name=problem]:checked");
        if (problem) body.problem = problem.value;
      }
      body.items = picker.chosen();
      const resolution = form.querySelector("input[name=resolution]:checked");
      if (resolution) body.resolution = resolution.value;
      body.message = form.elements.message.value;
      return body;
    };
  }

  const form = h(
    "form",
    { class: "card help-form", novalidate: true, "data-action": action },
    h("p", { class: "lead" }, t(`forms.intro.${action}`)),
    alert,
    parts,
    h("div", { class: "form-actions" }, submit, h("a", { href: backHref }, t("forms.back_to_order"))),
  );
  const dialog = action === "cancel_order" ? confirmDialog(order) : null;
  const intent = new Intent();

  const busy = (on) => {
    submit.disabled = on;
    submit.textContent = on ? t("forms.sending") : t(`forms.submit.${action}`);
    form.setAttribute("aria-busy", String(on));
  };

  const showValidation = (errors, body, apiError = null) => {
    const items = [];
    let firstField = null;
    const country = body.address?.country ?? null;
    for (const error of errors) {
      const text = validationText(error, { apiError, country });
      const path = fieldPath(error.loc ?? [], body);
      // The nearest field the error belongs to: "address.postal_code", else "items", …
      let shown = null;
      for (let probe = path; probe && !shown; probe = probe.split(".").slice(0, -1).join(".")) {
        shown = fields.show(probe, text);
      }
      firstField ??= shown?.control ?? null;
      const label = shown?.label;
      const entryText = label ? `${label}: ${text}` : text;
      items.push(
        h(
          "li",
          {},
          shown
            ? h(
                "a",
                {
                  href: `#${shown.control.id}`,
                  onclick: (event) => {
                    event.preventDefault();
                    focus(shown.control);
                  },
                },
                entryText,
              )
            : entryText,
        ),
      );
    }
    const summary = h(
      "div",
      { class: "panel panel-error error-summary", role: "alert", tabindex: "-1" },
      h("h2", { class: "panel-title" }, t("forms.error_summary")),
      h("ul", {}, items),
    );
    replace(alert, summary);
    focus(summary);
  };

  const send = async (body) => {
    fields.clear();
    replace(alert);
    busy(true);
    announce(t("forms.sending"));
    try {
      const answer = await call(helpPath(orderId, action), {
        method: "POST",
        body,
        idempotencyKey: intent.keyFor(body),
        signal: ctx.signal,
      });
      intent.settle();
      navigate(orderPath(orderId), { outcome: { ...answer.body, opened: answer.status === 201 } });
    } catch (error) {
      if (ctx.signal.aborted) return;
      busy(false);
      if (!(error instanceof ApiError)) console.error(error);
      if (error.kind === "unauthorized") return; // on the way to sign-in
      if (error.kind === "validation" && Array.isArray(error.body?.error?.errors)) {
        intent.settle();
        showValidation(error.body.error.errors, body, error);
        return;
      }
      if (error.kind === "refused") {
        // The order changed since the page was drawn (shipped, say): the API says why and when.
        intent.settle();
        const panel = refusalPanel(t("forms.refused_title"), error.body.error);
        replace(ctx.main, top, panel, backLink);
        focus(panel);
        return;
      }
      // Nothing says the API did not act: a retry sends the same request with the same key.
      const retryable = error instanceof ApiError && error.retryable;
      if (!retryable) intent.settle();
      const panel = errorPanel(error, retryable ? () => send(body) : null);
      replace(alert, panel);
      focus(panel);
    }
  };

  /** What the page can tell before sending: a blank message, an address not written as its
   * country writes it. Said at the fields, as the API's errors are. */
  const problemsBefore = (body) => {
    const problems = [];
    if ("message" in body && !body.message.trim()) problems.push({ loc: ["body", "message"], type: "missing" });
    if (body.address) problems.push(...addressProblems(body));
    return problems;
  };

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = build();
    if (photos?.busy()) {
      replace(alert, h("p", { class: "panel panel-info", role: "alert" }, t("attachments.wait")));
      photos.focus();
      return;
    }
    const ids = photos?.ids() ?? [];
    if (ids.length) body.attachment_ids = ids;
    const problems = problemsBefore(body);
    if (problems.length) {
      fields.clear();
      showValidation(problems, body);
      return;
    }
    if (dialog) {
      dialog.returnValue = "";
      dialog.showModal();
      dialog.addEventListener(
        "close",
        () => {
          if (dialog.returnValue === "yes") send(body);
          else focus(submit);
        },
        { once: true },
      );
    } else {
      send(body);
    }
  });

  replace(ctx.main, top, form, dialog);
}

/** Why an action cannot be done, in the page's words with the date formatted here: the help
 * list's entry, or the API's refusal (which carries the same reason and dates). */
function refusalPanel(title, entry) {
  return h(
    "div",
    { class: "panel panel-warning refusal", role: "alert", tabindex: "-1", "data-reason": entry.reason },
    h("h2", { class: "panel-title" }, title),
    h("p", { class: "reason" }, unavailableText(entry)),
  );
}
