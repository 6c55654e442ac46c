// The hosts' console: pending queue, published list, dismissed questions, moderation log,
// keyboard shortcuts (A approve, D dismiss, H on screen, R answered, arrows to move).
import { del, get, post, showError } from "./api.js";
import { formatTime } from "./format.js";
import { _, fmt } from "./i18n.js";
import {
  ANSWER_LABELS,
  answerBlock,
  el,
  follow,
  loadQuestions,
  loadWebinar,
  markReady,
  questionBody,
  showAttendance,
  showState,
  votesLabel,
  webinarId,
} from "./webinar-core.js";

const id = webinarId();
const role = document.getElementById("main").dataset.role;
const isModerator = role === "moderator";
const questions = new Map();
let webinar = null;
const status = document.getElementById("console-status");
const errorBox = document.getElementById("console-error");

async function act(promise, message) {
  errorBox.hidden = true;
  try {
    const result = await promise;
    if (message) status.textContent = message;
    return result;
  } catch (err) {
    showError(errorBox, err);
    return null;
  }
}

function upsert(q) {
  if (q.merged_into) questions.delete(q.id);
  else questions.set(q.id, { ...questions.get(q.id), ...q });
}

const actions = {
  approve: (q) => act(post(`/questions/${q.id}/moderation`, { action: "approve" }), _("Question approuvée.")),
  dismiss: (q) => {
    const input = document.getElementById(`reason-${q.id}`);
    const reason = input && input.value.trim() ? input.value.trim() : null;
    return act(post(`/questions/${q.id}/moderation`, { action: "dismiss", reason }), _("Question écartée."));
  },
  restore: (q) => act(post(`/questions/${q.id}/moderation`, { action: "restore" }), _("Question rétablie.")),
  highlight: (q) =>
    webinar.highlighted === q.id
      ? act(del(`/webinars/${id}/highlight`), _("Plus aucune question à l'écran."))
      : act(post(`/webinars/${id}/highlight`, { question: q.id }), _("Question mise à l'écran.")),
  answering: (q) => act(post(`/questions/${q.id}/answer-state`, { state: "answering" }), _("Réponse en cours.")),
  answered: (q) => act(post(`/questions/${q.id}/answer-state`, { state: "answered" }), _("Question marquée répondue.")),
  reopen: (q) => act(post(`/questions/${q.id}/answer-state`, { state: "open" }), _("Question rouverte.")),
  pin: (q) => act(post(`/questions/${q.id}/flags`, { pinned: !q.pinned }), q.pinned ? _("Question désépinglée.") : _("Question épinglée.")),
  toChat: (q) => act(post(`/questions/${q.id}/to-chat`), _("Question envoyée dans le salon.")),
};

function button(label, handler, q, extra = {}) {
  const node = el("button", { type: "button", class: "secondary", text: label, ...extra });
  node.addEventListener("click", () => handler(q));
  return node;
}

function renderQuestion(q) {
  const item = el("li", { class: "question", tabindex: "-1", "data-question": q.id, "data-answer": q.answer_state });
  if (webinar.highlighted === q.id) item.classList.add("highlighted");
  const askers = (q.askers || []).map((a) => a.name).join(", ");
  const who = q.anonymous ? fmt(_("%(name)s (anonyme pour le public)"), { name: askers }) : askers;
  const meta = el(
    "p",
    { class: "question-meta" },
    el("span", { class: "asker", text: who }),
    el("span", { class: "vote-count", text: votesLabel(q.votes) }),
    el("span", { class: "state-badge", "data-state": q.answer_state, text: ANSWER_LABELS[q.answer_state]() }),
    el("span", { class: "hint", text: formatTime(new Date(q.created_at)) }),
  );
  if (webinar.highlighted === q.id) meta.append(el("span", { class: "state-badge on-air", text: _("À l'écran") }));
  if (q.pinned) meta.append(el("span", { class: "state-badge", text: _("Épinglée") }));
  for (const label of q.labels) meta.append(el("span", { class: "label", text: label }));
  item.append(meta, questionBody(q));
  if (q.original_body) item.append(el("p", { class: "hint", text: fmt(_("Texte d'origine : %(text)s"), { text: q.original_body }) }));
  if (q.answer) item.append(answerBlock(q));
  if (q.dismiss_reason) item.append(el("p", { class: "hint", text: fmt(_("Motif : %(reason)s"), { reason: q.dismiss_reason }) }));
  const tools = el("div", { class: "question-tools" });
  if (q.moderation === "pending" && isModerator) {
    tools.append(button(_("Approuver"), actions.approve, q));
  }
  if (q.moderation !== "dismissed" && isModerator) {
    const reasonId = `reason-${q.id}`;
    tools.append(
      el("label", { for: reasonId, class: "sr-only", text: _("Motif (visible par l'auteur seulement)") }),
      el("input", { id: reasonId, class: "reason", maxlength: "500", placeholder: _("Motif (facultatif)") }),
      button(_("Écarter"), actions.dismiss, q),
    );
  }
  if (q.moderation === "dismissed" && isModerator) tools.append(button(_("Rétablir"), actions.restore, q));
  if (q.moderation === "published") {
    tools.append(
      button(webinar.highlighted === q.id ? _("Retirer de l'écran") : _("Mettre à l'écran"), actions.highlight, q),
    );
    if (q.answer_state === "open") tools.append(button(_("Réponse en cours"), actions.answering, q));
    if (q.answer_state !== "answered") tools.append(button(_("Marquer répondue"), actions.answered, q));
    else tools.append(button(_("Rouvrir"), actions.reopen, q), button(_("Envoyer dans le salon"), actions.toChat, q));
    if (isModerator) tools.append(button(q.pinned ? _("Désépingler") : _("Épingler"), actions.pin, q));
    const answerId = `answer-${q.id}`;
    const form = el(
      "form",
      { class: "answer-form" },
      el("label", { for: answerId, text: _("Réponse écrite") }),
      el("textarea", { id: answerId, rows: "2", maxlength: "5000" }),
      el("button", { type: "submit", text: _("Publier la réponse") }),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const text = form.querySelector("textarea").value;
      await act(post(`/questions/${q.id}/answer`, { answer: text }), _("Réponse publiée."));
    });
    tools.append(form);
  }
  item.append(tools);
  return item;
}

