// Photos and files on a message: a picker that uploads each file straight to S3 (the API only
// hands out the presigned form), shows its progress and what the check of its bytes said, and
// lets it be removed before sending; and a gallery of a message's attachments, thumbnails that
// open a full view. Everything a person reads is in the page's words.

import { announce } from "../announcer.js";
import { ApiError, call, get } from "../api.js";
import { focus, h, replace, uid } from "../dom.js";
import { has, number, t } from "../i18n.js";

/** The rules' limits (lifecycle.attachments). */
export const MAX_ATTACHMENTS = 5;
export const MAX_BYTES = 10 * 1024 * 1024;
const ALLOWED = ["image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf"];
const BY_EXTENSION = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  heic: "image/heic",
  heif: "image/heic",
  pdf: "application/pdf",
};
const CHECK_DEADLINE_MS = 60_000;
const CHECK_EVERY_MS = 800;

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the file is declared as: the browser's type, or (HEIC often has none) its extension. */
function declaredType(file) {
  if (ALLOWED.includes(file.type)) return file.type;
  const extension = file.name.split(".").pop()?.toLowerCase() ?? "";
  return file.type ? file.type : BY_EXTENSION[extension] ?? "";
}

function sizeText(bytes) {
  if (bytes >= 1024 * 1024) return t("attachments.size_mb", { size: number(Math.round((bytes / 1048576) * 10) / 10) });
  return t("attachments.size_kb", { size: number(Math.max(1, Math.round(bytes / 1024))) });
}

/** Why the check refused a file, in words. */
export function reasonText(reason) {
  return has(`attachments.reasons.${reason}`) ? t(`attachments.reasons.${reason}`) : t("attachments.reasons.default");
}

/** The browser's POST of S3's form, with progress: resolves when S3 took it. */
function postToS3(upload, file, onProgress) {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
    form.append("file", file);
    const request = new XMLHttpRequest();
    request.open("POST", upload.url);
    request.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    request.addEventListener("load", () => {
      if (request.status >= 200 && request.status < 300) resolve();
      else {
        const code = /<Code>([^<]+)<\/Code>/.exec(request.responseText ?? "")?.[1] ?? "";
        reject(new UploadRefused(code === "EntityTooLarge" ? "too_large" : "upload_refused"));
      }
    });
    request.addEventListener("error", () => reject(new ApiError("network")));
    request.addEventListener("timeout", () => reject(new ApiError("timeout")));
    request.send(form);
  });
}

class UploadRefused extends Error {
  constructor(reason) {
    super(reason);
    this.reason = reason;
  }
}

/**
 * The picker of a form: `element`, the `ids()` of the ready attachments, whether it is still
 * `busy()` (an upload or a check in progress), and `reset()` once the message was sent.
 */
