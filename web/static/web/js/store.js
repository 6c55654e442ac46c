// Client state per room: the last seq applied, buffered out-of-order events, the loaded
// messages, and the read position. Events are applied exactly once, in seq order.

export class RoomState {
  constructor(room) {
    this.id = room.id;
    this.room = room; // the REST room object (name, kind, access, role…)
    this.lastSeq = room.seq; // every event with seq <= lastSeq has been applied
    this.buffer = new Map(); // seq -> frame that arrived ahead of a gap
    this.loaded = false; // messages are being kept (the room was opened)
    this.messages = new Map(); // key -> message
    this.byId = new Map(); // message id -> message
    this.byClient = new Map(); // client_id -> message
    this.later = new Map(); // message id -> newer edit/delete seen before the message itself
    this.oldestSeq = null;
    this.hasMore = true;
    this.readSeq = room.seq;
    this.unread = 0;
    this.catchingUp = false;
    this.reactions = new Map(); // message id -> Map(emoji -> Map(user id -> {name, on, seq}))
    this.threadInfo = new Map(); // root id -> {following, read} (threads the user looked at)
    this.useful = new Map(); // reply id -> {on, seq}: marked useful by the asker
  }

  /** message.useful, in any order: the newest seq per reply wins. */
  applyUseful(seq, data) {
    const known = this.useful.get(data.message);
    if (known && known.seq > seq) return false;
    this.useful.set(data.message, { on: Boolean(data.useful), seq });
    const msg = this.byId.get(data.message);
    if (msg) msg.rev = (msg.rev || 0) + 1;
    return true;
  }

  /** The REST state of a reply, true as of `seq`: an event seen after `seq` wins over it. */
  seedUseful(messageId, useful, seq) {
    const known = this.useful.get(messageId);
    if (known && known.seq > seq) return;
    this.applyUseful(seq, { message: messageId, useful });
  }

  isUseful(messageId) {
    const known = this.useful.get(messageId);
    return Boolean(known && known.on);
  }

  /** reaction.added / reaction.removed, in any order: the newest seq per (emoji, user) wins. */
  applyReaction(seq, kind, data) {
    let byEmoji = this.reactions.get(data.message);
    if (!byEmoji) this.reactions.set(data.message, (byEmoji = new Map()));
    let users = byEmoji.get(data.emoji);
    if (!users) byEmoji.set(data.emoji, (users = new Map()));
    const user = data.user || {};
    const known = users.get(user.id);
    if (known && known.seq >= seq) return false;
    users.set(user.id, { name: user.name, on: kind === "reaction.added", seq });
    const msg = this.byId.get(data.message);
    if (msg) msg.rev = (msg.rev || 0) + 1;
    return true;
  }

  /** Reactions as the REST API gives them ({emoji, count, users}), true as of `seq`. */
  seedReactions(messageId, reactions, seq) {
    for (const r of reactions || []) {
      for (const user of r.users || []) this.applyReaction(seq, "reaction.added", { message: messageId, emoji: r.emoji, user });
    }
  }

  /** [{emoji, count, names, mine}] for one message, in first-reaction order. */
  reactionsOf(messageId, meId) {
    const out = [];
    for (const [emoji, users] of this.reactions.get(messageId) || []) {
      const on = [...users.entries()].filter(([, u]) => u.on);
      if (!on.length) continue;
      out.push({ emoji, count: on.length, names: on.map(([, u]) => u.name), mine: on.some(([id]) => id === meId) });
    }
    return out;
  }

  /** Per root id: {count, last, participants: [{id, name}], replies: [msg]} of loaded replies. */
  threads() {
    const out = new Map();
    for (const msg of this.messages.values()) {
      if (msg.thread == null || msg.deleted) continue;
      let entry = out.get(msg.thread);
      if (!entry) out.set(msg.thread, (entry = { count: 0, last: null, participants: new Map(), replies: [] }));
      entry.count += 1;
      entry.replies.push(msg);
      if (!entry.last || msg.created_at > entry.last) entry.last = msg.created_at;
      if (msg.author) entry.participants.set(msg.author.id, msg.author.name);
    }
    return out;
  }