function render() {
  const active = document.activeElement && document.activeElement.closest("li.question");
  const focusId = active ? active.dataset.question : null;
  const all = [...questions.values()];
  const byVotes = (a, b) => b.pinned - a.pinned || b.votes - a.votes || a.created_at.localeCompare(b.created_at);
  const byTime = (a, b) => a.created_at.localeCompare(b.created_at);
  const groups = {
    pending: all.filter((q) => q.moderation === "pending").sort(byTime),
    published: all.filter((q) => q.moderation === "published").sort(byVotes),
    dismissed: all.filter((q) => q.moderation === "dismissed").sort(byTime),
  };
  for (const [name, items] of Object.entries(groups)) {
    document.getElementById(`${name}-list`).replaceChildren(...items.map(renderQuestion));
    document.getElementById(`${name}-count`).textContent = String(items.length);
  }
  if (focusId) {
    const again = document.querySelector(`li.question[data-question="${focusId}"]`);
    if (again && !again.contains(document.activeElement)) again.focus();
  }
  document.getElementById("start-button").hidden = !(isModerator && webinar.state === "scheduled");
  document.getElementById("end-button").hidden = !(isModerator && webinar.state === "live");
}

function onKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target.matches("input, textarea, select")) return;
  const item = target.closest && target.closest("li.question");
  if (!item) return;
  const q = questions.get(Number(item.dataset.question));
  if (!q) return;
  const key = event.key.toLowerCase();
  const move = (delta) => {
    const items = [...item.parentElement.querySelectorAll("li.question")];
    const next = items[items.indexOf(item) + delta];
    if (next) next.focus();
  };
  const handlers = {
    a: () => q.moderation === "pending" && isModerator && actions.approve(q),
    d: () => q.moderation !== "dismissed" && isModerator && actions.dismiss(q),
    h: () => q.moderation === "published" && actions.highlight(q),
    r: () => q.moderation === "published" && q.answer_state !== "answered" && actions.answered(q),
    arrowdown: () => move(1),
    arrowup: () => move(-1),
  };
  if (handlers[key]) {
    event.preventDefault();
    handlers[key]();
  }
}

async function loadLog() {
  const entries = await get(`/webinars/${id}/actions`);
  document.getElementById("log-list").replaceChildren(
    ...entries.map((entry) =>
      el("li", {
        text: `${formatTime(new Date(entry.created_at))} — ${entry.actor ? entry.actor.name : "?"} : ${entry.action}${
          entry.question ? ` #${entry.question}` : ""
        }${entry.reason ? ` (${entry.reason})` : ""}`,
      }),
    ),
  );
}

async function reload() {
  webinar = await loadWebinar(id);
  const data = await loadQuestions(id, "time");
  questions.clear();
  for (const q of data.questions) upsert(q);
  showState(webinar);
  render();
}

document.addEventListener("keydown", onKey);
document.getElementById("pending-list").addEventListener("click", (event) => {
  const item = event.target.closest("li.question");
  if (item && event.target === item) item.focus();
});
document.getElementById("log-panel").addEventListener("toggle", (event) => {
  if (event.target.open) loadLog().catch((err) => showError(errorBox, err));
});
document.getElementById("start-button").addEventListener("click", () =>
  act(post(`/webinars/${id}/state`, { state: "live" }), _("Le webinaire est en direct.")),
);
document.getElementById("end-button").addEventListener("click", () =>
  act(post(`/webinars/${id}/state`, { state: "ended" }), _("Le webinaire est terminé.")),
);

follow(id, {
  onOpen: reload,
  onHost(kind, data) {
    if (kind === "action.logged") {
      if (document.getElementById("log-panel").open) loadLog().catch(() => {});
      return;
    }
    if (data && data.id) {
      upsert(data);
      render();
    }
  },
  onQuestion(kind, data) {
    if (questions.has(data.id) && kind !== "question.removed") {
      // Keep the hosts' fields (real asker, original text): merge the public view in.
      const known = questions.get(data.id);
      upsert({ ...data, asker: known.asker, askers: known.askers });
      render();
    }
  },
  onWebinar(data) {
    webinar = { ...webinar, ...data };
    showState(webinar);
    render();
  },
  onVotes(counts) {
    for (const [qid, votes] of Object.entries(counts)) {
      const q = questions.get(Number(qid));
      if (q) q.votes = votes;
      const node = document.querySelector(`li.question[data-question="${qid}"] .vote-count`);
      if (node) node.textContent = votesLabel(votes);
    }
  },
  onAttendance: showAttendance,
});

reload().then(markReady, (err) => {
  showError(errorBox, err);
  markReady();
});
