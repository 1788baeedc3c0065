// The API's validation errors ({loc, msg, type}) in the page's own words, chosen by the field and
// the error's type; the API's message only when it is in the page's language, else a plain
// sentence of the page's — never a developer's English on a Spanish page.

import { formatOf } from "./addresses.js";
import { has, locale, t } from "./i18n.js";

/** Fields of free text, where the only pattern is "not only blanks". */
const WRITTEN = new Set(["message", "body", "reason", "resolution"]);

/** The last named part of `loc` (["body", "items", 0, "quantity"] → "quantity"). */
export function fieldOf(loc = []) {
  return [...loc].reverse().find((part) => typeof part === "string" && part !== "body") ?? "";
}

/**
 * `error` in the page's words. `apiError` is the ApiError that carried it (its language says
 * whether its messages may be shown); `country` the address form's country, for the postcode's
 * example.
 */
export function validationText(error, { apiError = null, country = null } = {}) {
  const field = fieldOf(error.loc);
  const type = error.type ?? "";
  if (WRITTEN.has(field) && (type === "string_pattern_mismatch" || type === "string_too_short" || type === "missing")) {
    return t("forms.validation.blank");
  }
  if (type === "postal_code_format" || type === "region_required" || type === "region_code") {
    const rule = country ? formatOf(country) : null;
    const example = type === "postal_code_format" ? rule?.postalCode.example : rule?.region.example;
    return example ? t(`forms.validation.${type}`, { example }) : t(`forms.validation.${type}_plain`);
  }
  if (has(`forms.field_validation.${field}.${type}`)) return t(`forms.field_validation.${field}.${type}`);
  if (has(`forms.validation.${type}`)) return t(`forms.validation.${type}`);
  if (error.msg && apiError?.messageIsIn(locale())) return error.msg;
  return t("forms.validation.invalid");
}
