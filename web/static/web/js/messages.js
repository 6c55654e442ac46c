// Rendering of a room's messages: keyed DOM nodes reused across renders, day separators,
// the "new messages" marker, and the actions on one's own messages.
import { formatDay, formatFull, formatTime, dayKey, initials } from "./format.js";
import { _ } from "./i18n.js";
import { levelBadge } from "./levels.js";
import { renderDocuments, renderMarkdown } from "./markdown.js";

const nodes = new Map(); // message key -> {el, rev, roomId}
const separators = new Map(); // day key -> li

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k === "value") node.value = v;
    else if (k.startsWith("data-")) node.setAttribute(k, v);
    else if (k in node && typeof v !== "string") node[k] = v;
    else node.setAttribute(k, v === true ? "" : v);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

export { el };

function separator(date) {
  const key = dayKey(date);
  let li = separators.get(key);
  if (!li) {
    li = el("li", { class: "day-separator" }, el("h3", { text: formatDay(date) }));
    separators.set(key, li);
  }
  return li;
}

const marker = el(
  "li",
  { class: "new-marker", id: "new-marker" },
  el("span", { text: _("Nouveaux messages") }),
);

function messageNode(msg, ctx) {
  const cached = nodes.get(msg.key);
  const editing = ctx.editing === msg.key;
  const confirming = ctx.confirming === msg.key;
  const rev = `${msg.rev}|${msg.status}|${editing}|${confirming}`;
  if (cached && cached.rev === rev) return cached.el;
  const li = cached ? cached.el : el("li", { class: "message" });
  li.replaceChildren(...messageContent(msg, ctx, editing, confirming));
  li.dataset.key = msg.key;
  if (msg.id) li.dataset.id = String(msg.id);
  li.classList.toggle("own", msg.author.id === ctx.me.id);
  li.classList.toggle("pending", msg.status !== "sent");
  li.classList.toggle("failed", msg.status === "failed");
  li.classList.toggle("deleted", msg.deleted);
  nodes.set(msg.key, { el: li, rev });
  if (editing) {
    queueMicrotask(() => {
      const area = li.querySelector("textarea");
      if (area) {
        area.focus();
        area.setSelectionRange(area.value.length, area.value.length);
      }
    });
  }
  if (confirming) queueMicrotask(() => li.querySelector("[data-action=confirm-delete]")?.focus());
  return li;
}

function messageContent(msg, ctx, editing, confirming) {
  const date = new Date(msg.created_at);
  const head = el(
    "p",
    { class: "message-head" },
    el("span", { class: "author", text: msg.author.name }),
    " ",
    levelBadge(msg.author),
    " ",
    el("time", { datetime: msg.created_at, title: formatFull(date), text: formatTime(date) }),
    msg.edited_at && !msg.deleted ? el("span", { class: "edited", text: ` ${_("(modifié)")}` }) : null,
  );
  const avatar = el("span", { class: "avatar", "aria-hidden": "true", text: initials(msg.author.name) });
  let body;
  if (msg.deleted) {
    body = el("p", { class: "message-body deleted-text", text: _("Ce message a été supprimé.") });
  } else if (editing) {
    body = editForm(msg);
  } else {
    body = el("div", { class: "message-body" });
    body.append(renderMarkdown(msg.body));
  }
  const documents = !msg.deleted && !editing && msg.documents && msg.documents.length ? renderDocuments(msg.documents) : null;
  const parts = [avatar, el("div", { class: "message-main" }, head, body, documents)];
  const main = parts[1];
  if (msg.status === "queued" || msg.status === "sending") {
    main.append(
      el("p", {
        class: "message-status",
        text: msg.status === "queued" ? _("En attente de connexion…") : _("Envoi…"),
      }),
    );
  } else if (msg.status === "failed") {
    main.append(
      el(
        "p",
        { class: "message-status error" },
        el("span", { text: _("Échec de l'envoi") + (msg.error ? ` : ${msg.error}` : "") + " " }),
        el("button", { type: "button", class: "link-button", "data-action": "retry", text: _("Réessayer") }),
      ),
    );
  }
  const own = msg.author.id === ctx.me.id;
  if (own && msg.status === "sent" && !msg.deleted && !editing) {
    const actions = el("div", { class: "message-actions" });
    if (confirming) {
      actions.append(
        el("button", { type: "button", class: "danger", "data-action": "confirm-delete", text: _("Confirmer la suppression") }),
        el("button", { type: "button", class: "secondary", "data-action": "cancel-delete", text: _("Annuler") }),
      );
    } else {
      actions.append(
        el("button", { type: "button", class: "secondary", "data-action": "edit", "aria-label": `${_("Modifier le message de")} ${formatTime(date)}`, text: _("Modifier") }),
        el("button", { type: "button", class: "secondary", "data-action": "delete", "aria-label": `${_("Supprimer le message de")} ${formatTime(date)}`, text: _("Supprimer") }),
      );
    }
    main.append(actions);
  }
  return parts;
}

function editForm(msg) {
  const id = `edit-${msg.key}`;
  return el(
    "form",
    { class: "edit-form", "data-action": "save-edit" },
    el("label", { for: id, class: "sr-only", text: _("Modifier le message") }),
    el("textarea", { id, name: "body", rows: "3", maxlength: "10000", value: msg.body }),
    el(
      "div",
      { class: "edit-actions" },
      el("button", { type: "submit", text: _("Enregistrer") }),
      el("button", { type: "button", class: "secondary", "data-action": "cancel-edit", text: _("Annuler") }),
    ),
  );
}

/**
 * Bring `list` in line with the room's messages, reusing and moving existing nodes.
 * `ctx`: {me, editing, confirming, markerAfterSeq}
 */
export function renderMessages(list, rs, ctx) {
  const desired = [];
  let lastDay = null;
  let markerPlaced = false;
  for (const msg of rs.sorted()) {
    const date = new Date(msg.created_at);
    const day = dayKey(date);
    if (day !== lastDay) {
      desired.push(separator(date));
      lastDay = day;
    }
    if (
      !markerPlaced &&
      ctx.markerAfterSeq != null &&
      msg.seq != null &&
      msg.seq > ctx.markerAfterSeq &&
      msg.author.id !== ctx.me.id
    ) {
      desired.push(marker);
      markerPlaced = true;
    }
    desired.push(messageNode(msg, ctx));
  }
  let cursor = list.firstChild;
  for (const node of desired) {
    if (node === cursor) cursor = cursor.nextSibling;
    else list.insertBefore(node, cursor);
  }
  while (cursor) {
    const next = cursor.nextSibling;
    cursor.remove();
    cursor = next;
  }
}

export function forgetNodes() {
  nodes.clear();
}
