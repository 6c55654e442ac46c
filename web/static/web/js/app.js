// The main screen: sidebar, room view, composer, live updates.
import { ApiError, api, del, get, patch, post } from "./api.js";
import { _, fmt, ngettext } from "./i18n.js";
import { Live } from "./live.js";
import { initials } from "./format.js";
import { Composer } from "./composer.js";
import { el, isBot, renderMessages } from "./messages.js";
import { setupPanels, showDirectory } from "./panels.js";
import { levelFrame } from "./levels.js";
import { moderationEvent, moderationFrame, setupModeration } from "./moderation.js";
import "./bots-link.js";
import { announcementFrame, loadAnnouncements, renderAnnouncements, setupAnnouncements } from "./announcements.js";
import { RoomState, loadReadSeq, localMessage, saveReadSeq } from "./store.js";
import { closeThread, ensureInfo, markThreadRead, onReply, openThread, renderThread, setupThread } from "./thread.js";
import { setupViews, showDocuments, showHistory, showMentions, showSearch } from "./views.js";
import { homeItemFrame, homeRoomEvent, homeSeenFrame, loadHome, setupHome } from "./home.js";
import { setupDirect, startDirect } from "./direct-dialog.js";

const $ = (id) => document.getElementById(id);
const PAGE = 50;
const TYPING_EVERY = 3000;
const TYPING_SHOWN = 5000;
const GROUPS = { thematic: "rooms-thematic", geographic: "rooms-geographic", private: "rooms-private", direct: "rooms-direct" };

const state = {
  me: null,
  rooms: new Map(), // room id -> RoomState
  current: null, // RoomState shown
  view: "welcome",
  presence: new Map(), // user id -> status
  names: new Map(), // user id -> name
  members: [], // members of the current room
  typing: new Map(), // room id -> Map(user id -> {name, until})
  outbox: [], // local messages not yet acknowledged
  editing: null,
  confirming: null,
  markerAfterSeq: null,
  lastTypingSent: 0,
  everConnected: false,
  thread: null, // {rs, rootId, opener}: the open thread panel
  picker: null, // key of the message whose reaction picker is open
  highlight: null, // id of the message a search result or a mention jumped to
  bots: new Set(), // ids of the bots among the current room's members
  metaAsked: new Set(), // bot messages whose meta (webhook username) was fetched
};
let composer = null;

const live = new Live({
  onFrame: (frame) => onFrame(frame),
  onOpen: (hello) => onHello(hello),
  onDown: () => onDown(),
  onAuthLost: () => location.assign("/login/"),
});

// --- rooms and the sidebar --------------------------------------------------------------

function trackRoom(room) {
  let rs = state.rooms.get(room.id);
  if (rs) {
    rs.room = { ...rs.room, ...room };
    return rs;
  }
  rs = new RoomState(room);
  if (typeof room.read === "number") {
    // The server keeps the read position and counts what others wrote after it.
    rs.readSeq = room.read;
    rs.unread = room.unread || 0;
    rs.mentions = room.mentions || 0;
    state.rooms.set(room.id, rs);
    return rs;
  }
  const read = loadReadSeq(state.me.id, room.id);
  if (read == null) {
    saveReadSeq(state.me.id, room.id, room.seq);
  } else if (read < room.seq) {
    rs.readSeq = read;
    if (room.seq - read > 200) {
      rs.unread = room.seq - read;
    } else {
      rs.lastSeq = read; // catch up from the read position to count what is unread
      catchUp(rs);
    }
  }
  state.rooms.set(room.id, rs);
  return rs;
}

function forgetRoom(roomId) {
  state.rooms.delete(roomId);
  if (state.current && state.current.id === roomId) {
    state.current = null;
    location.hash = "#/directory";
  }
  renderSidebar();
}

async function refreshRooms() {
  const rooms = await get("/rooms?mine=true&limit=500");
  const seen = new Set();
  for (const room of rooms) {
    if (!room.is_member) continue;
    trackRoom(room);
    seen.add(room.id);
  }
  for (const id of [...state.rooms.keys()]) if (!seen.has(id)) forgetRoom(id);
  renderSidebar();
}

function sidebarOrder() {
  const order = [];
  for (const kind of Object.keys(GROUPS)) {
    const rooms = [...state.rooms.values()]
      .filter((rs) => rs.room.kind === kind)
      .sort((a, b) => a.room.name.localeCompare(b.room.name, "fr"));
    order.push(...rooms);
  }
  return order;
}

function renderSidebar() {
  // Re-rendering must not take the focus away from a keyboard user in the list.
  const focused = document.activeElement && document.activeElement.closest?.("a.room-link");
  const focusedRoom = focused ? focused.dataset.room : null;
  const byKind = { thematic: [], geographic: [], private: [], direct: [] };
  for (const rs of sidebarOrder()) (byKind[rs.room.kind] || byKind.private).push(rs);
  for (const [kind, listId] of Object.entries(GROUPS)) {
    const list = $(listId);
    const items = byKind[kind].map((rs) => {
      const current = state.current && state.current.id === rs.id;
      const link = el("a", {
        href: `#/room/${rs.id}`,
        class: "room-link",
        "data-room": String(rs.id),
        "aria-current": current ? "page" : null,
      });
      link.append(el("span", { class: "room-name", text: rs.room.name }));
      if (rs.unread > 0) {
        link.append(
          el(
            "span",
            { class: "badge" },
            el("span", { "aria-hidden": "true", text: rs.unread > 99 ? "99+" : String(rs.unread) }),
            el("span", { class: "sr-only", text: ngettext("%(count)s message non lu", "%(count)s messages non lus", rs.unread) }),
          ),
        );
      }
      if (rs.mentions > 0) {
        link.append(
          el(
            "span",
            { class: "badge mention" },
            el("span", { "aria-hidden": "true", text: "@" }),
            el("span", { class: "sr-only", text: ngettext("%(count)s mention", "%(count)s mentions", rs.mentions) }),
          ),
        );
      }
      return el("li", {}, link);
    });
    if (!items.length) items.push(el("li", { class: "empty", text: kind === "direct" ? _("Aucune conversation") : _("Aucun salon") }));
    list.replaceChildren(...items);
  }
  if (focusedRoom) document.querySelector(`a.room-link[data-room="${focusedRoom}"]`)?.focus();
  renderMentionBadge();
}

