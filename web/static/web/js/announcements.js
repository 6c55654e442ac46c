// Announcements pinned in the open room: banners at its top, « lu par N agents » for their
// author, the room's moderators and staff, hidden on this device by whoever dismisses one.
// Opening the room (or receiving the announcement while looking at it) moves the read
// position past the announcement's message: that is the read the count is made of.
import { get } from "./api.js";
import { _, fmt, ngettext } from "./i18n.js";
import { formatFull } from "./format.js";
import { renderMarkdown } from "./markdown.js";
import { el } from "./messages.js";

const $ = (id) => document.getElementById(id);
const MODERATES = new Set(["owner", "moderator"]);
const REFRESH_EVERY = 30_000;

let ctx = null; // {state, announce}
const pinned = new Map(); // room id -> announcements pinned there
let timer = null;

function hiddenKey() {
  return `preau.announcements.hidden.${ctx.state.me.id}`;
}

function hiddenIds() {
  try {
    return new Set(JSON.parse(localStorage.getItem(hiddenKey()) || "[]"));
  } catch (_err) {
    return new Set();
  }
}

function setHidden(ids) {
  // Only the latest few hundred: announcements are pinned for 90 days at most.
  localStorage.setItem(hiddenKey(), JSON.stringify([...ids].slice(-300)));
}

/** Whether the person may see how many agents read an announcement in this room. */
function seesReadCount(item, room) {
  const me = ctx.state.me;
  return item.author.id === me.id || Boolean(me.is_staff) || MODERATES.has(room.role);
}

function banner(item, room) {
  const titleId = `announcement-${item.id}-title`;
  const readBy = seesReadCount(item, room)
    ? el("p", {
        class: "announcement-reads",
        "data-announcement-reads": String(item.id),
        text: ngettext("Lu par %(count)s agent", "Lu par %(count)s agents", item.read_by),
      })
    : null;
  const hide = el("button", {
    type: "button",
    class: "secondary",
    "data-hide-announcement": String(item.id),
    "aria-label": fmt(_("Masquer l'annonce de %(name)s"), { name: item.author.name }),
    text: _("Masquer"),
  });
  const body = el("div", { class: "announcement-body" });
  body.append(renderMarkdown(item.body));
  return el(
    "li",
    {},
    el(
      "article",
      { class: "announcement", "aria-labelledby": titleId, "data-announcement": String(item.id) },
      el(
        "p",
        { class: "announcement-title", id: titleId },
        el("span", { class: "announcement-badge", text: _("Annonce") }),
        " ",
        fmt(_("de %(name)s"), { name: item.author.name }),
      ),
      body,
      el("p", {
        class: "announcement-meta",
        text: fmt(_("Épinglée jusqu'au %(date)s"), { date: formatFull(new Date(item.pinned_until)) }),
      }),
      readBy,
      hide,
    ),
  );
}

/** Draw the current room's banners (none, or every one not hidden on this device). */
export function renderAnnouncements() {
  const rs = ctx.state.current;
  const box = $("room-announcements");
  const items = rs ? pinned.get(rs.id) || [] : [];
  const hidden = hiddenIds();
  const shown = items.filter((a) => !hidden.has(a.id));
  const masked = items.length - shown.length;
  $("announcement-list").replaceChildren(...shown.map((a) => banner(a, rs.room)));
  const restore = $("announcements-restore");
  restore.hidden = masked === 0;
  restore.textContent = ngettext("Afficher l'annonce masquée", "Afficher les %(count)s annonces masquées", masked);
  box.hidden = items.length === 0;
}

/** Fetch what is pinned in a room now; `fresh`: the id of an announcement just received. */
export async function loadAnnouncements(rs, { fresh = null } = {}) {
  let items;
  try {
    items = await get(`/rooms/${rs.id}/announcements`);
  } catch (_err) {
    return; // not readable (any more): the room's own handling says so
  }
  pinned.set(rs.id, items);
  if (ctx.state.current !== rs) return;
  renderAnnouncements();
  const item = fresh != null && items.find((a) => a.id === fresh);
  if (item) {
    ctx.announce(fmt(_("Nouvelle annonce de %(name)s : %(body)s"), { name: item.author.name, body: item.body }));
  }
  clearInterval(timer);
  // Read counts change as agents read: refreshed while someone who sees them looks.
  if (items.some((a) => seesReadCount(a, rs.room))) {
    timer = setInterval(() => {
      if (ctx.state.current === rs && !document.hidden) loadAnnouncements(rs);
      else clearInterval(timer);
    }, REFRESH_EVERY);
  }
}

/** The `announcement` frame: something was pinned in a room whose readers we are. */
export function announcementFrame(frame) {
  const rs = ctx.state.rooms.get(frame.room);
  if (!rs) return;
  if (ctx.state.current === rs) loadAnnouncements(rs, { fresh: frame.announcement });
  else pinned.delete(rs.id); // loaded again when the room is opened
}

export function setupAnnouncements({ state, announce }) {
  ctx = { state, announce };
  $("announcement-list").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-hide-announcement]");
    if (!button) return;
    const ids = hiddenIds();
    ids.add(Number(button.dataset.hideAnnouncement));
    setHidden(ids);
    renderAnnouncements();
    ctx.announce(_("Annonce masquée sur cet appareil."));
    const restore = $("announcements-restore");
    (restore.hidden ? $("composer-input") : restore).focus();
  });
  $("announcements-restore").addEventListener("click", () => {
    const rs = ctx.state.current;
    if (!rs) return;
    const ids = hiddenIds();
    for (const item of pinned.get(rs.id) || []) ids.delete(item.id);
    setHidden(ids);
    renderAnnouncements();
    $("announcement-list").querySelector("button")?.focus();
  });
}