  sorted() {
    return [...this.messages.values()].sort((a, b) => {
      if (a.seq != null && b.seq != null) return a.seq - b.seq;
      if (a.seq != null) return -1;
      if (b.seq != null) return 1;
      return a.localOrder - b.localOrder;
    });
  }

  /** A message.created payload, from the live stream or from history. */
  addServerMessage(seq, data) {
    let msg = (data.client_id && this.byClient.get(data.client_id)) || this.byId.get(data.id);
    if (msg && msg.author && msg.author.id !== data.author.id) msg = null;
    if (msg && msg.id === data.id && msg.seq === seq) return msg; // seen already
    if (!msg) {
      msg = { key: `m${data.id}`, localOrder: 0 };
      this.messages.set(msg.key, msg);
    }
    Object.assign(msg, {
      id: data.id,
      seq,
      bodySeq: seq,
      author: data.author,
      body: data.body,
      documents: data.documents || [],
      thread: data.thread ?? null,
      files: data.files || [],
      mentions: data.mentions || [],
      meta: data.meta || msg.meta || {},
      client_id: data.client_id ?? msg.client_id ?? null,
      created_at: data.created_at,
      edited_at: data.edited_at ?? null,
      deleted: Boolean(data.deleted || data.moved), // moved: gone to another room
      status: "sent",
      error: null,
    });
    msg.rev = (msg.rev || 0) + 1;
    this.byId.set(data.id, msg);
    if (msg.client_id) this.byClient.set(msg.client_id, msg);
    const later = this.later.get(data.id);
    if (later) {
      this.later.delete(data.id);
      this.applyChange(later.seq, later.kind, later.data);
    }
    return msg;
  }

  /** message.edited / message.deleted; kept for later when the message is not loaded yet. */
  applyChange(seq, kind, data) {
    const msg = this.byId.get(data.id);
    if (!msg) {
      const known = this.later.get(data.id);
      if (!known || known.seq < seq) this.later.set(data.id, { seq, kind, data });
      return null;
    }
    if (msg.bodySeq != null && msg.bodySeq >= seq && !(kind === "message.deleted")) return msg;
    if (kind === "message.edited") {
      if (msg.deleted) return msg;
      msg.body = data.body;
      if (data.documents) msg.documents = data.documents;
      if (data.mentions) msg.mentions = data.mentions;
      msg.edited_at = data.edited_at;
    } else {
      msg.deleted = true;
      msg.body = "";
      msg.documents = [];
      msg.files = [];
    }
    msg.bodySeq = seq;
    msg.rev = (msg.rev || 0) + 1;
    return msg;
  }
}

let localCounter = 0;

export function newClientId() {
  if (globalThis.crypto && crypto.randomUUID) return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function localMessage(me, body, { thread = null, files = [], documents = [] } = {}) {
  const client_id = newClientId();
  return {
    key: `c${client_id}`,
    localOrder: ++localCounter,
    id: null,
    seq: null,
    bodySeq: null,
    author: { id: me.id, name: me.name },
    body,
    thread,
    files,
    documents,
    mentions: [],
    meta: {},
    client_id,
    created_at: new Date().toISOString(),
    edited_at: null,
    deleted: false,
    status: "queued",
    error: null,
    rev: 1,
  };
}

const readKey = (userId, roomId) => `preau.read.${userId}.${roomId}`;

export function loadReadSeq(userId, roomId) {
  try {
    const raw = localStorage.getItem(readKey(userId, roomId));
    return raw == null ? null : Number(raw);
  } catch (_err) {
    return null;
  }
}

export function saveReadSeq(userId, roomId, seq) {
  try {
    localStorage.setItem(readKey(userId, roomId), String(seq));
  } catch (_err) {
    /* private browsing: the read position lives for the tab only */
  }
}
