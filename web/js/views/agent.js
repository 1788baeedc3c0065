// The agents' console: the queue by status (most urgent first, more on demand), and a case with
// its whole conversation (internal notes marked), the order exactly as its customer sees it, and
// what an agent does with a case: take it, answer, note something for colleagues, solve it.

import { announce } from "../announcer.js";
import { ApiError, call, get, Intent } from "../api.js";
import { session } from "../auth.js";
import { focus, h, replace, uid } from "../dom.js";
import { dateTime, t } from "../i18n.js";
import { navigate } from "../router.js";
import { breadcrumb, errorPanel, errorText, heading, pagedList, phrase, timeOf } from "./common.js";
import { loadAddressFormats } from "../addresses.js";
import { composer, conversationThread, requestDetails } from "./conversation.js";
import { consoleBar, customerPanel, dueLabel, loadProfiles, nameOf, replyPicker } from "./console.js";
import { returnSteps, returnsSection } from "./returns.js";
import {
  addressSection,
  casesSection,
  helpSection,
  itemsSection,
  orderFacts,
  timelineSection,
  whereSection,
} from "./order.js";

const QUEUES = ["open", "pending", "solved"];
const PAGE_SIZE = 20;

export function agentCasePath(caseId) {
  return `/agent/cases/${encodeURIComponent(caseId)}`;
}

export function queuePath(status) {
  return `/agent/queue/${status}`;
}

function me() {
  return session()?.user?.user_id ?? null;
}

function assigneeName(assignee) {
  if (!assignee) return t("agent.nobody");
  return assignee === me() ? t("agent.you") : nameOf(assignee);
}

function fact(label, ...value) {
  return h("div", {}, h("dt", {}, label), h("dd", {}, value));
}

function when(iso) {
  return timeOf(iso, dateTime(iso));
}

// --- the queue ---------------------------------------------------------------------------------

/** When an open case is due its next answer: the first answer's due time (overdue when it is
 * late), then, once answered, the due time of the customer's latest message. */
function dueFact(entry) {
  if (entry.status !== "open" || !entry.answer_due_at) return null;
  return fact(
    entry.first_responded_at ? t("console.next_due") : t("console.first_due"),
    dueLabel(entry.answer_due_at),
    entry.overdue ? [" ", h("span", { class: "badge badge-overdue" }, t("agent.overdue"))] : null,
  );
}

export function queueItem(entry) {
  const overdue = entry.overdue === true;
  const facts = [
    fact(t("agent.number"), h("span", { class: "case-number" }, entry.number)),
    fact(t("agent.assignee"), assigneeName(entry.assignee)),
  ];
  if (entry.status === "open") {
    const due = dueFact(entry);
    if (due) facts.push(due);
  } else if (entry.status === "pending") {
    facts.push(fact(t("agent.waiting_since"), when(entry.last_activity_at)));
  } else if (entry.solved_at) {
    facts.push(fact(t("agent.solved_on"), when(entry.solved_at)));
  }
  if (entry.opened_by === "system") {
    facts.push(fact(t("agent.opened_by_label"), t("agent.opened_by.system")));
  }
  return h(
    "li",
    {
      class: "queue-item",
      "data-case-id": entry.case_id,
      "data-status": entry.status,
      "data-overdue": overdue ? "true" : null,
    },
    h(
      "h2",
      { class: "queue-title" },
      h(
        "a",
        { href: `#${agentCasePath(entry.case_id)}` },
        t("agent.case_link", { topic: t(`actions.${entry.action}`), order: entry.order_id }),
      ),
    ),
    h("dl", { class: "facts" }, facts),
  );
}

function queueTabs(current) {
  return h(
    "nav",
    { class: "tabs", "aria-label": t("agent.queues_label") },
    h(
      "ul",
      {},
      QUEUES.map((status) =>
        h(
          "li",
          {},
          h(
            "a",
            {
              href: `#${queuePath(status)}`,
              "aria-current": status === current ? "page" : null,
              "data-queue": status,
            },
            t(`agent.queue.${status}`),
          ),
        ),
      ),
    ),
  );
}

