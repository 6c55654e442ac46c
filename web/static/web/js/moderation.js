// Moderation in the room view: the per-message "Actions" menu (report; hide, pin and move for
// moderators), the move and report dialogs, the moderation queue and the "nouveau membre"
// marks. It decorates the message list rendered by messages.js without changing it, and is
// told about frames by app.js (moderationFrame, moderationEvent).
import { del, get, patch, post } from "./api.js";
import { auditTrailFor, setupAuditTrail } from "./audit-trail.js";
import { _, fmt } from "./i18n.js";
import { el } from "./messages.js";

const $ = (id) => document.getElementById(id);

let ctx = null; // {current(), me(), rooms(), announce(text)}
const roomInfo = { id: null, pinned: new Set(), newcomers: new Set(), moderator: false };
let target = null; // the message a dialog acts on: {id, roomId}

function isModerator(rs) {
  const me = ctx.me();
  return Boolean(me && me.is_staff) || ["owner", "moderator"].includes(rs?.room?.role);
}

export function setupModeration(context) {
  ctx = context;
  buildDialogs();
  const actions = document.querySelector("#room .room-actions");
  const queueButton = el("button", {
    type: "button",
    id: "queue-button",
    class: "secondary",
    hidden: true,
    text: _("Signalements"),
  });
  queueButton.addEventListener("click", openQueue);
  actions.append(queueButton);
  setupAuditTrail(actions);
  const list = $("message-list");
  new MutationObserver(() => decorate(list)).observe(list, { childList: true, subtree: true });
  list.addEventListener("click", onListClick);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closeMenus();
  });
}

// --- the current room -------------------------------------------------------------------

async function refreshRoom(rs) {
  roomInfo.id = rs.id;
  roomInfo.moderator = isModerator(rs);
  roomInfo.pinned = new Set();
  roomInfo.newcomers = new Set();
  $("queue-button").hidden = !roomInfo.moderator;
  auditTrailFor(rs.id, roomInfo.moderator);
  try {
    if (roomInfo.moderator) {
      const state = await get(`/rooms/${rs.id}/moderation`);
      roomInfo.pinned = new Set(state.pinned.map((p) => p.message));
      roomInfo.newcomers = new Set(state.newcomer_messages);
    } else {
      const pins = await get(`/rooms/${rs.id}/pins`);
      roomInfo.pinned = new Set(pins.map((p) => p.message));
    }
  } catch (_err) {
    return;
  }
  if (roomInfo.id === rs.id) redecorate();
}

function redecorate() {
  for (const li of $("message-list").querySelectorAll("li.message")) {
    li.querySelector(".mod-tools")?.remove();
    li.querySelector(".newcomer-badge")?.remove();
  }
  decorate($("message-list"));
}

function decorate(list) {
  const rs = ctx.current();
  if (!rs) return;
  if (roomInfo.id !== rs.id) {
    roomInfo.id = rs.id;
    refreshRoom(rs);
    return;
  }
  for (const li of list.querySelectorAll("li.message[data-id]")) {
    const main = li.querySelector(".message-main");
    if (!main || li.classList.contains("deleted") || li.classList.contains("pending")) continue;
    const id = Number(li.dataset.id);
    li.classList.toggle("pinned", roomInfo.pinned.has(id));
    const head = main.querySelector(".message-head");
    if (roomInfo.moderator && roomInfo.newcomers.has(id) && head && !head.querySelector(".newcomer-badge")) {
      head.append(" ", el("span", { class: "newcomer-badge", text: _("nouveau membre") }));
    }
    if (roomInfo.pinned.has(id) && head && !head.querySelector(".pinned-badge")) {
      head.append(" ", el("span", { class: "pinned-badge", text: _("épinglé") }));
    }
    if (main.querySelector(".mod-tools")) continue;
    const own = li.classList.contains("own");
    if (own && !roomInfo.moderator) continue;
    main.append(toolsFor(id, own));
  }
}