function renderMentionBadge() {
  let total = 0;
  for (const rs of state.rooms.values()) total += rs.mentions || 0;
  const badge = $("mentions-badge");
  badge.hidden = total === 0;
  badge.replaceChildren(
    el("span", { "aria-hidden": "true", text: total > 99 ? "99+" : String(total) }),
    el("span", { class: "sr-only", text: ngettext("%(count)s mention non lue", "%(count)s mentions non lues", total) }),
  );
}

function goDirectory() {
  if (location.hash !== "#/directory") history.pushState(null, "", "#/directory");
  showView("directory");
  $("directory-q").focus();
}

// --- routing ----------------------------------------------------------------------------

function route() {
  const hash = location.hash;
  const match = hash.match(/^#\/room\/(\d+)(?:\/(documents(?:\/thread\/(\d+))?|message\/(\d+)))?$/);
  if (match) {
    const rs = state.rooms.get(Number(match[1]));
    if (rs && match[2] && match[2].startsWith("documents")) {
      showView("documents");
      return showDocuments(rs.id, match[3] ? Number(match[3]) : null);
    }
    if (rs && match[4]) return jumpTo(rs, Number(match[4]));
    if (rs) return openRoom(rs);
    if (match[4]) return offerToJoin(Number(match[1]));
  }
  if (hash === "#/directory") return showView("directory");
  if (hash === "#/search" || hash.startsWith("#/search?")) {
    showView("search");
    return showSearch(hash.slice("#/search?".length));
  }
  if (hash === "#/mentions") {
    showView("mentions");
    return showMentions();
  }
  showView("welcome");
  return loadHome();
}

/** A search result from an open room one has not joined: the directory, to join it first. */
async function offerToJoin(roomId) {
  showView("directory");
  try {
    const room = await get(`/rooms/${roomId}`);
    $("directory-q").value = room.name;
    showDirectory();
    announce(fmt(_("Rejoignez « %(room)s » pour lire ce message dans son salon."), { room: room.name }));
  } catch (error) {
    announce(error.message);
  }
}

/** Open the room at one message, paging back through history until it is loaded. */
async function jumpTo(rs, messageId) {
  await openRoom(rs);
  let msg = rs.byId.get(messageId);
  if (!msg) {
    let detail = null;
    try {
      detail = await get(`/messages/${messageId}`);
    } catch (error) {
      announce(error.message);
      return;
    }
    for (let round = 0; round < 40 && !rs.byId.has(messageId) && rs.hasMore && rs.oldestSeq > detail.seq; round++) {
      await loadOlder(rs);
    }
    msg = rs.byId.get(messageId);
    if (!msg) msg = rs.addServerMessage(detail.seq, detail);
  }
  if (state.current !== rs) return;
  state.highlight = messageId;
  if (msg.thread != null) {
    await openThread(rs, msg.thread, { focus: false });
    renderRoom();
    const li = $(`thread-message-${messageId}`);
    li?.scrollIntoView({ block: "center" });
    li?.focus();
  } else {
    renderRoom();
    const li = $(`message-${messageId}`);
    li?.scrollIntoView({ block: "center" });
    li?.focus();
  }
}

function showView(view) {
  state.view = view;
  // On a narrow screen the open room takes the whole width; "Mes salons" shows the list.
  document.body.classList.toggle("in-room", view === "room");
  document.body.classList.remove("show-rooms");
  $("rooms-toggle").setAttribute("aria-expanded", "false");
  $("welcome").hidden = view !== "welcome";
  $("directory").hidden = view !== "directory";
  $("search-view").hidden = view !== "search";
  $("mentions-view").hidden = view !== "mentions";
  $("documents-view").hidden = view !== "documents";
  if (view !== "room" && state.thread) closeThread();
  $("search-link").setAttribute("aria-current", view === "search" ? "page" : "false");
  $("mentions-link").setAttribute("aria-current", view === "mentions" ? "page" : "false");
  $("home-link").setAttribute("aria-current", view === "welcome" ? "page" : "false");
  $("room").hidden = view !== "room";
  $("people").hidden = view !== "room" || !peopleShown();
  if (view !== "room") {
    state.current = null;
    const titles = { directory: _("Annuaire des salons"), search: _("Rechercher"), mentions: _("Mes mentions"), welcome: _("Accueil") };
    document.title = titles[view] ? `${titles[view]} — Préau` : "Préau";
    renderSidebar();
  }
  if (view === "directory") showDirectory();
}

function peopleShown() {
  return $("people-button").getAttribute("aria-expanded") === "true";
}

async function openRoom(rs) {
  const changed = state.current !== rs;
  state.current = rs;
  state.editing = null;
  state.confirming = null;
  state.picker = null;
  if (changed) state.highlight = null;
  if (changed && state.thread) closeThread();
  showView("room");
  localStorage.setItem(`preau.last.${state.me.id}`, String(rs.id));
  document.title = `${rs.room.name} — Préau`;
  $("room-title").textContent = rs.room.name;
  $("room-meta").textContent = roomMeta(rs.room);
  $("invite-button").hidden = rs.room.kind !== "private";
  $("leave-button").textContent = rs.room.kind === "direct" ? _("Quitter la conversation") : _("Quitter le salon");
  const announcer = state.me.is_staff || rs.room.role === "owner" || rs.room.role === "moderator";
  $("announce-link").hidden = !announcer;
  $("announce-link").href = `/annonces/?room=${rs.id}`;
  $("documents-link").href = `#/room/${rs.id}/documents`;
  $("composer-label").textContent = fmt(_("Message dans %(room)s"), { room: rs.room.name });
  if (changed) {
    state.markerAfterSeq = rs.unread > 0 ? rs.readSeq : null;
    $("message-list").replaceChildren();
    renderTyping();
    loadMembers(rs);
    renderAnnouncements();
    loadAnnouncements(rs);
  }
  markRead(rs);
  renderSidebar();
  if (!rs.loaded) {
    rs.loaded = true;
    const upto = rs.lastSeq;
    rs.oldestSeq = upto + 1;
    await loadOlder(rs, true);
  } else {
    renderRoom({ toBottom: changed });
  }
}

function roomMeta(room) {
  const parts = [];
  if (room.kind === "thematic") parts.push(_("Thématique"));
  else if (room.kind === "geographic") parts.push(_("Territoire"));
  else if (room.kind === "direct") parts.push(_("Message direct"));
  else parts.push(_("Privé"));
  if (room.theme) parts.push(room.theme.name);
  if (room.territory) parts.push(`${room.territory.name} (${room.territory.insee_code})`);
  if (room.access === "organisation" && room.organisation) parts.push(fmt(_("Réservé à %(org)s"), { org: room.organisation.name }));
  if (room.member_count != null) parts.push(ngettext("%(count)s membre", "%(count)s membres", room.member_count));
  return parts.join(" · ");
}

// --- history ----------------------------------------------------------------------------

async function loadOlder(rs, initial = false) {
  if (rs.loadingOlder || !rs.hasMore) return;
  rs.loadingOlder = true;
  const box = $("messages");
  try {
    let added = 0;
    for (let round = 0; round < 5 && rs.hasMore && (added === 0 || (initial && added < 20)); round++) {
      if (rs.oldestSeq <= 1) {
        rs.hasMore = false;
        break;
      }
      const page = await get(`/rooms/${rs.id}/events?before=${rs.oldestSeq}&limit=${PAGE}`);
      for (const frame of page.events) {
        if (frame.event === "message.created") {
          rs.addServerMessage(frame.seq, frame.data);
          remember(frame.data.author);
          added += 1;
        } else if (frame.event === "message.edited" || frame.event === "message.deleted") {
          rs.applyChange(frame.seq, frame.event, frame.data);
        } else if (frame.event === "reaction.added" || frame.event === "reaction.removed") {
          rs.applyReaction(frame.seq, frame.event, frame.data);
        } else if (frame.event === "message.useful") {
          rs.applyUseful(frame.seq, frame.data);
        }
      }
      rs.oldestSeq = page.events.length ? page.events[0].seq : 1;
      rs.hasMore = page.has_more;
    }
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) forgetRoom(rs.id);
    else announce(error.message);
  } finally {
    rs.loadingOlder = false;
  }
  if (state.current !== rs) return;
  const before = box.scrollHeight - box.scrollTop;
  renderRoom({ toBottom: initial });
  if (!initial) box.scrollTop = box.scrollHeight - before;
}