export async function queueView(ctx) {
  const status = ctx.params.status ?? "open";
  if (!QUEUES.includes(status)) throw new ApiError("not_found", { status: 404 });
  ctx.title(`${t("agent.queue_title")}: ${t(`agent.queue.${status}`)}`);
  await loadProfiles(ctx.signal);
  const { list, footer, empty } = await pagedList({
    path: (cursor) => {
      const query = new URLSearchParams({ status, limit: String(PAGE_SIZE) });
      if (cursor) query.set("cursor", cursor);
      return `/agent/cases?${query}`;
    },
    itemsOf: (page) => page.cases,
    render: queueItem,
    texts: {
      more: "agent.more",
      loading_more: "agent.loading_more",
      loaded_more: "agent.loaded_more",
      all_shown: "agent.all_shown",
    },
    signal: ctx.signal,
    listTag: "ol",
    listClass: "queue",
  });
  replace(
    ctx.main,
    heading(t("agent.queue_title")),
    consoleBar(ctx),
    queueTabs(status),
    h("p", { class: "lead", "data-queue-hint": status }, t(`agent.queue_hint.${status}`)),
    empty ? h("p", { class: "panel panel-info" }, t("agent.empty")) : [list, footer],
  );
}

const VIEWS = ["mine", "unassigned", "overdue", "action"];

/** One of the console's views (mine, unassigned, overdue, a help action), a page at a time. */
export async function viewView(ctx) {
  const action = ctx.params.action ?? null;
  const view = action ? "action" : ctx.params.view;
  if (!VIEWS.includes(view) || (view === "action" && !action)) throw new ApiError("not_found", { status: 404 });
  const title = action ? t(`actions.${action}`) : t(`console.view.${view}`);
  ctx.title(`${t("console.view_title")}: ${title}`);
  await loadProfiles(ctx.signal);
  const { list, footer, empty } = await pagedList({
    path: (cursor) => {
      const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
      if (action) query.set("action", action);
      if (cursor) query.set("cursor", cursor);
      return `/agent/views/${view}?${query}`;
    },
    itemsOf: (page) => page.cases,
    render: queueItem,
    texts: {
      more: "agent.more",
      loading_more: "agent.loading_more",
      loaded_more: "agent.loaded_more",
      all_shown: "console.view_all_shown",
    },
    signal: ctx.signal,
    listTag: "ol",
    listClass: "queue",
  });
  replace(
    ctx.main,
    heading(`${t("console.view_title")}: ${title}`),
    consoleBar(ctx, { current: action ? `action:${action}` : view }),
    h("p", { class: "lead", "data-view-hint": view }, t(`console.view_hint.${view}`)),
    empty ? h("p", { class: "panel panel-info" }, t("console.view_empty")) : [list, footer],
  );
}

// --- one case ----------------------------------------------------------------------------------

/** A link to another case, by its number (`numbers`: the case's `linked_numbers`). */
function caseLink(caseId, numbers = {}) {
  const text = numbers[caseId] ? t("agent.case_number", { number: numbers[caseId] }) : caseId;
  return h("a", { href: `#${agentCasePath(caseId)}`, class: "case-number" }, text);
}

/** The customer's rating of the latest solve, and what they said. */
function ratingFact(rating) {
  return fact(
    t("agent.rating"),
    h(
      "span",
      { class: "rating-given", "data-rating": rating.value },
      t(`agent.rating_value.${rating.value}`),
      " · ",
      when(rating.at),
    ),
    rating.comment ? h("blockquote", { class: "rating-comment" }, rating.comment) : null,
  );
}

