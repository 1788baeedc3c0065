// Sign-in. Locally: the stack's demo customers and agents, and any customer id (the local stack's
// own endpoint, never deployed). Deployed: a button to the shop's hosted sign-in (Cognito).

import { localUsers, SignInError, signInLocally, startHostedSignIn } from "../auth.js";
import { config } from "../config.js";
import { h, replace, uid } from "../dom.js";
import { LANGUAGES, t } from "../i18n.js";
import { homeOf, navigate } from "../router.js";
import { heading } from "./common.js";

function failure(error) {
  const reason = error instanceof SignInError && error.message === "network"
    ? t("errors.network")
    : error.message;
  return t("sign_in.failed", { reason });
}

export async function signInView(ctx) {
  const { state } = ctx;
  ctx.title(t("sign_in.title"));
  const alert = h("div", { class: "alert-slot" });
  const showError = (text) => {
    alert.replaceChildren(h("p", { class: "panel panel-error", role: "alert", tabindex: "-1" }, text));
    alert.firstChild.focus();
  };
  const notices = [];
  if (state.notice === "session_expired") notices.push(t("errors.session_expired"));
  if (state.error) notices.push(failure(state.error));
  const intro = notices.map((text) => h("p", { class: "panel panel-warning", role: "alert" }, text));

  const done = (stored) => navigate(state.returnTo ?? homeOf(stored.user.role));

  if (config().auth === "cognito") {
    const button = h("button", { type: "button", class: "button button-primary" }, t("sign_in.hosted_button"));
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await startHostedSignIn(state.returnTo ?? null);
      } catch (error) {
        button.disabled = false;
        showError(failure(error));
      }
    });
    replace(
      ctx.main,
      heading(t("sign_in.title")),
      intro,
      h("p", {}, t("sign_in.hosted_intro")),
      alert,
      button,
    );
    return;
  }

  let users = [];
  try {
    users = await localUsers();
  } catch (error) {
    intro.push(h("p", { class: "panel panel-error", role: "alert" }, failure(error)));
  }

  const signIn = async (button, userId, role) => {
    button.disabled = true;
    try {
      done(await signInLocally(userId, role));
    } catch (error) {
      button.disabled = false;
      showError(failure(error));
    }
  };

  const userList = (role, titleKey) => {
    const people = users.filter((user) => user.role === role);
    if (!people.length) return null;
    const id = uid("users");
    return h(
      "section",
      { class: "card", "aria-labelledby": id },
      h("h2", { id }, t(titleKey)),
      h(
        "ul",
        { class: "user-list" },
        people.map((user) => {
          const button = h(
            "button",
            { type: "button", class: "button user" },
            h("span", { class: "user-name" }, user.name),
            h(
              "span",
              { class: "user-detail" },
              `${user.user_id} · `,
              h("span", { lang: user.locale }, LANGUAGES[user.locale] ?? user.locale),
            ),
          );
          button.addEventListener("click", () => signIn(button, user.user_id, role));
          return h("li", {}, button);
        }),
      ),
    );
  };

  const fieldId = uid("user-id");
  const hintId = uid("hint");
  const input = h("input", {
    id: fieldId,
    name: "user_id",
    type: "text",
    required: true,
    autocomplete: "username",
    spellcheck: "false",
    autocapitalize: "none",
    "aria-describedby": hintId,
  });
  const submit = h("button", { type: "submit", class: "button" }, t("sign_in.submit"));
  const otherId = uid("other");
  const form = h(
    "form",
    { class: "card", "aria-labelledby": otherId, novalidate: true },
    h("h2", { id: otherId }, t("sign_in.other")),
    h(
      "div",
      { class: "field" },
      h("label", { for: fieldId }, t("sign_in.user_id")),
      h("p", { id: hintId, class: "hint" }, t("sign_in.user_id_hint")),
      input,
    ),
    submit,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    signIn(submit, input.value.trim(), "customer");
  });

  replace(
    ctx.main,
    heading(t("sign_in.title")),
    intro,
    h(
      "div",
      { class: "panel panel-warning local-only" },
      h("p", {}, h("strong", {}, t("sign_in.local_title"))),
      h("p", {}, t("sign_in.local_note")),
      h("p", {}, h("a", { href: "/__local/mailbox" }, t("sign_in.mailbox"))),
    ),
    alert,
    users.length ? null : h("p", {}, t("sign_in.no_demo")),
    h(
      "div",
      { class: "columns" },
      userList("customer", "sign_in.customers"),
      userList("agent", "sign_in.agents"),
    ),
    form,
  );
}
