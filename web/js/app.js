// The page's entry point: settings, language, sign-in, the header, and the routes.

import { ApiError, get, whenUnauthorized } from "./api.js";
import { completeHostedSignIn, forget, session, signOut } from "./auth.js";
import { config, loadConfig } from "./config.js";
import { focus, h, replace } from "./dom.js";
import { initI18n, LANGUAGES, locale, setLocale, t } from "./i18n.js";
import { currentPath, homeOf, navigate, rerender, route, start, VIEW_DRAWN } from "./router.js";
import { features } from "./features.js";
import { agentCasePath, agentCaseView, queuePath, queueView, viewView } from "./views/agent.js";
import { dashboardView, repliesView, searchView } from "./views/console.js";
import { casePath, casesView, caseView } from "./views/cases.js";
import { helpFormView } from "./views/help-form.js";
import { orderView } from "./views/order.js";
import { ordersView } from "./views/orders.js";
import { errorPanel, linkCasesWith } from "./views/common.js";
import { signInView } from "./views/sign-in.js";

route("/sign-in", signInView);
route("/orders", ordersView, { role: "customer", loading: () => t("loading.orders") });
route("/orders/:order_id", orderView, {
  role: "customer",
  loading: ({ order_id: id }) => t("loading.order", { id }),
});
route("/orders/:order_id/help/:action", helpFormView, {
  role: "customer",
  loading: ({ order_id: id }) => t("loading.order", { id }),
});
route("/cases", casesView, { role: "customer", loading: () => t("loading.cases") });
route("/cases/:case_id", caseView, {
  role: "customer",
  loading: ({ case_id: id }) => t("loading.case", { id }),
});
// An agent's home (homeOf): always a route, or the router would send agents round in a circle.
route("/agent", queueView, { role: "agent", loading: () => t("loading.queue") });
route("/agent/queue/:status", queueView, { role: "agent", loading: () => t("loading.queue") });
route("/agent/views/action/:action", viewView, { role: "agent", loading: () => t("loading.queue") });
route("/agent/views/:view", viewView, { role: "agent", loading: () => t("loading.queue") });
route("/agent/search/:q", searchView, { role: "agent", loading: () => t("console.searching") });
route("/agent/replies", repliesView, { role: "agent", loading: () => t("console.replies_loading") });
route("/agent/dashboard/:days", dashboardView, { role: "agent", loading: () => t("console.dashboard_loading") });
route("/agent/cases/:case_id", agentCaseView, {
  role: "agent",
  loading: ({ case_id: id }) => t("loading.case", { id }),
});
// A case card links to its conversation: the customer's page, or the agent's.
linkCasesWith((caseData) => {
  const role = session()?.user?.role;
  if (role === "agent") return features.agentConsole ? `#${agentCasePath(caseData.case_id)}` : null;
  return `#${casePath(caseData.case_id)}`;
});

/** The header menu's links for `role`: [href, text key, the paths it is current for]. */
function menuLinks(role) {
  if (role === "customer") {
    return [
      ["#/orders", "app.my_orders", "/orders"],
      features.caseConversations ? ["#/cases", "app.my_cases", "/cases"] : null,
    ].filter(Boolean);
  }
  if (role === "agent" && features.agentConsole) return [[`#${queuePath("open")}`, "app.queue", "/agent"]];
  return [];
}

const UNREAD_PAGE = 50;

/** "My cases" says how many of the customer's cases customer service wrote in since they last
 * opened them (the newest ones: those are where new answers are). A nicety: a failure shows
 * nothing. */
async function markUnreadCases(header) {
  let count;
  try {
    const page = await get(`/cases?limit=${UNREAD_PAGE}`, { background: true });
    count = (page.cases ?? []).filter((entry) => entry.unread === true).length;
  } catch {
    return;
  }
  const link = header.querySelector('a[href="#/cases"]');
  if (!link) return;
  link.querySelector(".badge-unread")?.remove();
  if (count === 0) return;
  // The number alone fits a phone's menu on one line; a screen reader hears "3 unread".
  link.append(
    h(
      "span",
      { class: "badge badge-unread badge-count" },
      h("span", { "aria-hidden": "true" }, String(count)),
      h("span", { class: "visually-hidden" }, ` ${t("app.unread_count", { count })}`),
    ),
  );
}

const SVG = "http://www.w3.org/2000/svg";

/** A door with an arrow leaving it: on phones the sign-out button shows this alone (its words
 * are still its name), so the menu, with its unread badge, keeps to one row. */