export function attachmentPicker({ label = t("attachments.add"), signal } = {}) {
  const inputId = uid("files");
  const labelId = uid("label");
  const chooseId = uid("choose");
  const hintId = uid("hint");
  // Its own class, and an alert only while it says something: the form's own field errors
  // and alerts (the message's, a refusal's) stay the only ones of their kind in the form.
  const problem = h("p", { class: "attachment-error", id: uid("error"), hidden: true });
  // The browser's own file input says "Choose Files" in the browser's language, whatever the
  // page's: it stays (labelled, for what a drop or a test gives it) but out of sight and out of
  // the tab order, and a button in the page's language opens it.
  const input = h("input", {
    id: inputId,
    type: "file",
    multiple: true,
    accept: [...ALLOWED, ".heic", ".heif"].join(","),
    tabindex: "-1",
    class: "attachment-input visually-hidden",
  });
  const choose = h(
    "button",
    {
      type: "button",
      id: chooseId,
      class: "button button-secondary attachment-choose",
      "aria-labelledby": `${labelId} ${chooseId}`,
      "aria-describedby": hintId,
    },
    t("attachments.choose"),
  );
  choose.addEventListener("click", () => input.click());
  const list = h("ul", { class: "plain attachment-list", "aria-live": "polite" });
  const entries = [];

  const say = (text) => {
    problem.textContent = text ?? "";
    problem.hidden = !text;
    if (text) problem.setAttribute("role", "alert");
    else problem.removeAttribute("role");
  };

  const add = (file) => {
    const type = declaredType(file);
    if (entries.length >= MAX_ATTACHMENTS) return t("attachments.too_many", { max: MAX_ATTACHMENTS });
    if (!ALLOWED.includes(type)) return t("attachments.type_not_allowed", { name: file.name });
    if (file.size > MAX_BYTES) return t("attachments.too_large", { name: file.name, max: 10 });
    if (file.size === 0) return t("attachments.empty", { name: file.name });
    const entry = { file, type, status: "uploading", id: null, element: null, progress: null, state: null };
    const remove = h(
      "button",
      {
        type: "button",
        class: "button button-small attachment-remove",
        "aria-label": t("attachments.remove", { name: file.name }),
      },
      t("attachments.remove_short"),
    );
    entry.progress = h("progress", { max: "1", value: "0", "aria-label": t("attachments.progress", { name: file.name }) });
    entry.state = h("span", { class: "attachment-state" }, t("attachments.uploading"));
    entry.element = h(
      "li",
      { class: "attachment-item", "data-status": "uploading" },
      h("span", { class: "attachment-name" }, file.name),
      " ",
      h("span", { class: "hint" }, sizeText(file.size)),
      entry.progress,
      entry.state,
      remove,
    );
    remove.addEventListener("click", () => {
      entry.removed = true;
      entries.splice(entries.indexOf(entry), 1);
      entry.element.remove();
      announce(t("attachments.removed", { name: file.name }));
      focus(choose);
    });
    entries.push(entry);
    list.append(entry.element);
    upload(entry);
    return null;
  };

  const show = (entry, status, text) => {
    entry.status = status;
    entry.element.dataset.status = status;
    entry.state.textContent = text;
    if (status !== "uploading") entry.progress.hidden = true;
  };

  const upload = async (entry) => {
    try {
      const { body: grant } = await call("/attachments", {
        method: "POST",
        body: { filename: entry.file.name, content_type: entry.type, size: entry.file.size },
        idempotencyKey: crypto.randomUUID(),
        signal,
      });
      entry.id = grant.attachment_id;
      entry.element.dataset.attachmentId = grant.attachment_id;
      await postToS3(grant.upload, entry.file, (share) => {
        entry.progress.value = share;
      });
      show(entry, "checking", t("attachments.checking"));
      const deadline = Date.now() + CHECK_DEADLINE_MS;
      while (!entry.removed && Date.now() < deadline) {
        const seen = await get(`/attachments/${encodeURIComponent(entry.id)}`, { signal });
        if (seen.status === "ready") {
          show(entry, "ready", t("attachments.ready"));
          announce(t("attachments.ready_named", { name: entry.file.name }));
          return;
        }
        if (seen.status === "rejected") {
          show(entry, "rejected", reasonText(seen.reason));
          announce(`${entry.file.name}: ${reasonText(seen.reason)}`);
          return;
        }
        await pause(CHECK_EVERY_MS);
      }
      if (!entry.removed) show(entry, "rejected", t("attachments.check_slow"));
    } catch (error) {
      if (signal?.aborted || entry.removed) return;
      const text =
        error instanceof UploadRefused
          ? reasonText(error.reason)
          : error instanceof ApiError && error.kind === "validation"
            ? t("attachments.type_not_allowed", { name: entry.file.name })
            : t("attachments.upload_failed");
      show(entry, "rejected", text);
    }
  };

  input.addEventListener("change", () => {
    const problems = [...input.files].map(add).filter(Boolean);
    say(problems.join(" "));
    input.value = "";
  });

  const element = h(
    "div",
    { class: "field attachment-picker" },
    h("label", { for: inputId, id: labelId }, label),
    h(
      "p",
      { class: "hint", id: hintId },
      t("attachments.hint", { max: MAX_ATTACHMENTS, size: 10 }),
    ),
    problem,
    input,
    choose,
    list,
  );
  return {
    element,
    ids: () => entries.filter((entry) => entry.status === "ready").map((entry) => entry.id),
    busy: () => entries.some((entry) => entry.status === "uploading" || entry.status === "checking"),
    refused: () => entries.filter((entry) => entry.status === "rejected").map((entry) => entry.file.name),
    reset: () => {
      entries.length = 0;
      replace(list);
      say(null);
    },
    focus: () => focus(choose),
  };
}

/** The full view of a photo: a modal dialog, closed with its button or Escape. */
function fullView(view, opener) {
  const close = h("button", { type: "button", class: "button" }, t("attachments.close"));
  const titleId = uid("title");
  const dialog = h(
    "dialog",
    { class: "attachment-dialog", "aria-labelledby": titleId },
    h("h2", { id: titleId, class: "attachment-dialog-title" }, view.filename),
    h("img", { src: view.download_url, alt: view.filename, class: "attachment-full", referrerpolicy: "no-referrer" }),
    h(
      "div",
      { class: "form-actions" },
      close,
      h("a", { href: view.download_url, download: view.filename, rel: "noreferrer" }, t("attachments.download")),
    ),
  );
  close.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    dialog.remove();
    focus(opener);
  });
  document.body.append(dialog);
  dialog.showModal();
  focus(close);
}

/** A message's attachments, read by id (links are short-lived: read when shown). */
export function attachmentGallery(ids, { signal } = {}) {
  if (!ids?.length) return null;
  const gallery = h("ul", { class: "plain attachment-gallery", "aria-label": t("attachments.on_message", { count: ids.length }) });
  for (const id of ids) {
    const item = h("li", { class: "attachment-thumb", "data-attachment-id": id }, h("span", { class: "hint" }, t("attachments.loading")));
    gallery.append(item);
    get(`/attachments/${encodeURIComponent(id)}`, { signal })
      .then((view) => replace(item, thumbnail(view)))
      .catch(() => {
        if (!signal?.aborted) replace(item, h("span", { class: "hint" }, t("attachments.unavailable")));
      });
  }
  return gallery;
}

function thumbnail(view) {
  if (view.status !== "ready") {
    return h("span", { class: "hint" }, `${view.filename}: ${view.status === "rejected" ? reasonText(view.reason) : t("attachments.checking")}`);
  }
  if (!view.thumbnail_url) {
    // A PDF: saved, not shown by the page.
    return h(
      "a",
      { href: view.download_url, download: view.filename, rel: "noreferrer", class: "attachment-file" },
      t("attachments.document", { name: view.filename }),
    );
  }
  const opener = h(
    "button",
    { type: "button", class: "attachment-open", "aria-label": t("attachments.open", { name: view.filename }) },
    h("img", { src: view.thumbnail_url, alt: view.filename, referrerpolicy: "no-referrer", loading: "lazy" }),
  );
  opener.addEventListener("click", () => fullView(view, opener));
  return opener;
}
