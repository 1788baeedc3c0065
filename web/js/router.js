// Hash routes (#/orders/ORD-1): the page is one file, and API paths (/orders/…) stay the API's.
// Each view renders into <main>; the router handles titles, focus, sign-in and failures.

import { ApiError } from "./api.js";
import { expired, session } from "./auth.js";
import { focus, h, replace } from "./dom.js";
import { t } from "./i18n.js";
import { errorPanel } from "./views/common.js";

/** Most views are drawn before anyone could read "loading": it is said only after a second. */
const SAY_LOADING_AFTER_MS = 1_000;
/** A wait this long may never end (a stalled connection): the customer may stop it. */
const OFFER_CANCEL_AFTER_MS = 10_000;

const routes = [];
let main = null;
let pendingState = null;
let controller = null;
let firstRender = true;

/**
 * `pattern` like "/orders/:order_id"; `view(ctx)` renders into ctx.main. `role` is who may see
 * it ("customer", "agent", or null for everyone, signed in or not); `loading(params)` says what
 * the view is loading, in words ("Loading order ORD-1…").
 */
export function route(pattern, view, { role = null, loading = () => t("loading.page") } = {}) {
  const names = [];
  const source = pattern.replace(/:(\w+)/g, (_, name) => {
    names.push(name);
    return "([^/]+)";
  });
  routes.push({ regex: new RegExp(`^${source}$`), names, view, role, loading });
}

/**
 * While a view loads: nothing for a second, then what is loading, and after ten seconds a way
 * to stop waiting (which aborts the view's requests and offers to try again). Returns `done()`.
 */
function whileLoading(what, abort, retry) {
  // The live region is on the page before its words, so screen readers say them when they come.
  const status = h("div", { class: "loading", role: "status" });
  replace(main, status);
  const say = setTimeout(() => replace(status, h("p", {}, what)), SAY_LOADING_AFTER_MS);
  const offer = setTimeout(() => {
    const stop = h(
      "button",
      {
        type: "button",
        class: "button",
        onclick: () => {
          abort();
          const panel = h(
            "div",
            { class: "panel panel-info loading-stopped", role: "status", tabindex: "-1" },
            h("p", {}, t("loading.stopped")),
            h("button", { type: "button", class: "button", onclick: retry }, t("errors.retry")),
          );
          replace(main, panel);
          main.setAttribute("aria-busy", "false");
          focus(panel);
        },
      },
      t("loading.stop"),
    );
    status.append(h("p", { class: "hint" }, t("loading.slow")), stop);
  }, OFFER_CANCEL_AFTER_MS);
  return () => {
    clearTimeout(say);
    clearTimeout(offer);
  };
}

export function currentPath() {
  const hash = window.location.hash;
  return hash.startsWith("#/") ? hash.slice(1) : "";
}

/** Go to `path`; `state` reaches the next view (for instance the outcome of a help action). */
export function navigate(path, state = null) {
  pendingState = state;
  if (currentPath() === path) render();
  else window.location.hash = `#${path}`;
}

export function rerender() {
  render({ keepFocus: true });
}

export function homeOf(role) {
  return role === "agent" ? "/agent" : "/orders";
}

function match(path) {
  // "/orders?status=paid": the route is the path; what follows "?" is the view's query.
  const [route, search = ""] = path.split("?", 2);
  for (const candidate of routes) {
    const found = candidate.regex.exec(route);
    if (found) {
      const params = Object.fromEntries(
        candidate.names.map((name, i) => [name, decodeURIComponent(found[i + 1])]),
      );
      return { ...candidate, params, query: new URLSearchParams(search) };
    }
  }
  return null;
}

/** Dispatched on `document` once a view is drawn. */
export const VIEW_DRAWN = "orderhelp:view-drawn";

async function render({ keepFocus = false } = {}) {
  const state = pendingState;
  pendingState = null;
  controller?.abort();
  controller = new AbortController();
  const { signal } = controller;

  const user = session();
  const path = currentPath();
  const found = path ? match(path) : null;
  if (!found) {
    navigate(user && !expired(user) ? homeOf(user.user.role) : "/sign-in");
    return;
  }
  if (found.role !== null) {
    if (!user || expired(user)) {
      navigate("/sign-in", { notice: user ? "session_expired" : null, returnTo: path });
      return;
    }
    if (user.user.role !== found.role) {
      navigate(homeOf(user.user.role));
      return;
    }
  }

  let focusTarget = null;
  const ctx = {
    main,
    params: found.params,
    /** The path's query ("?status=paid"), as URLSearchParams. */
    query: found.query,
    state: state ?? {},
    signal,
    path,
    title(text) {
      document.title = t("app.page_title", { title: text });
    },
    /** Where focus goes once the view is drawn (the page's heading when not set). */
    focusOn(element) {
      focusTarget = element;
    },
  };
  main.setAttribute("aria-busy", "true");
  const current = controller;
  const loaded = whileLoading(
    found.loading(found.params),
    () => current.abort(),
    () => rerender(),
  );
  try {
    await found.view(ctx);
  } catch (error) {
    if (signal.aborted) return;
    if (error instanceof ApiError && error.kind === "unauthorized") return; // sent to sign-in
    if (!(error instanceof ApiError)) console.error(error);
    const panel = errorPanel(error, () => rerender());
    replace(main, panel);
    focusTarget = panel;
  } finally {
    loaded();
  }
  if (signal.aborted) return;
  main.setAttribute("aria-busy", "false");
  // What the view's own requests changed (opening a case reads it) is now stored: the header's
  // counts are taken after it.
  document.dispatchEvent(new CustomEvent(VIEW_DRAWN));
  document.body.dataset.view = path.split("?")[0].split("/")[1] ?? "";
  const shouldFocus = !firstRender || focusTarget !== null;
  firstRender = false;
  // A language switch re-renders the view; focus stays on the switch the user pressed.
  const active = document.activeElement;
  if (keepFocus && active && active !== document.body && !main.contains(active)) return;
  if (shouldFocus) focus(focusTarget ?? main.querySelector("h1"));
}

export function start(element, state = null) {
  main = element;
  pendingState = state;
  window.addEventListener("hashchange", () => {
    if (window.location.hash.startsWith("#/")) render();
  });
  render();
}