function signOutIcon() {
  const svg = document.createElementNS(SVG, "svg");
  for (const [name, value] of Object.entries({
    class: "sign-out-icon",
    viewBox: "0 0 24 24",
    width: "20",
    height: "20",
    "aria-hidden": "true",
    focusable: "false",
    fill: "none",
    stroke: "currentColor",
    "stroke-width": "2",
    "stroke-linecap": "round",
    "stroke-linejoin": "round",
  })) {
    svg.setAttribute(name, value);
  }
  for (const d of ["M9 21H5a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h4", "M16 17l5-5-5-5", "M21 12H9"]) {
    const path = document.createElementNS(SVG, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}

/** The header: the shop's name, the menu, who is signed in, and the language switch. */
function renderHeader() {
  const header = document.getElementById("site-header");
  const user = session()?.user ?? null;
  const skip = h("a", { class: "skip-link", href: "#main" }, t("app.skip"));
  skip.addEventListener("click", (event) => {
    event.preventDefault();
    focus(document.getElementById("main"));
  });
  const path = currentPath().split("?")[0];
  const links = menuLinks(user?.role);
  const menu = links.length
    ? h(
        "nav",
        { class: "menu", "aria-label": t("app.nav") },
        h(
          "ul",
          {},
          links.map(([href, key, prefix]) =>
            h(
              "li",
              {},
              h(
                "a",
                {
                  href,
                  "aria-current": path === prefix || path.startsWith(`${prefix}/`) ? "page" : null,
                },
                t(key),
              ),
            ),
          ),
        ),
      )
    : null;
  const account = user
    ? h(
        "div",
        { class: "account" },
        // On phones the header keeps to two rows: the name is read out, not shown.
        h("span", { class: "user" }, t("app.signed_in_as", { name: user.name })),
        h(
          "button",
          {
            type: "button",
            class: "button button-small",
            onclick: () => {
              if (!signOut()) {
                renderHeader();
                navigate("/sign-in");
              }
            },
          },
          signOutIcon(),
          h("span", { class: "sign-out-label" }, t("app.sign_out")),
        ),
      )
    : null;
  const languages = h(
    "div",
    { class: "languages", role: "group", "aria-label": t("app.language") },
    Object.entries(LANGUAGES).map(([code, name]) =>
      h(
        "button",
        {
          type: "button",
          class: "button button-small",
          lang: code,
          "aria-pressed": String(code === locale()),
          "data-locale": code,
          onclick: () => switchLanguage(code),
        },
        // The whole name is the button's; phones show its code (ES, EN) to keep to two rows.
        h("span", { class: "language-name" }, name),
        h("span", { class: "language-code", "aria-hidden": "true" }, code.toUpperCase()),
      ),
    ),
  );
  replace(
    header,
    skip,
    h(
      "div",
      { class: "bar" },
      h("a", { class: "brand", href: user ? `#${homeOf(user.role)}` : "#/sign-in" }, t("app.name")),
      menu,
      account,
      languages,
    ),
  );
}

async function switchLanguage(code) {
  if (code === locale()) return;
  try {
    await setLocale(code);
  } catch (error) {
    console.error(error);
    // The other language's texts did not load: say so in this one, with a way to try again.
    const main = document.getElementById("main");
    main.querySelector(".language-failed")?.remove();
    const panel = errorPanel(new ApiError("network"), () => {
      panel.remove();
      switchLanguage(code);
    });
    panel.classList.add("language-failed");
    main.prepend(panel);
    focus(panel);
    return;
  }
  renderHeader();
  document.querySelector(`#site-header [data-locale="${code}"]`)?.focus();
  rerender();
}

/** The last resort: a failure no view handled still reaches the customer in words. */
function unexpected(error) {
  if (error?.name === "AbortError") return; // a view left behind by navigation
  console.error(error);
  const main = document.getElementById("main");
  if (!main || main.querySelector(".unexpected")) return;
  main.prepend(
    h(
      "div",
      { class: "panel panel-error unexpected", role: "alert" },
      h("p", {}, t("errors.bug")),
      h("button", { type: "button", class: "button", onclick: () => window.location.reload() }, t("errors.reload")),
    ),
  );
}

function fatal(text) {
  const main = document.getElementById("main");
  replace(main, h("div", { class: "panel panel-error", role: "alert" }, h("p", {}, text)));
  main.setAttribute("aria-busy", "false");
}

window.addEventListener("unhandledrejection", (event) => unexpected(event.reason));
window.addEventListener("error", (event) => unexpected(event.error));

async function boot() {
  try {
    await initI18n();
  } catch (error) {
    console.error(error);
    fatal(
      "La página no ha podido cargarse. Vuelve a intentarlo. · The page could not load. Please try again.",
    );
    return;
  }
  try {
    await loadConfig();
  } catch (error) {
    console.error(error);
    fatal(t("errors.config"));
    return;
  }
  whenUnauthorized(() => {
    const back = currentPath();
    forget();
    renderHeader();
    navigate("/sign-in", { notice: "session_expired", returnTo: back.startsWith("/sign-in") ? null : back });
  });
  window.addEventListener("hashchange", renderHeader);
  // The unread count once the view is drawn: the conversation just opened no longer counts.
  document.addEventListener(VIEW_DRAWN, () => {
    const header = document.getElementById("site-header");
    if (session()?.user.role === "customer" && features.caseConversations) markUnreadCases(header);
  });
  let signInError = null;
  if (config().auth === "cognito") {
    try {
      const back = await completeHostedSignIn();
      if (back !== null) window.history.replaceState(null, "", `#${back || homeOf(session().user.role)}`);
    } catch (error) {
      signInError = error;
    }
  }
  renderHeader();
  if (signInError) {
    window.history.replaceState(null, "", "#/sign-in");
    start(document.getElementById("main"), { error: signInError });
    return;
  }
  start(document.getElementById("main"));
}

boot();
