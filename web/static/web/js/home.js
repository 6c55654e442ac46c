// « Accueil »: the personal home feed (announcements, mentions, followed threads, webinars,
// new fiches, new members), newest first, updated live by `home.item` / `home.seen` frames.
import { ApiError, get, post } from "./api.js";
import { formatFull } from "./format.js";
import { _, fmt, ngettext } from "./i18n.js";
import { el } from "./messages.js";

const $ = (id) => document.getElementById(id);
const PAGE = 30;

const home = {
  items: new Map(), // id -> item, the list shown
  unseen: 0,
  next: null,
  loaded: false,
  loading: null,
};
let announce = () => {};

const KIND_LABELS = () => ({
  announcement: _("Annonce"),
  mention: _("Mention"),
  thread: _("Fil suivi"),
  webinar: _("Webinaire"),
  fiche: _("Fiche pratique"),
  member: _("Nouveau membre"),
});

function headline(item) {
  const room = item.room ? item.room.name : "";
  switch (item.kind) {
    case "announcement":
      if (!room) return fmt(_("Annonce de %(author)s à votre type d'organisation"), { author: item.title });
      return fmt(_("Annonce de %(author)s dans « %(room)s »"), { author: item.title, room });
    case "mention":
      return fmt(_("%(author)s vous a mentionné dans « %(room)s »"), { author: item.title, room });
    case "thread":
      return fmt(_("Nouvelle réponse dans le fil « %(title)s » (%(room)s)"), { title: item.title, room });
    case "webinar":
      return fmt(_("Webinaire « %(title)s » le %(date)s"), {
        title: item.title,
        date: item.starts_at ? formatFull(new Date(item.starts_at)) : "",
      });
    case "fiche":
      return fmt(_("Nouvelle fiche : %(title)s"), { title: item.title });
    case "member":
      return fmt(_("%(name)s a rejoint Préau"), { name: item.title });
    default:
      return item.title;
  }
}

function renderItem(item) {
  const label = KIND_LABELS()[item.kind] || item.kind;
  return el(
    "li",
    { class: `home-item kind-${item.kind}${item.seen ? "" : " unseen"}`, "data-id": item.id },
    el(
      "p",
      { class: "home-meta" },
      el("span", { class: "home-kind", text: label }),
      " · ",
      el("time", { datetime: item.at, text: formatFull(new Date(item.at)) }),
      item.seen ? null : el("span", { class: "home-new", text: _("Nouveau") }),
    ),
    // An announcement to one's kind of organisation that no room of one's holds has no link:
    // its whole text is the summary.
    el("p", { class: "home-headline" }, item.url ? el("a", { href: item.url, text: headline(item) }) : headline(item)),
    item.summary ? el("p", { class: "home-summary", text: item.summary }) : null,
  );
}

function sorted() {
  return [...home.items.values()].sort((a, b) => (a.at === b.at ? (a.id < b.id ? 1 : -1) : a.at < b.at ? 1 : -1));
}

function render() {
  const list = $("home-list");
  if (!list) return;
  const items = sorted();
  list.replaceChildren(...items.map(renderItem));
  $("home-empty").hidden = !home.loaded || items.length > 0;
  $("home-more").hidden = !home.next;
  $("home-seen").disabled = home.unseen === 0 && !items.some((i) => !i.seen);
  renderCount();
}

function renderCount() {
  const badge = $("home-badge");
  if (badge) {
    badge.hidden = home.unseen === 0;
    const shown = home.unseen > 99 ? "99+" : String(home.unseen);
    badge.replaceChildren(
      el("span", { "aria-hidden": "true", text: shown }),
      el("span", { class: "sr-only", text: ngettext("%(count)s nouveauté", "%(count)s nouveautés", home.unseen) }),
    );
  }
  const count = $("home-count");
  if (count && home.loaded) {
    count.textContent = home.unseen
      ? ngettext("%(count)s nouveauté depuis votre dernier passage", "%(count)s nouveautés depuis votre dernier passage", home.unseen)
      : _("Vous avez tout vu.");
  }
}

/** Load (or reload) the first page. */
export function loadHome() {
  if (home.loading) return home.loading;
  home.loading = (async () => {
    try {
      const page = await get(`/home?limit=${PAGE}`);
      home.items = new Map(page.items.map((i) => [i.id, i]));
      home.unseen = page.unseen;
      home.next = page.next;
      home.loaded = true;
      render();
    } catch (error) {
      // The session ended (logged out in another tab, or everywhere): back to the login page.
      if (error instanceof ApiError && error.status === 401) location.assign("/login/");
      if ($("home-count")) $("home-count").textContent = error.message;
    } finally {
      home.loading = null;
    }
  })();
  return home.loading;
}

async function loadMore() {
  if (!home.next) return;
  try {
    const page = await get(`/home?limit=${PAGE}&before=${encodeURIComponent(home.next)}`);
    for (const item of page.items) if (!home.items.has(item.id)) home.items.set(item.id, item);
    home.next = page.next;
    render();
  } catch (error) {
    announce(error.message);
  }
}

async function markAllSeen() {
  try {
    const result = await post("/home/seen", {});
    applySeen(result.seen_until, result.unseen);
    announce(_("Tout est marqué comme vu."));
  } catch (error) {
    announce(error.message);
  }
}

function applySeen(seenUntil, unseen) {
  for (const item of home.items.values()) if (item.at <= seenUntil) item.seen = true;
  home.unseen = unseen;
  render();
}

/** A `home.item` frame: insert (or move up) the item, count it, and say so politely. */
export function homeItemFrame(frame) {
  const item = frame.item;
  if (!item || typeof item.id !== "string") return;
  const previous = home.items.get(item.id);
  if (previous && previous.at >= item.at) return;
  if (!previous || previous.seen) home.unseen += 1;
  home.items.set(item.id, item);
  render();
  announce(fmt(_("Nouveau sur votre accueil : %(text)s"), { text: headline(item) }));
}

/** A `home.seen` frame: another tab marked everything seen. */
export function homeSeenFrame(frame) {
  if (typeof frame.seen_until !== "string") return;
  applySeen(frame.seen_until, Number(frame.unseen) || 0);
}

// Events after which an item of that room may no longer be readable or current: the home
// page is reloaded from the server (which only lists what one may read now).
const STALE_AFTER = new Set(["message.deleted", "message.moved", "member.left"]);
let staleTimer = null;

/** A room event: reload the list if it may have removed or moved one of its items. */
export function homeRoomEvent(roomId, event) {
  if (!home.loaded || !STALE_AFTER.has(event)) return;
  if (![...home.items.values()].some((i) => i.room && i.room.id === roomId)) return;
  clearTimeout(staleTimer);
  staleTimer = setTimeout(() => loadHome(), 300);
}

export function setupHome(context) {
  announce = context.announce;
  $("home-seen").addEventListener("click", markAllSeen);
  $("home-more").addEventListener("click", loadMore);
}
