// The thread panel: a root message and its replies, its own composer, follow / unfollow and
// the read position in a followed thread. Replies arrive as the room's message.created events
// (with `thread` = the root id), so the panel renders from the room's store.
import { del, get, post } from "./api.js";
import { Composer } from "./composer.js";
import { _, fmt } from "./i18n.js";
import { renderMessages } from "./messages.js";

const $ = (id) => document.getElementById(id);
let app = null;
let composer = null;
const fetching = new Set(); // root ids whose follow state is being fetched

export function setupThread(context) {
  app = context;
  const { state } = app;
  composer = new Composer({
    form: $("thread-composer"),
    input: $("thread-input"),
    prefix: "thread",
    room: () => state.thread && state.thread.rs,
    members: () => state.members,
    me: () => state.me,
    onSend: (body, extras) => {
      const t = state.thread;
      if (!t) return false;
      app.send(t.rs, body, { ...extras, thread: t.rootId });
      return true;
    },
  });
  $("thread-close").addEventListener("click", () => closeThread());
  $("thread-panel").addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !event.defaultPrevented && !event.target.closest("form.edit-form, .reaction-picker, .link-form")) {
      event.preventDefault();
      closeThread();
    }
  });
  $("thread-follow").addEventListener("click", () => toggleFollow());
}

export function threadOpen() {
  return app.state.thread;
}

/** Show the thread of `rootId` (a root message id of the room `rs`). */
export async function openThread(rs, rootId, { focus = true } = {}) {
  const { state } = app;
  const opener = document.activeElement;
  state.thread = { rs, rootId, opener };
  $("thread-panel").hidden = false;
  // Room for the messages: beside the thread, the people panel folds on ordinary screens.
  const people = $("people-button");
  if (window.innerWidth < 1600 && people.getAttribute("aria-expanded") === "true") people.click();
  $("thread-documents").href = `#/room/${rs.id}/documents/thread/${rootId}`;
  $("thread-fiche").href = `/fiches/nouvelle/?thread=${rootId}`;
  composer.reset();
  renderThread();
  if (focus) $("thread-input").focus();
  await refreshThread(rs, rootId);
}

export function closeThread() {
  const { state } = app;
  const t = state.thread;
  state.thread = null;
  $("thread-panel").hidden = true;
  $("thread-list").replaceChildren();
  if (t && t.opener && document.contains(t.opener)) t.opener.focus();
  else if (state.current) $("composer-input").focus();
}

/** Fetch the thread (root, replies, follow state) and merge it into the room's store. */
export async function refreshThread(rs, rootId) {
  let thread;
  const before = rs.lastSeq; // the answer is at least this fresh; later events win over it
  try {
    thread = await get(`/messages/${rootId}/thread`);
  } catch (error) {
    $("thread-status").textContent = error.message;
    return;
  }
  const seq = rs.lastSeq;
  for (const m of [thread.root, ...thread.replies]) {
    if (!rs.byId.has(m.id)) rs.addServerMessage(m.seq, m);
    else if (m.meta && Object.keys(m.meta).length) rs.byId.get(m.id).meta = m.meta;
    rs.seedReactions(m.id, m.reactions, seq);
    if (m.thread != null && typeof m.useful === "boolean") rs.seedUseful(m.id, m.useful, before);
  }
  setInfo(rs, thread.root.id, { following: thread.following, read: thread.read ?? 0 }, before);
  const t = app.state.thread;
  if (t && t.rs === rs && t.rootId === rootId) {
    renderThread();
    markThreadRead();
  }
  app.renderRoom();
}

/** Merge a fetched follow state, asked for when the room was at seq `asOf`: a reply seen live
 * since then (which makes its author follow) is newer than the answer and wins over it. */
function setInfo(rs, rootId, info, asOf) {
  const known = rs.threadInfo.get(rootId);
  if (known && known.liveAt != null && known.liveAt > asOf) info = { ...info, following: known.following };
  if (known && known.following === info.following && (known.read || 0) >= (info.read || 0)) return;
  rs.threadInfo.set(rootId, { ...known, ...info, read: Math.max(info.read || 0, (known && known.read) || 0) });
}

