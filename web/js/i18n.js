// The page's words in Spanish and English (locales/*.json), and dates and money per locale (Intl).
// The API localises its own texts (states, help actions, reasons) from the Accept-Language we send.

export const LANGUAGES = { es: "Español", en: "English" };
const STORAGE_KEY = "orderhelp.locale";
/** Regional variants for Intl: the shop sells in Spain and Europe. */
const INTL_TAGS = { es: "es-ES", en: "en-GB" };

const tables = {};
let current = "es";

function pick() {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored in LANGUAGES) return stored;
  for (const tag of navigator.languages ?? []) {
    const language = tag.split("-")[0].toLowerCase();
    if (language in LANGUAGES) return language;
  }
  return "es"; // the seed's language
}

async function load(locale) {
  if (!tables[locale]) {
    const response = await fetch(`locales/${locale}.json`, { cache: "no-cache" });
    if (!response.ok) throw new Error(`locales/${locale}.json: HTTP ${response.status}`);
    tables[locale] = await response.json();
  }
  return tables[locale];
}

export async function initI18n() {
  current = pick();
  await load(current);
  document.documentElement.lang = current;
}

export function locale() {
  return current;
}

export async function setLocale(next) {
  if (!(next in LANGUAGES)) throw new Error(`unsupported locale ${next}`);
  await load(next);
  current = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next;
}

function lookup(table, key) {
  return key.split(".").reduce((node, part) => (node == null ? undefined : node[part]), table);
}

/** The text for `key` ("orders.title"), with {placeholders} filled; plural keys take `count`. */
export function t(key, values = {}) {
  const table = tables[current];
  let text;
  if ("count" in values) {
    const form = new Intl.PluralRules(INTL_TAGS[current]).select(values.count);
    text = lookup(table, `${key}_${form}`) ?? lookup(table, `${key}_other`);
  }
  text ??= lookup(table, key);
  if (typeof text !== "string") {
    console.error(`missing translation ${current}:${key}`);
    return key;
  }
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

export function has(key) {
  return typeof lookup(tables[current], key) === "string";
}

/** An amount `{amount: "12.34", currency: "EUR"}`; the decimal string is formatted exactly. */
export function money(value) {
  const format = new Intl.NumberFormat(INTL_TAGS[current], {
    style: "currency",
    currency: value.currency,
  });
  return format.format(value.amount);
}

// Every date is formatted here, in the viewer's time zone (Intl's default), so a deadline reads
// the same day wherever the page shows it.

export function date(iso) {
  return new Intl.DateTimeFormat(INTL_TAGS[current], { dateStyle: "long" }).format(new Date(iso));
}

/** A day to plan by: "martes, 2 de diciembre", with the year when it is not this year's. */
export function day(iso) {
  const moment = new Date(iso);
  const thisYear = moment.getFullYear() === new Date().getFullYear();
  return new Intl.DateTimeFormat(INTL_TAGS[current], {
    weekday: "long",
    day: "numeric",
    month: "long",
    year: thisYear ? undefined : "numeric",
  }).format(moment);
}

/** A date in few characters, for steps and lists: "2 dic", "2 Dec" (and the year if not this). */
export function shortDate(iso) {
  const moment = new Date(iso);
  const thisYear = moment.getFullYear() === new Date().getFullYear();
  return new Intl.DateTimeFormat(INTL_TAGS[current], {
    day: "numeric",
    month: "short",
    year: thisYear ? undefined : "numeric",
  }).format(moment);
}

export function dateTime(iso) {
  return new Intl.DateTimeFormat(INTL_TAGS[current], {
    dateStyle: "medium",
    timeStyle: "short",
  }).format(new Date(iso));
}

export function number(value) {
  return new Intl.NumberFormat(INTL_TAGS[current]).format(value);
}

export function countryName(code) {
  try {
    return new Intl.DisplayNames([INTL_TAGS[current]], { type: "region" }).of(code) ?? code;
  } catch {
    return code;
  }
}

export function compare(a, b) {
  return a.localeCompare(b, INTL_TAGS[current]);
}