function renderRoom({ toBottom = false } = {}) {
  const rs = state.current;
  if (!rs) return;
  const box = $("messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  const threads = rs.threads();
  for (const rootId of threads.keys()) ensureInfo(rs, rootId);
  askMeta(rs);
  renderMessages($("message-list"), rs, {
    ...renderContext(),
    threads,
    markerAfterSeq: state.markerAfterSeq,
    filter: (m) => m.thread == null,
  });
  $("older-button").hidden = !rs.hasMore;
  if (toBottom || atBottom) box.scrollTop = box.scrollHeight;
  if (state.thread) renderThread();
}

/** What every message list needs to render a message. */
function renderContext() {
  return {
    me: state.me,
    editing: state.editing,
    confirming: state.confirming,
    picker: state.picker,
    highlight: state.highlight,
    bots: state.bots,
  };
}

/** Bot messages show the webhook's username (meta), which events do not carry: fetch it once. */
function askMeta(rs) {
  for (const msg of rs.messages.values()) {
    if (!msg.id || msg.deleted || !isBot(msg, state) || state.metaAsked.has(msg.id)) continue;
    state.metaAsked.add(msg.id);
    get(`/messages/${msg.id}`)
      .then((detail) => {
        if (detail.meta && Object.keys(detail.meta).length) {
          msg.meta = detail.meta;
          msg.rev += 1;
          if (state.current === rs) renderRoom();
        }
      })
      .catch(() => {});
  }
}

// --- live events ------------------------------------------------------------------------

function remember(user) {
  if (user && user.id != null && user.name) state.names.set(user.id, user.name);
}

function ingest(frame) {
  const rs = state.rooms.get(frame.room);
  if (!rs) {
    refreshRooms().catch(() => {});
    return;
  }
  if (frame.seq <= rs.lastSeq) return;
  if (frame.seq > rs.lastSeq + 1) {
    rs.buffer.set(frame.seq, frame);
    fillGap(rs);
    return;
  }
  rs.lastSeq = frame.seq;
  apply(rs, frame);
  while (rs.buffer.has(rs.lastSeq + 1)) {
    const next = rs.buffer.get(rs.lastSeq + 1);
    rs.buffer.delete(rs.lastSeq + 1);
    rs.lastSeq = next.seq;
    apply(rs, next);
  }
  for (const seq of rs.buffer.keys()) if (seq <= rs.lastSeq) rs.buffer.delete(seq);
}

function apply(rs, frame) {
  const data = frame.data || {};
  const isCurrent = state.current === rs;
  homeRoomEvent(rs.id, frame.event);
  switch (frame.event) {
    case "message.created": {
      remember(data.author);
      const mine = state.me && data.author && data.author.id === state.me.id;
      if (rs.loaded) {
        const msg = rs.addServerMessage(frame.seq, data);
        if (msg.client_id) dropFromOutbox(msg.client_id);
        if (msg.thread != null) onReply(rs, msg);
      }
      stopTyping(rs.id, data.author && data.author.id);
      if (!mine && frame.seq > rs.readSeq) {
        if (isCurrent && !document.hidden) {
          markRead(rs);
        } else {
          rs.unread += 1;
          if ((data.mentions || []).includes(state.me.id)) rs.mentions = (rs.mentions || 0) + 1;
          renderSidebar();
        }
        if (isCurrent && data.thread != null) announce(fmt(_("%(name)s a répondu dans un fil : %(body)s"), { name: data.author.name, body: data.body }));
        else if (isCurrent) announce(`${data.author.name} : ${data.body}`);
      } else if (mine && isCurrent) {
        markRead(rs);
      }
      break;
    }
    case "message.edited":
    case "message.deleted":
      if (rs.loaded) rs.applyChange(frame.seq, frame.event, data);
      break;
    case "reaction.added":
    case "reaction.removed":
      if (rs.loaded) rs.applyReaction(frame.seq, frame.event, data);
      break;
    case "message.useful":
      if (rs.applyUseful(frame.seq, data) && isCurrent) {
        const reply = rs.byId.get(data.message);
        const name = reply ? reply.author.name : "";
        announce(data.useful ? fmt(_("La réponse de %(name)s est marquée comme utile."), { name }) : fmt(_("La réponse de %(name)s n'est plus marquée comme utile."), { name }));
      }
      break;
    case "member.joined":
    case "member.left":
      remember(data.user);
      if (frame.event === "member.left" && data.user && data.user.id === state.me.id) {
        forgetRoom(rs.id);
        return;
      }
      if (isCurrent) loadMembers(rs);
      break;
    case "room.updated":
      if (data.room) {
        rs.room = { ...rs.room, ...data.room };
        renderSidebar();
        if (isCurrent) $("room-title").textContent = rs.room.name;
      }
      break;
    default:
      moderationEvent(rs, frame);
      break;
  }
  if (isCurrent) renderRoom();
}

async function fillGap(rs) {
  if (rs.catchingUp || state.syncing) return; // a sync in flight fills it, then settleSync
  if (live.ready) {
    rs.catchingUp = true;
    try {
      const ack = await live.request({ type: "sync", since: { [rs.id]: rs.lastSeq } });
      await settleSync(ack, [rs]);
    } catch (_err) {
      await catchUpRest(rs);
    } finally {
      rs.catchingUp = false;
    }
  } else {
    await catchUp(rs);
  }
}

/** After a sync's ack: drop refused rooms, jump over limited ones, fill any remaining gap. */
async function settleSync(ack, rooms) {
  for (const id of ack.not_found || []) forgetRoom(id);
  const limited = new Set(ack.limited || []);
  for (const rs of rooms) {
    if (state.rooms.get(rs.id) !== rs) continue;
    if (limited.has(rs.id)) jumpAhead(rs);
    else if (rs.buffer.size) await catchUpRest(rs);
  }
}

/**
 * The server sent only the newest events of a room (too many were missed): start again from
 * them. What came before is paged back through the REST event log when the room is shown.
 */
function jumpAhead(rs) {
  const seqs = [...rs.buffer.keys()].sort((a, b) => a - b);
  if (!seqs.length) return;
  const frames = seqs.map((seq) => rs.buffer.get(seq));
  rs.buffer.clear();
  rs.unread += Math.max(0, seqs[0] - 1 - Math.max(rs.lastSeq, rs.readSeq));
  if (rs.loaded) {
    for (const [key, msg] of rs.messages) {
      if (msg.status !== "sent") continue;
      rs.messages.delete(key);
      rs.byId.delete(msg.id);
      if (msg.client_id) rs.byClient.delete(msg.client_id);
    }
    rs.later.clear();
    rs.loaded = false;
    rs.hasMore = true;
  }
  rs.lastSeq = seqs[0] - 1;
  for (const frame of frames) ingest(frame);
  renderSidebar();
  if (state.current === rs) openRoom(rs);
}

async function catchUp(rs) {
  if (rs.catchingUp) return;
  rs.catchingUp = true;
  try {
    await catchUpRest(rs);
  } finally {
    rs.catchingUp = false;
  }
}

async function catchUpRest(rs) {
  for (let round = 0; round < 50; round++) {
    let page;
    try {
      page = await get(`/rooms/${rs.id}/events?after=${rs.lastSeq}&limit=500`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) forgetRoom(rs.id);
      return;
    }
    for (const frame of page.events) ingest(frame);
    if (!page.has_more) return;
  }
}

function onFrame(frame) {
  switch (frame.type) {
    case "event":
      ingest(frame);
      break;
    case "typing":
      onTyping(frame);
      break;
    case "presence":
      onPresence(frame);
      break;
    case "read": {
      // Another socket of ours marked the room (or one of its threads) read.
      const rs = state.rooms.get(frame.room);
      if (rs && frame.thread != null) {
        const info = rs.threadInfo.get(frame.thread);
        if (info && frame.seq > (info.read || 0)) {
          info.read = frame.seq;
          if (state.current === rs) renderRoom();
        }
      } else if (rs && frame.seq > rs.readSeq) {
        rs.readSeq = frame.seq;
        saveReadSeq(state.me.id, rs.id, frame.seq);
        if (frame.seq >= rs.lastSeq) rs.unread = 0;
        renderSidebar();
      }
      break;
    }
    case "invitation":
      if (frame.room && frame.by) {
        announce(fmt(_("%(by)s vous invite dans « %(room)s »."), { by: frame.by.name, room: frame.room.name }));
        showInvitation(frame.room, frame.by);
      }
      break;
    case "subscribed":
    case "unsubscribed":
      // Membership changed from elsewhere (another tab, an invitation accepted, a removal).
      refreshRooms().catch(() => {});
      break;
    case "error":
      if (frame.code === "rate_limited") announce(frame.message || _("Trop de requêtes, patientez un instant."));
      break;
    case "member.level":
      levelFrame(frame, { me: state.me, announce });
      break;
    case "announcement":
      announcementFrame(frame);
      break;
    case "home.item":
      homeItemFrame(frame);
      break;
    case "home.seen":
      homeSeenFrame(frame);
      break;
    default:
      moderationFrame(frame);
      break;
  }
}

async function onHello(hello) {
  state.everConnected = true;
  setConnection("");
  if (hello.user) {
    state.me = { ...state.me, ...hello.user };
    remember(hello.user);
    state.presence.set(hello.user.id, "online");
  }
  const known = new Set(state.rooms.keys());
  const listed = new Set((hello.rooms || []).map((r) => r.id));
  const differs = [...listed].some((id) => !known.has(id)) || [...known].some((id) => !listed.has(id));
  if (differs) {
    try {
      await refreshRooms();
    } catch (_err) {
      /* the next hello retries */
    }
  }
  for (const entry of hello.rooms || []) {
    // The server keeps the read position too: another tab or device may have read further.
    const rs = state.rooms.get(entry.id);
    if (rs && rs !== state.current && typeof entry.mentions === "number") rs.mentions = entry.mentions;
    if (rs && typeof entry.read === "number" && entry.read > rs.readSeq) {
      rs.readSeq = entry.read;
      saveReadSeq(state.me.id, rs.id, entry.read);
      if (entry.read >= entry.seq) rs.unread = 0;
    }
  }
  renderSidebar();
  const since = {};
  for (const rs of state.rooms.values()) since[rs.id] = rs.lastSeq;
  live.send({ type: "presence", status: "online" });
  const rooms = [...state.rooms.values()];
  state.syncing = true;
  let ack = null;
  try {
    ack = await live.request({ type: "sync", since });
  } catch (_err) {
    ack = null;
  } finally {
    state.syncing = false;
  }
  if (ack) await settleSync(ack, rooms);
  else for (const rs of rooms) await catchUp(rs);
  flushOutbox();
  loadHome(); // items that arrived while the socket was down
  if (state.current) {
    loadMembers(state.current);
    loadAnnouncements(state.current); // one may have been pinned while the socket was down
  }
}

let downTimer = null;
function onDown() {
  for (const msg of state.outbox) if (msg.status === "sending") msg.status = "queued";
  clearTimeout(downTimer);
  // A very short blip does not deserve a banner; a real outage does.
  downTimer = setTimeout(() => {
    if (!live.ready) setConnection(_("Reconnexion…"));
  }, 800);
  // A socket refused at the handshake (403) looks like any other failure: is the session gone?
  if (live.attempt >= 2) {
    get("/me").catch((error) => {
      if (error instanceof ApiError && error.status === 401) location.assign("/login/");
    });
  }
  if (state.current) renderRoom();
}

function setConnection(text) {
  if (!text) clearTimeout(downTimer);
  const box = $("connection-status");
  box.textContent = text;
  box.classList.toggle("visible", Boolean(text));
}

// --- sending ----------------------------------------------------------------------------

function send(rs, body, extras = {}) {
  const msg = localMessage(state.me, body, extras);
  msg.room = rs.id;
  rs.messages.set(msg.key, msg);
  rs.byClient.set(msg.client_id, msg);
  state.outbox.push(msg);
  renderRoom({ toBottom: true });
  deliver(msg);
}

function dropFromOutbox(clientId) {
  state.outbox = state.outbox.filter((m) => m.client_id !== clientId);
}

async function deliver(msg) {
  if (msg.status === "sending" || msg.status === "sent") return;
  msg.status = "sending";
  msg.rev += 1;
  rerenderIf(msg.room);
  try {
    let result;
    const fields = { body: msg.body, client_id: msg.client_id };
    if (msg.thread != null) fields.thread = msg.thread;
    if (msg.documents && msg.documents.length) fields.documents = msg.documents;
    if (msg.files && msg.files.length) fields.files = msg.files.map((f) => f.id);
    if (live.ready) {
      const ack = await live.request({ type: "message.send", room: msg.room, ...fields });
      result = ack.message || {};
    } else {
      result = await post(`/rooms/${msg.room}/messages`, fields);
    }
    confirmSent(msg, result);
  } catch (error) {
    if (msg.status === "sent") return;
    const code = error.code;
    if (code === "disconnected" || code === "network" || (error instanceof ApiError && error.status >= 500)) {
      msg.status = "queued"; // sent again, with the same client_id, once reconnected
    } else {
      msg.status = "failed";
      msg.error = code === "timeout" ? _("pas de réponse du serveur") : error.message || "";
      dropFromOutbox(msg.client_id);
      // Said aloud too: the failure shows on the message, away from where the user is typing.
      announce(_("Échec de l'envoi") + (msg.error ? ` : ${msg.error}` : ""));
    }
    msg.rev += 1;
    rerenderIf(msg.room);
  }
}

function confirmSent(msg, result) {
  const rs = state.rooms.get(msg.room);
  if (msg.status !== "sent") {
    msg.status = "sent";
    if (result.id != null) {
      msg.id = result.id;
      msg.seq = msg.seq ?? result.seq;
      msg.bodySeq = msg.bodySeq ?? result.seq;
      if (rs) rs.byId.set(result.id, msg);
    }
    msg.rev += 1;
  }
  dropFromOutbox(msg.client_id);
  rerenderIf(msg.room);
}

function flushOutbox() {
  for (const msg of [...state.outbox]) if (msg.status === "queued") deliver(msg);
}

function rerenderIf(roomId) {
  if (state.current && state.current.id === roomId) renderRoom();
}

async function toggleReaction(msg, emoji) {
  const rs = state.rooms.get(msg.room ?? (state.current && state.current.id)) || state.current;
  const mine = rs.reactionsOf(msg.id, state.me.id).some((r) => r.emoji === emoji && r.mine);
  const type = mine ? "reaction.remove" : "reaction.add";
  try {
    if (live.ready) await live.request({ type, message: msg.id, emoji });
    else if (mine) await del(`/messages/${msg.id}/reactions`, { emoji });
    else await post(`/messages/${msg.id}/reactions`, { emoji });
    announce(mine ? fmt(_("Réaction %(emoji)s retirée."), { emoji }) : fmt(_("Réaction %(emoji)s ajoutée."), { emoji }));
  } catch (error) {
    announce(error.message || _("Erreur inattendue ; réessayez."));
  }
}

// The socket may be down while HTTP works (or the reverse): queued messages are retried.
setInterval(() => {
  if (state.outbox.some((m) => m.status === "queued")) flushOutbox();
}, 5000);

// --- read position, typing, presence ----------------------------------------------------

let readTimer = null;
function markRead(rs) {
  rs.unread = 0;
  rs.mentions = 0;
  if (rs.lastSeq > rs.readSeq) {
    rs.readSeq = rs.lastSeq;
    saveReadSeq(state.me.id, rs.id, rs.readSeq);
    clearTimeout(readTimer);
    readTimer = setTimeout(() => {
      if (!live.send({ type: "read", room: rs.id, seq: rs.readSeq })) {
        post(`/rooms/${rs.id}/read`, { seq: rs.readSeq }).catch(() => {});
      }
    }, 500);
  }
  renderSidebar();
}

function userOf(frame) {
  const user = frame.user;
  if (user && typeof user === "object") {
    remember(user);
    return { id: user.id, name: user.name || state.names.get(user.id) };
  }
  return { id: user, name: state.names.get(user) };
}

function onTyping(frame) {
  const user = userOf(frame);
  if (!state.me || user.id === state.me.id) return;
  let room = state.typing.get(frame.room);
  if (!room) state.typing.set(frame.room, (room = new Map()));
  room.set(user.id, { name: user.name || _("Quelqu’un"), until: Date.now() + TYPING_SHOWN });
  renderTyping();
  setTimeout(renderTyping, TYPING_SHOWN + 50);
}

function stopTyping(roomId, userId) {
  const room = state.typing.get(roomId);
  if (room && room.delete(userId)) renderTyping();
}

function renderTyping() {
  const box = $("typing");
  const room = state.current && state.typing.get(state.current.id);
  const now = Date.now();
  const names = [];
  if (room) {
    for (const [id, entry] of room) {
      if (entry.until < now) room.delete(id);
      else names.push(entry.name);
    }
  }
  let text = "";
  if (names.length === 1) text = fmt(_("%(name)s écrit…"), { name: names[0] });
  else if (names.length === 2) text = fmt(_("%(a)s et %(b)s écrivent…"), { a: names[0], b: names[1] });
  else if (names.length > 2) text = _("Plusieurs personnes écrivent…");
  box.textContent = text;
}

function onPresence(frame) {
  const user = userOf(frame);
  if (user.id == null) return;
  state.presence.set(user.id, frame.status);
  renderPeople();
}

async function loadMembers(rs) {
  try {
    const members = await get(`/rooms/${rs.id}/members`);
    if (state.current !== rs) return;
    state.members = members;
    state.bots = new Set(members.filter((m) => m.is_bot || m.user.is_bot).map((m) => m.user.id));
    for (const m of members) remember(m.user);
    rs.room.member_count = members.length;
    $("room-meta").textContent = roomMeta(rs.room);
    if (state.bots.size) renderRoom();
  } catch (_err) {
    return;
  }
  try {
    // Who is online now; presence frames keep it up to date afterwards.
    const presence = await get(`/rooms/${rs.id}/presence`);
    const online = new Map((presence.online || []).map((u) => [u.id, u.status]));
    for (const m of state.members) {
      if (m.user.id === state.me.id && live.ready) continue;
      if (online.has(m.user.id)) state.presence.set(m.user.id, online.get(m.user.id));
      else if (presence.online_count <= (presence.online || []).length) state.presence.set(m.user.id, "offline");
    }
  } catch (_err) {
    /* the panel still lists the members; presence frames fill in their status */
  }
  renderPeople();
}

const STATUS_LABELS = {
  online: () => _("en ligne"),
  away: () => _("absent"),
  dnd: () => _("ne pas déranger"),
  offline: () => _("hors ligne"),
};

function renderPeople() {
  const list = $("people-list");
  if (!state.current) return;
  const rank = { online: 0, dnd: 1, away: 2, offline: 3 };
  const rows = state.members
    .map((m) => ({ ...m, status: state.presence.get(m.user.id) || "offline" }))
    .sort((a, b) => rank[a.status] - rank[b.status] || a.user.name.localeCompare(b.user.name, "fr"));
  const online = rows.filter((r) => r.status !== "offline").length;
  $("people-title").textContent = fmt(_("Qui est là (%(online)s / %(total)s)"), { online, total: rows.length });
  list.replaceChildren(
    ...rows.map((row) =>
      el(
        "li",
        { class: `person status-${row.status}`, "data-user": String(row.user.id) },
        el("span", { class: "dot", "aria-hidden": "true" }),
        el("span", { class: "person-name", text: row.user.name }),
        el("span", { class: "sr-only", text: `, ${(STATUS_LABELS[row.status] || STATUS_LABELS.offline)()}` }),
        row.user.organisation || row.user.job_title
          ? el("span", { class: "person-detail", text: [row.user.job_title, row.user.organisation].filter(Boolean).join(", ") })
          : null,
      ),
    ),
  );
}

// --- invitations ------------------------------------------------------------------------

function showInvitation(room, by) {
  const box = $("invitations");
  const existing = box.querySelector(`li[data-room="${room.id}"]`);
  if (existing || state.rooms.has(room.id)) return;
  const accept = el("button", {
    type: "button",
    class: "secondary",
    "aria-label": fmt(_("Accepter l'invitation dans « %(room)s »"), { room: room.name }),
    text: _("Accepter"),
  });
  const item = el(
    "li",
    { "data-room": String(room.id) },
    el("span", { text: fmt(_("%(by)s vous invite dans « %(room)s »."), { by: by.name, room: room.name }) }),
    " ",
    accept,
  );
  accept.addEventListener("click", async () => {
    accept.disabled = true;
    try {
      const joined = await post(`/rooms/${room.id}/join`);
      item.remove();
      box.hidden = !$("invitation-list").childElementCount;
      trackRoom(joined);
      renderSidebar();
      location.hash = `#/room/${joined.id}`;
    } catch (error) {
      accept.disabled = false;
      announce(error.message);
    }
  });
  $("invitation-list").append(item);
  box.hidden = false;
}

// --- announcements ----------------------------------------------------------------------

function announce(text) {
  const box = $("announcer");
  const line = el("p", { text: String(text).slice(0, 300) });
  box.append(line);
  while (box.childElementCount > 3) box.firstElementChild.remove();
}

// --- composer and message actions -------------------------------------------------------

function setupComposer() {
  const input = $("composer-input");
  composer = new Composer({
    form: $("composer"),
    input,
    prefix: "composer",
    room: () => state.current,
    members: () => state.members,
    me: () => state.me,
    onSend: (body, extras) => {
      if (!state.current) return false;
      send(state.current, body, extras);
      return true;
    },
    onInput: () => {
      const now = Date.now();
      if (state.current && input.value.trim() && now - state.lastTypingSent > TYPING_EVERY) {
        if (live.send({ type: "typing", room: state.current.id })) state.lastTypingSent = now;
      }
    },
  });
  for (const list of [$("message-list"), $("thread-list")]) bindMessageList(list);
  $("older-button").addEventListener("click", () => state.current && loadOlder(state.current));
  $("messages").addEventListener("scroll", () => {
    const rs = state.current;
    if (rs && rs.loaded && rs.hasMore && $("messages").scrollTop < 150) loadOlder(rs);
  });
}

/** Clicks, edits and keys on the messages of a list (the room's or the thread panel's). */
function bindMessageList(list) {
  const messageOf = (node) => {
    const li = node.closest("li.message");
    const rs = list.id === "thread-list" ? state.thread && state.thread.rs : state.current;
    return li && rs ? rs.messages.get(li.dataset.key) : null;
  };
  list.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const msg = messageOf(button);
    if (!msg) return;
    onMessageAction(button.dataset.action, msg, button, list);
  });
  list.addEventListener("submit", (event) => {
    const form = event.target.closest("form.edit-form");
    if (!form) return;
    event.preventDefault();
    saveEdit(messageOf(form), form.elements.body.value);
  });
  list.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && event.target.closest(".reaction-picker")) {
      event.preventDefault();
      const msg = messageOf(event.target);
      state.picker = null;
      renderRoom();
      focusMessageAction(msg, "open-picker", list);
      return;
    }
    const area = event.target.closest("form.edit-form textarea");
    if (!area) return;
    if (event.key === "Escape") {
      event.preventDefault();
      const msg = messageOf(area);
      state.editing = null;
      renderRoom();
      focusMessageAction(msg, "edit", list);
    } else if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      area.form.requestSubmit();
    }
  });
}