function toolsFor(id, own) {
  const menuId = `mod-menu-${id}`;
  const toggle = el("button", {
    type: "button",
    class: "secondary mod-toggle",
    "aria-expanded": "false",
    "aria-controls": menuId,
    "data-mod": "toggle",
    text: _("Actions"),
  });
  const items = [];
  if (!own) items.push(["report", _("Signaler")]);
  if (roomInfo.moderator) {
    items.push(roomInfo.pinned.has(id) ? ["unpin", _("Désépingler")] : ["pin", _("Épingler")]);
    items.push(["move", _("Déplacer")], ["hide", _("Masquer")]);
    if (!own) items.push(["sanction", _("Sanctionner l'auteur")]);
  }
  const menu = el(
    "ul",
    { id: menuId, class: "mod-menu", hidden: true },
    ...items.map(([action, label]) =>
      el("li", {}, el("button", { type: "button", class: "link-button", "data-mod": action, text: label })),
    ),
  );
  return el("div", { class: "mod-tools", "data-message": String(id) }, toggle, menu);
}

function closeMenus(except = null) {
  for (const tools of document.querySelectorAll(".mod-tools")) {
    if (tools === except) continue;
    tools.querySelector(".mod-menu").hidden = true;
    tools.querySelector(".mod-toggle").setAttribute("aria-expanded", "false");
  }
}

async function onListClick(event) {
  const button = event.target.closest("[data-mod]");
  if (!button) return;
  const tools = button.closest(".mod-tools");
  const id = Number(tools.dataset.message);
  const rs = ctx.current();
  if (button.dataset.mod === "toggle") {
    const menu = tools.querySelector(".mod-menu");
    closeMenus(tools);
    menu.hidden = !menu.hidden;
    button.setAttribute("aria-expanded", String(!menu.hidden));
    if (!menu.hidden) menu.querySelector("button")?.focus();
    return;
  }
  closeMenus();
  target = { id, roomId: rs.id };
  try {
    switch (button.dataset.mod) {
      case "report":
        openDialog("report-dialog");
        break;
      case "move":
        fillRoomChoices(rs.id);
        openDialog("move-dialog");
        break;
      case "hide":
        openDialog("hide-dialog");
        break;
      case "sanction": {
        const author = rs.byId.get(id)?.author;
        if (!author) break;
        target.user = author;
        openDialog("sanction-dialog");
        $("sanction-who").textContent = fmt(_("Auteur : %(name)s"), { name: author.name });
        break;
      }
      case "pin":
        await post(`/messages/${id}/pin`);
        ctx.announce(_("Message épinglé."));
        break;
      case "unpin":
        await del(`/messages/${id}/pin`);
        ctx.announce(_("Message désépinglé."));
        break;
      default:
        break;
    }
  } catch (error) {
    ctx.announce(error.message);
  }
}

// --- dialogs ----------------------------------------------------------------------------

function field(id, label, control) {
  return el("div", { class: "field" }, el("label", { for: id, text: label }), control);
}

function dialog(id, title, body, submitLabel, onSubmit) {
  const titleId = `${id}-title`;
  const error = el("div", { class: "alert", role: "alert", tabindex: "-1", hidden: true });
  const form = el(
    "form",
    { method: "dialog", class: "stack", novalidate: true },
    el("h2", { id: titleId, text: title }),
    error,
    ...body,
    el(
      "div",
      { class: "dialog-actions" },
      el("button", { type: "submit", text: submitLabel }),
      el("button", { type: "button", class: "secondary", "data-close": true, text: _("Annuler") }),
    ),
  );
  const node = el("dialog", { id, "aria-labelledby": titleId }, form);
  node.addEventListener("click", (event) => {
    if (event.target.closest("[data-close]")) node.close();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    try {
      await onSubmit(new FormData(form));
      node.close();
    } catch (err) {
      error.textContent = err.message;
      error.hidden = false;
      error.focus();
    }
  });
  document.body.append(node);
  return node;
}

function reasonArea(id, name, required) {
  return el("textarea", { id, name, rows: "3", maxlength: name === "note" ? "500" : "255", required });
}

