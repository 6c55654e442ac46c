// The tab's one WebSocket to /ws/v1/: reconnection with exponential back-off and jitter,
// keep-alive pings, and request/reply matching by `ref`.

const PING_EVERY = 25_000;
const PONG_WITHIN = 10_000;
const BACKOFF_MIN = 500;
const BACKOFF_MAX = 15_000;
const REPLY_TIMEOUT = 15_000;

export class Live {
  constructor({ onFrame, onOpen, onDown, onAuthLost }) {
    this.onFrame = onFrame;
    this.onOpen = onOpen;
    this.onDown = onDown;
    this.onAuthLost = onAuthLost;
    this.ws = null;
    this.ready = false; // true once `hello` arrived on the current socket
    this.attempt = 0;
    this.refs = 0;
    this.pending = new Map(); // ref -> {resolve, reject, timer}
    this.timer = null;
    this.pingTimer = null;
    this.pongTimer = null;
    this.stopped = false;
  }

  url() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${location.host}/ws/v1/`;
  }

  connect() {
    if (this.stopped) return;
    clearTimeout(this.timer);
    let ws;
    try {
      ws = new WebSocket(this.url());
    } catch (_err) {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.addEventListener("message", (event) => this.receive(ws, event));
    ws.addEventListener("close", (event) => this.closed(ws, event));
    ws.addEventListener("open", () => this.keepAlive(ws));
  }

  receive(ws, event) {
    if (ws !== this.ws) return;
    let frame;
    try {
      frame = JSON.parse(event.data);
    } catch (_err) {
      return;
    }
    if (!frame || typeof frame.type !== "string") return;
    if (frame.type === "pong") {
      clearTimeout(this.pongTimer);
      return;
    }
    if (frame.type === "hello") {
      this.ready = true;
      this.attempt = 0;
      this.onOpen(frame);
      return;
    }
    if ((frame.type === "ack" || frame.type === "error") && frame.ref && this.pending.has(frame.ref)) {
      const waiter = this.pending.get(frame.ref);
      this.pending.delete(frame.ref);
      clearTimeout(waiter.timer);
      if (frame.type === "ack") waiter.resolve(frame);
      else waiter.reject(frame);
      return;
    }
    this.onFrame(frame);
  }

  closed(ws, event) {
    if (ws !== this.ws) return;
    this.ws = null;
    this.ready = false;
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    for (const waiter of this.pending.values()) {
      clearTimeout(waiter.timer);
      waiter.reject({ type: "error", code: "disconnected", message: "" });
    }
    this.pending.clear();
    if (event.code === 4403) {
      // Staff who must enrol in two-factor authentication first (docs/protocol.md).
      this.stopped = true;
      location.assign("/account/security/#two-factor");
      return;
    }
    if (event.code === 4401) {
      this.stopped = true;
      this.onAuthLost();
      return;
    }
    this.onDown();
    this.scheduleReconnect();
  }

  scheduleReconnect() {
    if (this.stopped) return;
    const base = Math.min(BACKOFF_MAX, BACKOFF_MIN * 2 ** this.attempt);
    const delay = base / 2 + Math.random() * (base / 2);
    this.attempt += 1;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  /** Reconnect now (the browser says the network is back, or the tab came back). */
  nudge() {
    if (this.stopped || this.ws) return;
    this.attempt = 0;
    this.connect();
  }

  keepAlive(ws) {
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      if (ws !== this.ws || ws.readyState !== WebSocket.OPEN) return;
      ws.send(JSON.stringify({ type: "ping" }));
      clearTimeout(this.pongTimer);
      this.pongTimer = setTimeout(() => ws.close(4000, "no pong"), PONG_WITHIN);
    }, PING_EVERY);
  }

  /** Send a frame without waiting for a reply; false when not connected. */
  send(frame) {
    if (!this.ready || !this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** Send a frame with a fresh `ref` and resolve with its ack (reject with its error). */
  request(frame) {
    return new Promise((resolve, reject) => {
      const ref = `r${++this.refs}`;
      if (!this.send({ ...frame, ref })) {
        reject({ type: "error", code: "disconnected", message: "" });
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        reject({ type: "error", code: "timeout", message: "" });
      }, REPLY_TIMEOUT);
      this.pending.set(ref, { resolve, reject, timer });
    });
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close(1000);
  }
}
