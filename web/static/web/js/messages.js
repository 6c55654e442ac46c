// Rendering of a room's messages: keyed DOM nodes reused across renders, day separators,
// the "new messages" marker, and the actions on one's own messages.
import { formatDay, formatFull, formatTime, dayKey, initials } from "./format.js";
import { _, fmt, ngettext } from "./i18n.js";
import { levelBadge } from "./levels.js";
import { renderDocuments, renderMarkdown } from "./markdown.js";

// Node caches per list (the room's and the thread panel's): message key -> {el, rev}.
const caches = new Map();
const separators = new Map(); // day key -> li

export const QUICK_REACTIONS = [
  ["👍", () => _("Pouce levé")],
  ["❤️", () => _("Cœur")],
  ["😄", () => _("Sourire")],
  ["🎉", () => _("Bravo")],
  ["👀", () => _("Je regarde")],
  ["✅", () => _("Fait")],
];

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
  // The label is relative (« Aujourd’hui », « Hier »): refresh it when the day has turned.
  const label = formatDay(date);
  let li = separators.get(key);
  if (!li) {
    li = el("li", { class: "day-separator" }, el("h3", { text: label }));
    separators.set(key, li);
  } else if (li.firstChild.textContent !== label) {
    li.firstChild.textContent = label;
  }
  return li;
}

const marker = el(
  "li",
  { class: "new-marker", id: "new-marker" },
  el("span", { text: _("Nouveaux messages") }),
);