function buildDialogs() {
  dialog(
    "report-dialog",
    _("Signaler ce message"),
    [
      el("p", { text: _("Les modérateurs du salon examineront votre signalement et vous informeront de la suite donnée.") }),
      field("report-reason", _("Motif du signalement"), reasonArea("report-reason", "reason", true)),
    ],
    _("Signaler"),
    async (data) => {
      await post(`/messages/${target.id}/report`, { reason: data.get("reason") });
      ctx.announce(_("Signalement envoyé aux modérateurs."));
      notice(_("Signalement envoyé aux modérateurs."));
    },
  );
  dialog(
    "hide-dialog",
    _("Masquer ce message"),
    [
      el("p", { text: _("Le message sera remplacé par une mention « supprimé » pour tous les lecteurs.") }),
      field("hide-reason", _("Motif (journal d'audit)"), reasonArea("hide-reason", "reason", false)),
    ],
    _("Masquer"),
    async (data) => {
      await post(`/messages/${target.id}/hide`, { reason: data.get("reason") });
      ctx.announce(_("Message masqué."));
    },
  );
  const scopes = [
    ["message", _("Ce message")],
    ["thread", _("Tout le fil")],
    ["following", _("Ce message et les suivants")],
  ];
  dialog(
    "move-dialog",
    _("Déplacer vers un autre salon"),
    [
      field("move-room", _("Salon de destination"), el("select", { id: "move-room", name: "room", required: true })),
      el(
        "fieldset",
        {},
        el("legend", { text: _("Que déplacer ?") }),
        ...scopes.map(([value, label], i) =>
          el("label", {}, el("input", { type: "radio", name: "scope", value, checked: i === 0 ? "checked" : null }), ` ${label}`),
        ),
      ),
      field("move-reason", _("Motif (communiqué à l'auteur)"), reasonArea("move-reason", "reason", true)),
    ],
    _("Déplacer"),
    async (data) => {
      const room = Number(data.get("room"));
      const result = await post(`/messages/${target.id}/move`, {
        room,
        scope: data.get("scope"),
        reason: data.get("reason"),
      });
      const name = $("move-room").selectedOptions[0]?.textContent || "";
      const text = fmt(_("%(n)s message(s) déplacé(s) vers « %(room)s »."), { n: result.messages.length, room: name });
      ctx.announce(text);
      notice(text);
    },
  );
  const sanctions = [
    ["mute-3600", _("Mettre en sourdine 1 heure")],
    ["mute-86400", _("Mettre en sourdine 24 heures")],
    ["remove", _("Retirer du salon")],
    ["ban", _("Exclure du salon (sans retour possible)")],
  ];
  dialog(
    "sanction-dialog",
    _("Sanctionner l'auteur"),
    [
      el("p", { id: "sanction-who" }),
      el(
        "fieldset",
        {},
        el("legend", { text: _("Sanction") }),
        ...sanctions.map(([value, label], i) =>
          el("label", {}, el("input", { type: "radio", name: "sanction", value, checked: i === 0 ? "checked" : null }), ` ${label}`),
        ),
      ),
      field("sanction-reason", _("Motif (journal d'audit)"), reasonArea("sanction-reason", "reason", false)),
    ],
    _("Appliquer"),
    async (data) => {
      const sanction = data.get("sanction");
      const body = { user: target.user.id, reason: data.get("reason") };
      if (sanction.startsWith("mute-")) {
        await post(`/rooms/${target.roomId}/mutes`, { ...body, seconds: Number(sanction.slice(5)) });
      } else {
        await post(`/rooms/${target.roomId}/${sanction === "ban" ? "bans" : "removals"}`, body);
      }
      ctx.announce(fmt(_("Sanction appliquée à %(name)s."), { name: target.user.name }));
    },
  );
  const postingChoices = [
    ["all", _("Tous les membres publient")],
    ["announcement", _("Annonces : seuls les modérateurs publient")],
    ["read_only", _("Lecture seule")],
  ];
  const policy = el(
    "form",
    { id: "policy-form", class: "stack", novalidate: true },
    el("h3", { text: _("Règles de publication") }),
    field("policy-posting", _("Qui publie"), el("select", { id: "policy-posting", name: "posting" },
      ...postingChoices.map(([value, label]) => el("option", { value, text: label })))),
    field("policy-slow", _("Mode lent : secondes entre deux messages d'un membre (0 : désactivé)"),
      el("input", { id: "policy-slow", name: "slow", type: "number", min: "0", max: "21600", step: "1", value: "0" })),
    el("button", { type: "submit", text: _("Enregistrer les règles") }),
  );
  policy.addEventListener("submit", async (event) => {
    event.preventDefault();
    const rs = ctx.current();
    try {
      await patch(`/rooms/${rs.id}/policy`, {
        posting: $("policy-posting").value,
        slow_mode_seconds: Number($("policy-slow").value || 0),
      });
      $("queue-status").textContent = _("Règles enregistrées.");
    } catch (error) {
      $("queue-status").textContent = error.message;
    }
  });
  const queue = el("dialog", { id: "queue-dialog", "aria-labelledby": "queue-title" });
  queue.append(
    el(
      "div",
      { class: "stack" },
      el("h2", { id: "queue-title", text: _("Signalements à traiter") }),
      el("p", { id: "queue-status", role: "status" }),
      el("ul", { id: "queue-list", class: "queue-list" }),
      policy,
      el(
        "div",
        { class: "dialog-actions" },
        el("button", { type: "button", class: "secondary", "data-close": true, text: _("Fermer") }),
      ),
    ),
  );
  queue.addEventListener("click", onQueueClick);
  document.body.append(queue);
  document.body.append(el("div", { id: "moderation-notice", class: "notice moderation-notice", role: "status" }));
}