/** What each message action button does (see messageActions in messages.js). */
function onMessageAction(action, msg, button, list) {
  if (action === "retry") {
    msg.status = "queued";
    msg.error = null;
    if (!state.outbox.includes(msg)) state.outbox.push(msg);
    deliver(msg);
    // The button goes away while sending: keep the keyboard where the conversation goes on.
    $(list && list.id === "thread-list" ? "thread-input" : "composer-input")?.focus();
  } else if (action === "edit") {
    state.editing = msg.key;
    renderRoom();
  } else if (action === "cancel-edit") {
    state.editing = null;
    renderRoom();
    focusMessageAction(msg, "edit", list);
  } else if (action === "delete") {
    state.confirming = msg.key;
    renderRoom();
  } else if (action === "cancel-delete") {
    state.confirming = null;
    renderRoom();
    focusMessageAction(msg, "delete", list);
  } else if (action === "confirm-delete") {
    state.confirming = null;
    removeMessage(msg);
  } else if (action === "open-picker") {
    state.picker = state.picker === msg.key ? null : msg.key;
    renderRoom();
    if (state.picker) queueMicrotask(() => list.querySelector(`li.message[data-key="${CSS.escape(msg.key)}"] .reaction-picker button`)?.focus());
  } else if (action === "close-picker") {
    state.picker = null;
    renderRoom();
    focusMessageAction(msg, "open-picker", list);
  } else if (action === "react" || action === "toggle-reaction") {
    if (action === "react") state.picker = null;
    toggleReaction(msg, button.dataset.emoji).then(() => {
      renderRoom();
      if (action === "react") focusMessageAction(msg, "open-picker", list);
    });
  } else if (action === "open-thread") {
    if (state.current) openThread(state.current, msg.thread ?? msg.id);
  } else if (action === "history") {
    showHistory(msg);
  } else if (action === "toggle-useful") {
    toggleUseful(msg, list);
  } else if (action === "direct") {
    startDirect([msg.author.id]);
  }
}