function summary(caseData, order) {
  const facts = [
    fact(t("agent.status_label"), t(`agent.status.${caseData.status}`)),
    fact(t("agent.assignee"), assigneeName(caseData.assignee)),
    fact(t("agent.customer"), order.shipping_address?.name ?? h("span", { class: "reference" }, caseData.customer_id)),
    fact(t("agent.opened_on"), when(caseData.opened_at)),
    fact(t("agent.opened_by_label"), t(`agent.opened_by.${caseData.opened_by}`)),
  ];
  const due = dueFact(caseData);
  if (due) facts.push(due);
  if (caseData.status === "pending") facts.push(fact(t("agent.waiting_since"), when(caseData.last_activity_at)));
  if (caseData.solved_at) facts.push(fact(t("agent.solved_on"), when(caseData.solved_at)));
  if (caseData.closed_at) facts.push(fact(t("agent.closed_on"), when(caseData.closed_at)));
  if (caseData.resolution) facts.push(fact(t("agent.resolution"), caseData.resolution));
  if (caseData.rating) facts.push(ratingFact(caseData.rating));
  const details = requestDetails(caseData, order, { fact });
  const numbers = caseData.linked_numbers ?? {};
  return h(
    "section",
    { class: "card case-summary", "aria-labelledby": "summary-title" },
    h("h2", { id: "summary-title" }, t("agent.case_title", { number: caseData.number })),
    h("dl", { class: "facts" }, facts),
    caseData.follows
      ? h(
          "p",
          { class: "case-follows" },
          phrase("agent.follows", { case: caseLink(caseData.follows, numbers) }),
        )
      : null,
    caseData.followed_by.length
      ? h(
          "p",
          { class: "case-followed-by" },
          phrase("agent.followed_by", {
            case: caseData.followed_by.flatMap((id, index) =>
              index ? [", ", caseLink(id, numbers)] : [caseLink(id, numbers)],
            ),
          }),
        )
      : null,
    details.length
      ? [h("h3", {}, t("agent.details_title")), h("dl", { class: "facts" }, details)]
      : null,
  );
}

function author(message) {
  if (message.author === "agent") {
    if (message.author_id && message.author_id === me()) return t("agent.you");
    return message.author_id ? nameOf(message.author_id) : t("agent.author.agent");
  }
  return t(`agent.author.${message.author}`);
}

/** Answering or solving a colleague's case asks first, as taking it over does: the request is
 * sent again with `force` (and a key of its own) only once the agent said yes. */
function askingFirst(send, dialogHost) {
  return async (body, key) => {
    try {
      return await send(body, key);
    } catch (error) {
      if (!(error instanceof ApiError) || error.code !== "case_taken" || body.force) throw error;
      const assignee = nameOf(error.body.error.assignee);
      const dialog = takeOverDialog(assignee, "console.act_anyway", "console.act_anyway_text");
      dialogHost.append(dialog);
      const yes = await new Promise((resolve) => {
        dialog.addEventListener("close", () => resolve(dialog.returnValue === "yes"), { once: true });
        dialog.showModal();
      });
      dialog.remove();
      if (!yes) throw error;
      return send({ ...body, force: true }, `${key}-force`);
    }
  };
}

/** The confirmation before taking over a case another agent has. */
function takeOverDialog(assignee, yesKey = "agent.take_over", textKey = "agent.taken_text") {
  const titleId = uid("take-over");
  const textId = uid("take-over-text");
  return h(
    "dialog",
    { class: "confirm", "aria-labelledby": titleId, "aria-describedby": textId },
    h(
      "form",
      { method: "dialog" },
      h("h2", { id: titleId }, t("agent.taken_title", { assignee })),
      h("p", { id: textId }, t(textKey, { assignee })),
      h(
        "div",
        { class: "form-actions" },
        h("button", { class: "button button-primary", value: "yes" }, t(yesKey)),
        h("button", { class: "button", value: "no", autofocus: true }, t("agent.leave")),
      ),
    ),
  );
}

