// How each country writes an address and its postcode, read from the rules' own data
// (data/address_formats.json is a copy of statemachine/lifecycle/data/address_formats.json, kept
// equal by a test): the order of the locality lines, the postcode's format and the US state codes.
// The API checks addresses; the page lays out its form the same way and checks it before sending.

import { ApiError } from "./api.js";

/** Until the data arrives (or if it cannot), addresses are written the most common way. */
const FALLBACK = {
  default: { layout: ["{postal_code} {city}", "{region}"], postal_code: { label: "postal_code" }, region: { label: "region" } },
  countries: {},
};

let formats = null;
let loading = null;

/** Load the formats once; every view that shows or edits an address awaits this first. */
export function loadAddressFormats() {
  loading ??= fetch("data/address_formats.json")
    .then((response) => {
      if (!response.ok) throw new ApiError("network", { status: response.status });
      return response.json();
    })
    .then((data) => {
      formats = data;
      return data;
    })
    .catch((error) => {
      loading = null; // the next view tries again
      throw error;
    });
  return loading;
}

/** The format of `country`: its layout, and the rules of its postcode and region. */
export function formatOf(country) {
  const data = formats ?? FALLBACK;
  const own = data.countries[country] ?? {};
  return {
    layout: own.layout ?? data.default.layout,
    postalCode: { ...data.default.postal_code, ...(own.postal_code ?? {}) },
    region: { ...data.default.region, ...(own.region ?? {}) },
  };
}

/** Upper case and single spaces, with the space where the country writes it (`NW1 6XE`). */
export function normalisePostalCode(country, value) {
  let code = value.toUpperCase().split(/\s+/).filter(Boolean).join(" ");
  const space = formatOf(country).postalCode.space_before_last;
  if (space !== undefined) {
    const compact = code.replaceAll(" ", "");
    if (compact.length > space) code = `${compact.slice(0, -space)} ${compact.slice(-space)}`;
  }
  return code;
}

/** Why `value` is not a postcode of `country` ("postal_code_format"), or null when it fits. */
export function postalCodeProblem(country, value) {
  const { pattern } = formatOf(country).postalCode;
  if (!pattern || !value.trim()) return null; // an empty one is the API's to refuse
  return new RegExp(pattern).test(normalisePostalCode(country, value)) ? null : "postal_code_format";
}

/** Why `value` does not fit the country's regions ("region_required", "region_code"), or null. */
export function regionProblem(country, value) {
  const rule = formatOf(country).region;
  const region = value.trim();
  if (!region) return rule.required ? "region_required" : null;
  if (rule.codes && !rule.codes.includes(region.toUpperCase())) return "region_code";
  return null;
}

/** The lines after the street, in the country's order: `28014 Madrid`; `London`, `NW1 6XE`. */
export function localityLines(address) {
  const values = {
    city: address.city ?? "",
    postal_code: address.postal_code ?? "",
    region: address.region ?? "",
  };
  return formatOf(address.country)
    .layout.filter((template) => [...template.matchAll(/\{(\w+)\}/g)].some(([, name]) => values[name]))
    .map((template) =>
      template
        .replace(/\{(\w+)\}/g, (_, name) => values[name])
        .split(/\s+/)
        .filter(Boolean)
        .join(" ")
        .replace(/^[\s,]+|[\s,]+$/g, ""),
    );
}

/** Which locality fields come first in the country's form: the order its layout names them. */
export function localityFieldOrder(country) {
  const names = formatOf(country).layout.flatMap((template) =>
    [...template.matchAll(/\{(\w+)\}/g)].map(([, name]) => name),
  );
  return [...new Set(names)];
}