/** The asker marks a reply of their thread as useful, or takes the mark back. */
async function toggleUseful(msg, list) {
  const rs = list.id === "thread-list" ? state.thread && state.thread.rs : state.current;
  if (!rs || !msg.id) return;
  const useful = !rs.isUseful(msg.id);
  try {
    const result = await api(useful ? "PUT" : "DELETE", `/messages/${msg.id}/useful`);
    rs.applyUseful(rs.lastSeq, { message: msg.id, useful: result.useful });
  } catch (error) {
    announce(error.message);
    return;
  }
  renderRoom();
  focusMessageAction(msg, "toggle-useful", list);
}

function focusMessageAction(msg, action, list = null) {
  queueMicrotask(() => {
    const li = (list || document).querySelector(`li.message[data-key="${CSS.escape(msg.key)}"]`);
    li?.querySelector(`[data-action=${action}]`)?.focus();
  });
}

async function saveEdit(msg, body) {
  if (!body.trim()) return;
  try {
    const result = await patch(`/messages/${msg.id}`, { body });
    if (!msg.deleted) {
      msg.body = result.body;
      msg.edited_at = result.edited_at;
      msg.rev += 1;
    }
    state.editing = null;
    renderRoom();
    focusMessageAction(msg, "edit");
  } catch (error) {
    announce(error.message);
  }
}