function openDialog(id) {
  const node = $(id);
  node.querySelector("form")?.reset();
  const error = node.querySelector(".alert");
  if (error) error.hidden = true;
  node.showModal();
}

function fillRoomChoices(currentId) {
  const select = $("move-room");
  const rooms = [...ctx.rooms().values()]
    .filter((rs) => rs.id !== currentId)
    .sort((a, b) => a.room.name.localeCompare(b.room.name, "fr"));
  select.replaceChildren(...rooms.map((rs) => el("option", { value: String(rs.id), text: rs.room.name })));
}

function notice(text) {
  const box = $("moderation-notice");
  box.textContent = text;
  clearTimeout(notice.timer);
  notice.timer = setTimeout(() => {
    box.textContent = "";
  }, 10000);
}

// --- the moderation queue ---------------------------------------------------------------

async function openQueue() {
  const rs = ctx.current();
  try {
    // Before showing the form, so nothing the moderator chooses is overwritten.
    const state = await get(`/rooms/${rs.id}/moderation`);
    $("policy-posting").value = state.posting;
    $("policy-slow").value = String(state.slow_mode_seconds);
  } catch (_err) {
    // The queue below says what went wrong.
  }
  $("queue-dialog").showModal();
  await renderQueue();
}

async function renderQueue() {
  const rs = ctx.current();
  if (!rs) return;
  let reports = [];
  try {
    reports = await get(`/reports?room=${rs.id}`);
  } catch (error) {
    $("queue-status").textContent = error.message;
    return;
  }
  $("queue-status").textContent = reports.length
    ? fmt(_("%(n)s signalement(s) en attente."), { n: reports.length })
    : _("Aucun signalement en attente.");
  $("queue-list").replaceChildren(...reports.map(queueItem));
  updateQueueCount(reports.length);
}

