// Every call to the API: the bearer token, Accept-Language, an Idempotency-Key on every POST, a
// time limit, and every failure turned into an ApiError whose `kind` the page can put in words.

import { session } from "./auth.js";
import { config } from "./config.js";
import { locale } from "./i18n.js";

const TIME_LIMIT_MS = 20_000;
const IN_PROGRESS_RETRIES = 3;

export class ApiError extends Error {
  /**
   * kind: network | timeout | unauthorized | forbidden | not_found | refused | validation |
   *       conflict | busy | server | client
   */
  constructor(kind, { status = 0, body = null, language = null } = {}) {
    super(body?.error?.message ?? body?.message ?? kind);
    this.kind = kind;
    this.status = status;
    this.body = body;
    this.code = body?.error?.code ?? null;
    /** The language of the API's message (its Content-Language); null when it did not say. */
    this.language = language;
  }

  /** The API's own message may be shown: it is in the page's language. An answer that does not
   * say its language is in the API's default, English. */
  messageIsIn(pageLocale) {
    const spoken = (this.language ?? "en").split(",")[0].trim().split("-")[0].toLowerCase();
    return spoken === pageLocale;
  }

  /** Trying the same request again may work (and, for a POST, with the same Idempotency-Key). */
  get retryable() {
    return ["network", "timeout", "busy", "server"].includes(this.kind);
  }
}

/** Called on a 401: the token expired or was refused. Set by the app. */
let onUnauthorized = () => {};
export function whenUnauthorized(callback) {
  onUnauthorized = callback;
}

function kindOf(status, code) {
  if (status === 401) return "unauthorized";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 409 && code === "action_unavailable") return "refused";
  if (status === 409) return "conflict";
  if (status === 422) return "validation";
  if (status === 429 || status === 503) return "busy";
  if (status >= 500) return "server";
  return "client";
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `await api("/orders")` → the parsed body; `api(path, {method: "POST", body, idempotencyKey})`
 * → {status, body}. `signal` aborts (navigation away); that rejects with an AbortError.
 * `background`: not the user's request, so a 401 is only an error, not a sign-out.
 */
export async function call(
  path,
  { method = "GET", body, idempotencyKey, signal, background = false } = {},
) {
  const current = session();
  const headers = { accept: "application/json", "accept-language": locale() };
  if (current) headers.authorization = `Bearer ${current.access_token}`;
  if (method !== "GET") {
    if (!idempotencyKey) throw new Error(`${method} ${path} needs an Idempotency-Key`);
    headers["content-type"] = "application/json";
    headers["idempotency-key"] = idempotencyKey;
  }
  for (let attempt = 0; ; attempt += 1) {
    const timeLimit = AbortSignal.timeout(TIME_LIMIT_MS);
    const signals = signal ? AbortSignal.any([signal, timeLimit]) : timeLimit;
    let response;
    try {
      response = await fetch(config().api_url + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: signals,
        cache: "no-store",
      });
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw new ApiError(timeLimit.aborted ? "timeout" : "network");
    }
    let parsed = null;
    try {
      parsed = await response.json();
    } catch {
      parsed = null; // an empty or non-JSON body: the status alone says what happened
    }
    if (response.ok) return { status: response.status, body: parsed };
    const code = parsed?.error?.code;
    // The first request with this key is still being handled: wait as the API asks, same key.
    if (code === "request_in_progress" && attempt < IN_PROGRESS_RETRIES) {
      const seconds = Number(response.headers.get("retry-after")) || 1;
      await pause(seconds * 1000);
      continue;
    }
    const error = new ApiError(kindOf(response.status, code), {
      status: response.status,
      body: parsed,
      language: response.headers.get("content-language"),
    });
    // A request the page makes on its own (a badge) never takes the user to sign in: the
    // view's own request does, once, with the page to come back to.
    if (error.kind === "unauthorized" && !background) onUnauthorized(error);
    throw error;
  }
}

export async function get(path, options = {}) {
  return (await call(path, options)).body;
}

/** One user intent (one press of a form's button): its Idempotency-Key is reused when the same
 * request is retried after a failure that may not have reached the API, and renewed otherwise. */
export class Intent {
  #key = null;
  #sent = null;

  keyFor(body) {
    const sent = JSON.stringify(body);
    if (this.#key === null || this.#sent !== sent) {
      this.#key = crypto.randomUUID();
      this.#sent = sent;
    }
    return this.#key;
  }

  /** The API answered for good (success or a refusal): the next press is a new intent. */
  settle() {
    this.#key = null;
    this.#sent = null;
  }
}