async function removeMessage(msg) {
  try {
    await del(`/messages/${msg.id}`);
    msg.deleted = true;
    msg.body = "";
    msg.rev += 1;
    renderRoom();
    $("composer-input").focus();
  } catch (error) {
    announce(error.message);
    renderRoom();
  }
}

// --- keyboard ---------------------------------------------------------------------------

function setupKeyboard() {
  document.addEventListener("keydown", (event) => {
    if (!event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      moveRoom(event.key === "ArrowDown" ? 1 : -1);
    } else if (event.code === "KeyM") {
      event.preventDefault();
      if (state.current) $("composer-input").focus();
    } else if (event.code === "KeyD") {
      event.preventDefault();
      goDirectory();
    }
  });
}

function moveRoom(step) {
  const order = sidebarOrder();
  if (!order.length) return;
  const index = state.current ? order.indexOf(state.current) : -1;
  const next = order[(index + step + order.length) % order.length];
  const inComposer = document.activeElement === $("composer-input");
  history.pushState(null, "", `#/room/${next.id}`);
  openRoom(next);
  const link = document.querySelector(`a.room-link[data-room="${next.id}"]`);
  if (inComposer || !link || !link.offsetParent) $("composer-input").focus();
  else link.focus();
}

// --- boot -------------------------------------------------------------------------------

