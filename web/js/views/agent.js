// The agents' console. It works on cases (the queue, a case with its conversation and internal
// notes, the order as the customer sees it); until the API serves the case routes there is
// nothing to show, and the page says so.

import { h, replace } from "../dom.js";
import { t } from "../i18n.js";
import { heading } from "./common.js";

export async function agentView(ctx) {
  ctx.title(t("agent.title"));
  replace(ctx.main, heading(t("agent.title")), h("p", { class: "panel panel-info" }, t("agent.not_yet")));
}
