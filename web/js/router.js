// Hash routes (#/orders/ORD-1): the page is one file, and API paths (/orders/…) stay the API's.
// Each view renders into <main>; the router handles titles, focus, sign-in and failures.

import { ApiError } from "./api.js";
import { expired, session } from "./auth.js";
import { focus, replace } from "./dom.js";
import { t } from "./i18n.js";
import { errorPanel, loading } from "./views/common.js";

const routes = [];
let main = null;
let pendingState = null;
let controller = null;
let firstRender = true;

/**
 * `pattern` like "/orders/:order_id"; `view(ctx)` renders into ctx.main. `role` is who may see
 * it ("customer", "agent", or null for everyone, signed in or not).
 */
export function route(pattern, view, { role = null } = {}) {
  const names = [];
  const source = pattern.replace(/:(\w+)/g, (_, name) => {
    names.push(name);
    return "([^/]+)";
  });
  routes.push({ regex: new RegExp(`^${source}$`), names, view, role });
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
  for (const candidate of routes) {
    const found = candidate.regex.exec(path);
    if (found) {
      const params = Object.fromEntries(
        candidate.names.map((name, i) => [name, decodeURIComponent(found[i + 1])]),
      );
      return { ...candidate, params };
    }
  }
  return null;
}

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
  replace(main, loading());
  try {
    await found.view(ctx);
  } catch (error) {
    if (signal.aborted) return;
    if (error instanceof ApiError && error.kind === "unauthorized") return; // sent to sign-in
    if (!(error instanceof ApiError)) console.error(error);
    const panel = errorPanel(error, () => rerender());
    replace(main, panel);
    focusTarget = panel;
  }
  if (signal.aborted) return;
  main.setAttribute("aria-busy", "false");
  document.body.dataset.view = path.split("/")[1] ?? "";
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