async function boot() {
  try {
    state.me = await get("/me");
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) location.assign("/login/");
    return;
  }
  remember(state.me);
  $("me-avatar").textContent = initials(state.me.name);
  state.presence.set(state.me.id, "online");
  setupComposer();
  setupThread({ state, live, send, renderRoom, renderContext });
  setupViews({ state });
  setupAnnouncements({ state, announce });
  setupHome({ announce });
  setupKeyboard();
  setupModeration({ current: () => state.current, me: () => state.me, rooms: () => state.rooms, announce });
  setupDirect({
    state,
    announce,
    onOpened: async (conversation) => {
      if (!state.rooms.has(conversation.id)) await refreshRooms();
      location.hash = `#/room/${conversation.id}`;
      $("composer-input").focus();
    },
  });
  setupPanels({
    state,
    goDirectory,
    onJoined: (room) => {
      trackRoom(room);
      renderSidebar();
      location.hash = `#/room/${room.id}`;
    },
    onLeft: (roomId) => {
      forgetRoom(roomId);
      goDirectory();
    },
    currentRoom: () => state.current,
  });
  $("rooms-toggle").addEventListener("click", () => {
    const shown = document.body.classList.toggle("show-rooms");
    $("rooms-toggle").setAttribute("aria-expanded", String(shown));
    if (shown) $("room-nav").focus();
  });
  $("people-button").setAttribute("aria-expanded", String(window.innerWidth >= 1100));
  $("people-button").addEventListener("click", () => {
    const shown = !peopleShown();
    $("people-button").setAttribute("aria-expanded", String(shown));
    $("people").hidden = !shown || state.view !== "room";
  });
  $("logout-button").addEventListener("click", async () => {
    live.stop();
    try {
      await del("/session");
    } finally {
      location.assign("/login/");
    }
  });
  try {
    await refreshRooms();
  } catch (error) {
    announce(error.message);
  }
  window.addEventListener("hashchange", route);
  window.addEventListener("popstate", route);
  if (!location.hash) {
    const last = Number(localStorage.getItem(`preau.last.${state.me.id}`));
    if (last && state.rooms.has(last)) location.replace(`#/room/${last}`);
  }
  route();
  document.body.dataset.ready = "true";
  live.connect();
  window.addEventListener("online", () => live.nudge());
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) {
      live.nudge();
      if (state.current) markRead(state.current);
      markThreadRead();
    }
  });
  setInterval(renderTyping, 1000);
}

boot();