function messageNode(msg, ctx) {
  const nodes = ctx.nodes;
  const cached = nodes.get(msg.key);
  const editing = ctx.editing === msg.key;
  const confirming = ctx.confirming === msg.key;
  const summary = ctx.threads && !ctx.inThread ? ctx.threads.get(msg.id) : null;
  const info = summary && ctx.rs.threadInfo.get(msg.id);
  const unread = threadUnread(summary, info, ctx.me);
  const extra = [
    ctx.picker === msg.key,
    summary ? `${summary.count}|${summary.last}|${summary.participants.size}` : "",
    info ? `${info.following}|${unread}` : "",
    isBot(msg, ctx),
    ctx.highlight === msg.id,
  ].join("|");
  const rev = `${msg.rev}|${msg.status}|${editing}|${confirming}|${extra}`;
  if (cached && cached.rev === rev) return cached.el;
  const li = cached ? cached.el : el("li", { class: "message" });
  li.replaceChildren(...messageContent(msg, ctx, editing, confirming, summary, unread));
  li.dataset.key = msg.key;
  if (msg.id) {
    li.dataset.id = String(msg.id);
    li.id = `${ctx.inThread ? "thread-" : ""}message-${msg.id}`;
  }
  li.tabIndex = -1;
  li.classList.toggle("own", msg.author.id === ctx.me.id);
  li.classList.toggle("pending", msg.status !== "sent");
  li.classList.toggle("failed", msg.status === "failed");
  li.classList.toggle("deleted", msg.deleted);
  li.classList.toggle("highlight", ctx.highlight === msg.id);
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

/** A bot's message: its events say so (author.is_bot), and the room's members list does too. */
export function isBot(msg, ctx) {
  return msg.author.is_bot === true || Boolean(ctx.bots && ctx.bots.has(msg.author.id));
}

/** Replies by others after the read position of a followed thread. */
export function threadUnread(summary, info, me) {
  if (!summary || !info || !info.following) return 0;
  return summary.replies.filter((r) => r.seq != null && r.seq > (info.read || 0) && r.author.id !== me.id).length;
}

/**
 * A webhook's icon_url, shown only when it is on this server: loading an outside address would
 * tell a third party who reads the room, and the CSP allows images from this origin only.
 */
export function sameOriginIcon(url) {
  if (typeof url !== "string" || !url) return "";
  try {
    const parsed = new URL(url, location.href);
    return parsed.origin === location.origin ? parsed.href : "";
  } catch {
    return "";
  }
}

function authorHead(msg, ctx, date) {
  const bot = isBot(msg, ctx);
  const username = bot && msg.meta && typeof msg.meta.username === "string" ? msg.meta.username : "";
  return el(
    "p",
    { class: "message-head" },
    el("span", { class: "author", text: msg.author.name }),
    bot ? el("span", { class: "bot-badge", title: _("Robot (compte automatisé)"), text: "BOT" }) : null,
    " ",
    levelBadge(msg.author),
    " ",
    el("time", { datetime: msg.created_at, title: formatFull(date), text: formatTime(date) }),
    msg.edited_at && !msg.deleted
      ? el("button", {
          type: "button",
          class: "link-button edited",
          "data-action": "history",
          "aria-label": _("Modifié : voir les versions précédentes"),
          text: _("(modifié)"),
        })
      : null,
    username ? el("span", { class: "bot-username", text: username }) : null,
  );
}

function sizeText(bytes) {
  if (bytes < 1024) return fmt(_("%(n)s octets"), { n: bytes });
  if (bytes < 1024 * 1024) return fmt(_("%(n)s Ko"), { n: (bytes / 1024).toFixed(1).replace(".", ",") });
  return fmt(_("%(n)s Mo"), { n: (bytes / 1024 / 1024).toFixed(1).replace(".", ",") });
}

export { sizeText };

export function renderFiles(files) {
  return el(
    "ul",
    { class: "attachments", "aria-label": _("Fichiers joints") },
    ...files.map((f) =>
      el(
        "li",
        {},
        el("a", { href: `/api/v1/files/${Number(f.id)}`, download: f.name, class: "file-link", text: f.name }),
        el("span", { class: "file-meta", text: ` (${sizeText(f.size)})` }),
      ),
    ),
  );
}

function reactionBar(msg, ctx) {
  const list = msg.id ? ctx.rs.reactionsOf(msg.id, ctx.me.id) : [];
  if (!list.length) return null;
  return el(
    "div",
    { class: "reactions", role: "group", "aria-label": _("Réactions") },
    ...list.map((r) => {
      const who = r.names.join(", ");
      return el(
        "button",
        {
          type: "button",
          class: "reaction",
          "data-action": "toggle-reaction",
          "data-emoji": r.emoji,
          "aria-pressed": r.mine ? "true" : "false",
          "aria-label": `${r.emoji} ${r.count} : ${who}`,
          title: who,
        },
        el("span", { "aria-hidden": "true", text: `${r.emoji} ${r.count}` }),
      );
    }),
  );
}

function reactionPicker(msg) {
  return el(
    "div",
    { class: "reaction-picker", role: "group", "aria-label": _("Choisir une réaction") },
    ...QUICK_REACTIONS.map(([emoji, label]) =>
      el("button", { type: "button", class: "secondary", "data-action": "react", "data-emoji": emoji, "aria-label": label(), title: label(), text: emoji }),
    ),
    el("button", { type: "button", class: "link-button", "data-action": "close-picker", text: _("Fermer") }),
  );
}

function threadSummary(msg, summary, unread) {
  const last = new Date(summary.last);
  const names = [...summary.participants.values()];
  return el(
    "p",
    { class: "thread-summary" },
    el(
      "button",
      { type: "button", class: "link-button", "data-action": "open-thread", "aria-label": `${ngettext("%(count)s réponse", "%(count)s réponses", summary.count)}, ${fmt(_("dernière à %(time)s"), { time: formatTime(last) })}, ${names.join(", ")}. ${_("Ouvrir le fil")}` },
      el("span", { text: ngettext("%(count)s réponse", "%(count)s réponses", summary.count) }),
    ),
    el("span", { class: "thread-meta", text: ` · ${fmt(_("dernière à %(time)s"), { time: formatTime(last) })} · ` }),
    el("span", { class: "thread-participants", text: names.join(", ") }),
    unread ? el("span", { class: "badge thread-unread", text: ngettext("%(count)s nouvelle", "%(count)s nouvelles", unread) }) : null,
  );
}

/**
 * The buttons shown on a message. Every action on a message is added here, in one place.
 * Each button carries `data-action`; the click handler of the list dispatches on it.
 */
export function messageActions(msg, ctx, date) {
  const buttons = [];
  if (msg.status !== "sent" || msg.deleted) return buttons;
  const when = formatTime(date);
  buttons.push(
    el("button", { type: "button", class: "secondary", "data-action": "open-picker", "aria-label": `${_("Réagir au message de")} ${when}`, "aria-expanded": ctx.picker === msg.key ? "true" : "false", text: _("Réagir") }),
  );
  if (!ctx.inThread && msg.thread == null) {
    buttons.push(
      el("button", { type: "button", class: "secondary", "data-action": "open-thread", "aria-label": `${_("Répondre dans un fil au message de")} ${when}`, text: _("Répondre dans un fil") }),
    );
  }
  if (msg.author.id === ctx.me.id) {
    buttons.push(
      el("button", { type: "button", class: "secondary", "data-action": "edit", "aria-label": `${_("Modifier le message de")} ${when}`, text: _("Modifier") }),
      el("button", { type: "button", class: "secondary", "data-action": "delete", "aria-label": `${_("Supprimer le message de")} ${when}`, text: _("Supprimer") }),
    );
  }
  const root = msg.thread != null ? ctx.rs.byId.get(msg.thread) : null;
  if (root && root.author.id === ctx.me.id && msg.author.id !== ctx.me.id) {
    const useful = ctx.rs.isUseful(msg.id);
    buttons.push(
      el("button", {
        type: "button",
        class: "secondary",
        "data-action": "toggle-useful",
        "aria-pressed": useful ? "true" : "false",
        "aria-label": `${useful ? _("Retirer la mention utile de la réponse de") : _("Marquer comme réponse utile la réponse de")} ${msg.author.name}, ${when}`,
        text: useful ? _("Retirer la mention utile") : _("Marquer comme réponse utile"),
      }),
    );
  }
  for (const hook of actionHooks) buttons.push(...(hook(msg, ctx, date) || []));
  return buttons;
}

const actionHooks = [];
/** Let another module add buttons to the message actions (fn(msg, ctx, date) -> [button]). */
export function addMessageActions(hook) {
  actionHooks.push(hook);
}

function messageContent(msg, ctx, editing, confirming, summary, unread) {
  const date = new Date(msg.created_at);
  const head = authorHead(msg, ctx, date);
  const bot = isBot(msg, ctx);
  const shownName = bot && msg.meta && typeof msg.meta.username === "string" && msg.meta.username ? msg.meta.username : msg.author.name;
  const icon = bot && msg.meta ? sameOriginIcon(msg.meta.icon_url) : "";
  const avatar = icon
    ? el("img", { class: "avatar avatar-icon", src: icon, alt: "", "aria-hidden": "true" })
    : el("span", { class: "avatar", "aria-hidden": "true", text: initials(shownName) });
  let body;
  if (msg.deleted) {
    body = el("p", { class: "message-body deleted-text", text: _("Ce message a été supprimé.") });
  } else if (editing) {
    body = editForm(msg, ctx);
  } else {
    body = el("div", { class: "message-body" });
    body.append(renderMarkdown(msg.body));
  }
  const documents = !msg.deleted && !editing && msg.documents && msg.documents.length ? renderDocuments(msg.documents) : null;
  const files = !msg.deleted && msg.files && msg.files.length ? renderFiles(msg.files) : null;
  const useful = msg.thread != null && !msg.deleted && msg.id && ctx.rs.isUseful(msg.id)
    ? el("p", { class: "useful-badge" }, el("span", { "aria-hidden": "true", text: "✓ " }), _("Réponse utile"))
    : null;
  const main = el("div", { class: "message-main" }, head, useful, body, documents, files);
  const parts = [avatar, main];
  if (!msg.deleted) {
    const bar = reactionBar(msg, ctx);
    if (bar) main.append(bar);
  }
  if (summary) main.append(threadSummary(msg, summary, unread));
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
  if (!editing && msg.status === "sent" && !msg.deleted) {
    const actions = el("div", { class: "message-actions" });
    if (confirming) {
      actions.append(
        el("button", { type: "button", class: "danger", "data-action": "confirm-delete", text: _("Confirmer la suppression") }),
        el("button", { type: "button", class: "secondary", "data-action": "cancel-delete", text: _("Annuler") }),
      );
    } else {
      actions.append(...messageActions(msg, ctx, date));
    }
    main.append(actions);
    if (ctx.picker === msg.key) main.append(reactionPicker(msg));
  }
  return parts;
}

function editForm(msg, ctx) {
  const id = `${ctx.inThread ? "thread-" : ""}edit-${msg.key}`;
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
 * Bring `list` in line with the messages of `rs` kept by `ctx.filter`, reusing and moving
 * existing nodes. `ctx`: {me, rs, editing, confirming, markerAfterSeq, threads, inThread, …}
 */
export function renderMessages(list, rs, ctx) {
  const cacheKey = list.id || "list";
  if (!caches.has(cacheKey)) caches.set(cacheKey, new Map());
  ctx = { ...ctx, rs, nodes: caches.get(cacheKey) };
  const desired = [];
  let lastDay = null;
  let markerPlaced = false;
  for (const msg of rs.sorted()) {
    if (ctx.filter && !ctx.filter(msg)) continue;
    const date = new Date(msg.created_at);
    const day = dayKey(date);
    if (day !== lastDay && !ctx.inThread) {
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

export function forgetNodes(listId) {
  if (listId) caches.delete(listId);
  else caches.clear();
}