/** The follow state of a root shown in the room, fetched once, for its unread count. */
export function ensureInfo(rs, rootId) {
  if (rs.threadInfo.has(rootId) || fetching.has(rootId)) return;
  fetching.add(rootId);
  const before = rs.lastSeq;
  get(`/messages/${rootId}/thread`)
    .then((thread) => {
      setInfo(rs, rootId, { following: thread.following, read: thread.read ?? 0 }, before);
      if (app.state.current === rs) app.renderRoom();
    })
    .catch(() => rs.threadInfo.set(rootId, { following: false, read: 0 })) // asked once, not at every render
    .finally(() => fetching.delete(rootId));
}

/** A reply arrived live: the author and the root's author follow; the open panel shows it. */
export function onReply(rs, msg) {
  const { state } = app;
  const root = rs.byId.get(msg.thread);
  const info = rs.threadInfo.get(msg.thread);
  const liveAt = msg.seq || rs.lastSeq;
  if (msg.author.id === state.me.id) {
    rs.threadInfo.set(msg.thread, { following: true, read: Math.max(msg.seq || 0, (info && info.read) || 0), liveAt });
  } else if (root && root.author.id === state.me.id && !(info && info.following)) {
    rs.threadInfo.set(msg.thread, { following: true, read: (info && info.read) || 0, liveAt });
  }
  const t = state.thread;
  if (t && t.rs === rs && t.rootId === msg.thread) {
    if (msg.author.id !== state.me.id) {
      $("thread-status").textContent = fmt(_("%(name)s a répondu dans le fil : %(body)s"), { name: msg.author.name, body: msg.body.slice(0, 200) });
    }
    markThreadRead();
  }
}

export function renderThread() {
  const { state } = app;
  const t = state.thread;
  if (!t) return;
  const info = t.rs.threadInfo.get(t.rootId);
  const following = Boolean(info && info.following);
  const button = $("thread-follow");
  button.setAttribute("aria-pressed", String(following));
  button.textContent = following ? _("Ne plus suivre le fil") : _("Suivre le fil");
  renderMessages($("thread-list"), t.rs, {
    ...app.renderContext(),
    inThread: true,
    filter: (m) => m.id === t.rootId || m.thread === t.rootId,
  });
  const list = $("thread-list");
  list.scrollTop = list.scrollHeight;
}

async function toggleFollow() {
  const t = app.state.thread;
  if (!t) return;
  const info = t.rs.threadInfo.get(t.rootId) || { following: false, read: 0 };
  const follow = !info.following;
  try {
    if (follow) await post(`/messages/${t.rootId}/follow`);
    else await del(`/messages/${t.rootId}/follow`);
  } catch (error) {
    $("thread-status").textContent = error.message;
    return;
  }
  t.rs.threadInfo.set(t.rootId, { following: follow, read: follow ? t.rs.lastSeq : info.read });
  $("thread-status").textContent = follow ? _("Vous suivez ce fil.") : _("Vous ne suivez plus ce fil.");
  renderThread();
  app.renderRoom();
  if (follow) markThreadRead();
}

/** Move the read position of the open, followed thread to its newest reply. */
export function markThreadRead() {
  const { state, live } = app;
  const t = state.thread;
  if (!t || document.hidden) return;
  const info = t.rs.threadInfo.get(t.rootId);
  if (!info || !info.following) return;
  let newest = info.read || 0;
  for (const m of t.rs.messages.values()) if (m.thread === t.rootId && m.seq != null && m.seq > newest) newest = m.seq;
  if (newest <= (info.read || 0)) return;
  info.read = newest;
  if (!live.send({ type: "read", room: t.rs.id, seq: newest, thread: t.rootId })) {
    post(`/messages/${t.rootId}/thread/read`, { seq: newest }).catch(() => {});
  }
  app.renderRoom();
}