function queueItem(report) {
  const noteId = `report-note-${report.id}`;
  return el(
    "li",
    { class: "queue-item", "data-report": String(report.id) },
    el("p", {}, el("strong", { text: report.author?.name || "" }), " : ", el("span", { class: "excerpt", text: report.excerpt || _("(message supprimé)") })),
    el("p", { text: fmt(_("Signalé par %(who)s : %(reason)s"), { who: report.reporter?.name || "", reason: report.reason }) }),
    field(noteId, _("Note pour l'auteur du signalement"), el("input", { id: noteId, name: "note", maxlength: "500" })),
    el(
      "div",
      { class: "dialog-actions" },
      el("button", { type: "button", "data-handle": "resolved", text: _("Traiter") }),
      el("button", { type: "button", class: "secondary", "data-handle": "dismissed", text: _("Rejeter") }),
    ),
  );
}

async function onQueueClick(event) {
  if (event.target.closest("[data-close]")) {
    $("queue-dialog").close();
    return;
  }
  const button = event.target.closest("[data-handle]");
  if (!button) return;
  const item = button.closest("[data-report]");
  const note = item.querySelector("input[name=note]").value;
  try {
    await post(`/reports/${item.dataset.report}/handle`, { status: button.dataset.handle, note });
    ctx.announce(button.dataset.handle === "resolved" ? _("Signalement traité.") : _("Signalement rejeté."));
    await renderQueue();
  } catch (error) {
    $("queue-status").textContent = error.message;
  }
}

function updateQueueCount(count) {
  const button = $("queue-button");
  button.textContent = count ? fmt(_("Signalements (%(n)s)"), { n: count }) : _("Signalements");
}

// --- frames from app.js -----------------------------------------------------------------

/** A per-user frame app.js does not handle itself. */
export function moderationFrame(frame) {
  const rs = ctx?.current();
  switch (frame.type) {
    case "report.created":
      ctx.announce(fmt(_("Nouveau signalement dans « %(room)s »."), { room: frame.report.room.name }));
      if (rs && rs.id === frame.report.room.id && roomInfo.moderator) {
        if ($("queue-dialog").open) renderQueue();
        else get(`/reports?room=${rs.id}`).then((r) => updateQueueCount(r.length)).catch(() => {});
      }
      break;
    case "report.updated":
      if ($("queue-dialog").open) renderQueue();
      break;
    case "report.closed": {
      const text =
        frame.report.status === "resolved"
          ? fmt(_("Votre signalement a été traité : %(note)s"), { note: frame.report.note || "—" })
          : fmt(_("Votre signalement a été rejeté : %(note)s"), { note: frame.report.note || "—" });
      ctx.announce(text);
      notice(text);
      break;
    }
    case "message.moved": {
      const where = frame.to_room ? frame.to_room.name : _("un autre salon");
      const text = fmt(_("%(by)s a déplacé votre message vers « %(room)s » : %(reason)s"), {
        by: frame.by.name,
        room: where,
        reason: frame.reason,
      });
      ctx.announce(text);
      notice(text);
      break;
    }
    case "moderation.newcomer":
      if (rs && rs.id === frame.room) {
        roomInfo.newcomers.add(frame.message);
        redecorate();
      }
      break;
    default:
      break;
  }
}

/** A room event app.js does not handle itself; true when the room must be re-rendered. */
export function moderationEvent(rs, frame) {
  const data = frame.data || {};
  switch (frame.event) {
    case "message.moved": {
      // In the destination, the message.created events brought them; in the source, they go
      // (unless they only changed thread within this room).
      // Each room's event names that room; the destination's names it as to_room.
      if (data.to_room && data.to_room.id === rs.id) break;
      for (const id of data.messages || []) {
        const msg = rs.byId.get(id);
        if (!msg) continue;
        rs.messages.delete(msg.key);
        rs.byId.delete(id);
      }
      break;
    }
    case "message.pinned":
    case "message.unpinned":
      if (roomInfo.id === rs.id) {
        if (frame.event === "message.pinned") roomInfo.pinned.add(data.message);
        else roomInfo.pinned.delete(data.message);
        redecorate();
      }
      break;
    case "member.role_changed":
      if (data.user && ctx.me() && data.user.id === ctx.me().id) {
        rs.room = { ...rs.room, role: data.role };
        if (roomInfo.id === rs.id) refreshRoom(rs);
      }
      break;
    default:
      break;
  }
}