export async function agentCaseView(ctx) {
  const caseId = ctx.params.case_id;
  const [details] = await Promise.all([
    get(agentCasePath(caseId), { signal: ctx.signal }),
    loadAddressFormats(),
    loadProfiles(ctx.signal),
  ]);
  let order = details.order;
  let refundLeft = details.refund_left;
  const label = t(`actions.${details.case.action}`);
  ctx.title(`${label} · ${t("agent.case_number", { number: details.case.number })}`);
  const earlier = async (cursor) =>
    (await get(`${agentCasePath(caseId)}?${new URLSearchParams({ cursor })}`, { signal: ctx.signal }))
      .case;

  /** A refusal that means the case moved on: say so, and offer it as it is now. */
  const stale = (error) => {
    if (!["conflict", "transition_not_allowed"].includes(error.code)) return null;
    return h(
      "div",
      { class: "panel panel-error", role: "alert", tabindex: "-1" },
      h("h2", { class: "panel-title" }, t("errors.title")),
      h("p", {}, errorText(error)),
      h("button", { type: "button", class: "button", onclick: () => navigate(ctx.path) }, t("errors.show_current")),
    );
  };

  const changed = (caseData, notice) => {
    // The order's list of cases shows this one as it is now.
    order = {
      ...order,
      cases: order.cases.map((entry) =>
        entry.case_id === caseData.case_id
          ? {
              ...entry,
              status: caseData.status,
              status_label: caseData.status_label,
              turn: caseData.turn,
              last_activity_at: caseData.last_activity_at,
            }
          : entry,
      ),
    };
    announce(notice);
    draw(caseData, notice);
  };

  const post = (what, body, idempotencyKey) =>
    call(`${agentCasePath(caseId)}/${what}`, { method: "POST", body, idempotencyKey, signal: ctx.signal });

  function assignControl(caseData) {
    const intent = new Intent();
    const alert = h("div", { class: "form-alert" });
    const button = h("button", { type: "button", class: "button button-primary" }, t("agent.assign"));
    const assign = async (force) => {
      const body = force ? { force: true } : {};
      button.disabled = true;
      replace(alert);
      try {
        const answer = await post("assign", body, intent.keyFor(body));
        intent.settle();
        changed(answer.body, t("agent.done.assign"));
      } catch (error) {
        if (ctx.signal.aborted) return;
        button.disabled = false;
        if (!(error instanceof ApiError)) console.error(error);
        if (error.kind === "unauthorized") return;
        if (error.code === "case_taken" && !force) {
          intent.settle();
          const dialog = takeOverDialog(nameOf(error.body.error.assignee));
          alert.append(dialog);
          dialog.addEventListener(
            "close",
            () => {
              const yes = dialog.returnValue === "yes";
              dialog.remove();
              if (yes) assign(true);
              else focus(button);
            },
            { once: true },
          );
          dialog.showModal();
          return;
        }
        const retryable = error instanceof ApiError && error.retryable;
        if (!retryable) intent.settle();
        const panel = (!retryable && stale(error)) || errorPanel(error, retryable ? () => assign(force) : null);
        replace(alert, panel);
        focus(panel);
      }
    };
    button.addEventListener("click", () => assign(false));
    return h("div", { class: "assign" }, button, alert);
  }

  function work(caseData) {
    const status = caseData.status;
    if (status === "closed") return h("p", { class: "panel panel-info" }, t("agent.closed_note"));
    const answering = status === "open" || status === "pending";
    const done = (key) => (answer) => changed(answer.body, t(`agent.done.${key}`));
    const dialogs = h("div", { class: "dialogs" });
    const reply = answering
      ? composer({
          label: t("agent.reply"),
          hint: t("agent.reply_hint"),
          submitText: t("agent.send_reply"),
          className: "agent-reply",
          attachments: true,
          build: (text) => ({ body: text }),
          send: askingFirst((body, key) => post("messages", body, key), dialogs),
          sent: done("reply"),
          refused: stale,
          signal: ctx.signal,
        })
      : null;
    if (reply) {
      const textarea = reply.querySelector("textarea");
      textarea.closest(".field").after(replyPicker(caseData.case_id, textarea, ctx.signal));
    }
    // The return and refund steps answer the case with the order as it is now.
    const returnDone = (key) => (answer) => {
      order = answer.body.order;
      refundLeft = answer.body.refund_left;
      changed(answer.body.case, t(`returns.done.${key}`));
    };
    return [
      dialogs,
      returnSteps(caseData, order, refundLeft, { post, done: returnDone, refused: stale, signal: ctx.signal }),
      caseData.assignee !== me() ? assignControl(caseData) : null,
      reply,
      composer({
        label: t("agent.note"),
        hint: t("agent.note_hint"),
        submitText: t("agent.add_note"),
        className: "agent-note",
        buttonClass: "",
        attachments: true,
        build: (text) => ({ body: text, internal: true }),
        send: (body, key) => post("messages", body, key),
        sent: done("note"),
        refused: stale,
        signal: ctx.signal,
      }),
      answering
        ? composer({
            label: t("agent.resolution"),
            hint: caseData.assignee
              ? t("agent.resolution_hint")
              : `${t("agent.resolution_hint")} ${t("agent.solve_first_assign")}`,
            submitText: t("agent.solve"),
            className: "agent-solve",
            build: (text) => ({ resolution: text }),
            send: askingFirst((body, key) => post("solve", body, key), dialogs),
            sent: done("solve"),
            refused: stale,
            signal: ctx.signal,
          })
        : null,
    ];
  }

  function draw(caseData, notice = null) {
    const noticePanel = notice
      ? h("div", { class: "panel panel-success case-notice", role: "status", tabindex: "-1" }, h("p", {}, notice))
      : null;
    replace(
      ctx.main,
      breadcrumb([`#${queuePath(QUEUES.includes(caseData.status) ? caseData.status : "open")}`, t("agent.queue_title")]),
      heading(label),
      consoleBar(ctx),
      h(
        "p",
        { class: "order-facts lead" },
        h("span", { class: `badge badge-case-${caseData.status}` }, t(`agent.status.${caseData.status}`)),
        h("span", { class: "case-number" }, t("agent.case_number", { number: caseData.number })),
        h("span", {}, t("order.title", { id: caseData.order_id })),
      ),
      noticePanel,
      h(
        "div",
        { class: "agent-layout" },
        h(
          "div",
          { class: "agent-case", "data-case-id": caseData.case_id, "data-status": caseData.status },
          summary(caseData, order),
          h(
            "section",
            { class: "card conversation", "aria-labelledby": "conversation-title" },
            h("h2", { id: "conversation-title" }, t("agent.conversation")),
            conversationThread({
              messages: caseData.messages,
              older: caseData.older_messages,
              author,
              load: earlier,
              signal: ctx.signal,
            }),
          ),
          h(
            "section",
            { class: "card work", "aria-labelledby": "work-title" },
            h("h2", { id: "work-title" }, t("agent.work_title")),
            work(caseData),
          ),
        ),
        h(
          "section",
          { class: "agent-order", "aria-labelledby": "order-title" },
          customerPanel(caseData, order, ctx.signal),
          h("h2", { id: "order-title" }, t("agent.order_title", { id: order.order_id })),
          orderFacts(order, "order-facts"),
          whereSection(order, { level: 3 }),
          helpSection(order, { forAgent: true, level: 3 }),
          returnsSection(order, { level: 3, forAgent: true }),
          casesSection(order, { level: 3, currentCaseId: caseData.case_id }),
          itemsSection(order, { level: 3 }),
          addressSection(order, { level: 3 }),
          timelineSection(order, { level: 3, forAgent: true }),
        ),
      ),
    );
    if (noticePanel) focus(noticePanel);
  }

  draw(details.case);
}
