// Shared parts of the webinar pages: loading, the live socket, and rendering a question.
import { get } from "./api.js";
import { formatFull } from "./format.js";
import { _, fmt, ngettext } from "./i18n.js";
import { Live } from "./live.js";
import { renderMarkdown } from "./markdown.js";

export const STATE_LABELS = {
  scheduled: () => _("Programmé"),
  live: () => _("En direct"),
  ended: () => _("Terminé"),
};

export const ANSWER_LABELS = {
  open: () => _("Sans réponse"),
  answering: () => _("Réponse en cours"),
  answered: () => _("Répondue"),
};

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

export function webinarId() {
  return Number(document.getElementById("main").dataset.webinar);
}

export const loadWebinar = (id) => get(`/webinars/${id}`);

export async function loadQuestions(id, sort = "votes") {
  return get(`/webinars/${id}/questions?sort=${sort}`);
}

export function askerName(question) {
  if (question.asker) return question.asker.name;
  return _("Anonyme");
}

export function questionBody(question) {
  const quote = el("p", { class: "question-body" });
  quote.append(renderMarkdown(question.body));
  return quote;
}

export function answerBlock(question) {
  const box = el("div", { class: "answer" }, el("strong", { text: _("Réponse") + " : " }));
  box.append(renderMarkdown(question.answer));
  return box;
}

export function votesLabel(count) {
  return ngettext("%(count)s vote", "%(count)s votes", count);
}

export function showState(webinar) {
  const state = document.getElementById("webinar-state");
  if (state) {
    state.textContent = STATE_LABELS[webinar.state]();
    state.dataset.state = webinar.state;
  }
  const when = document.getElementById("webinar-when");
  if (when) when.textContent = formatFull(new Date(webinar.starts_at));
}

export function showAttendance(count, peak) {
  const node = document.getElementById("webinar-attendance");
  if (node) node.textContent = fmt(_("%(count)s participants connectés (pic : %(peak)s)"), { count, peak });
}

/**
 * Follow a webinar over the socket: attend it on every (re)connection and hand each frame
 * that concerns it to the page. onOpen runs after each reconnection, to reload what was missed.
 */
export function follow(id, handlers) {
  const live = new Live({
    onOpen: async () => {
      try {
        const ack = await live.request({ type: "webinar.attend", webinar: id });
        if (handlers.onAttendance) handlers.onAttendance(ack.count, ack.count);
      } catch (_err) {
        /* the page still works over REST */
      }
      if (handlers.onOpen) handlers.onOpen();
    },
    onFrame: (frame) => dispatch(id, frame, handlers),
    onDown: () => {},
    onAuthLost: () => location.assign("/login/"),
  });
  live.connect();
  return live;
}

function dispatch(id, frame, handlers) {
  if (frame.type === "event") {
    const data = frame.data || {};
    if (frame.event.startsWith("question.") && data.webinar === id && handlers.onQuestion) {
      handlers.onQuestion(frame.event, data);
    } else if (frame.event.startsWith("webinar.") && data.id === id && handlers.onWebinar) {
      handlers.onWebinar(data);
    }
    return;
  }
  if (frame.webinar !== id) return;
  if (frame.type === "webinar.votes" && handlers.onVotes) handlers.onVotes(frame.counts);
  else if (frame.type === "webinar.attendance" && handlers.onAttendance) {
    handlers.onAttendance(frame.count, frame.peak);
  } else if (frame.type === "webinar.host" && handlers.onHost) handlers.onHost(frame.event, frame.data);
  else if (frame.type === "webinar.mine" && handlers.onMine) handlers.onMine(frame.event, frame.data);
}

export function markReady() {
  document.body.dataset.ready = "true";
}
