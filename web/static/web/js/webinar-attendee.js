// The attendee's view of a webinar: ask (with the anonymity notice), vote, follow answers and
// the question on screen, live.
import { ApiError, del, post, showError } from "./api.js";
import { _, fmt } from "./i18n.js";
import {
  ANSWER_LABELS,
  answerBlock,
  askerName,
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
const questions = new Map();
let voted = new Set();
let webinar = null;
let sort = "votes";
const list = document.getElementById("question-list");

function visible(question) {
  return question.moderation === "published" || question.dismiss_reason !== undefined;
}

function renderQuestion(q) {
  const item = el("li", { class: "question", "data-question": q.id, "data-answer": q.answer_state });
  if (q.pinned) item.classList.add("pinned");
  const header = el(
    "p",
    { class: "question-meta" },
    el("span", { class: "asker", text: askerName(q) }),
    el("span", { class: "state-badge", "data-state": q.answer_state, text: ANSWER_LABELS[q.answer_state]() }),
  );
  for (const label of q.labels) header.append(el("span", { class: "label", text: label }));
  item.append(header, questionBody(q));
  if (q.moderation === "pending") {
    item.append(el("p", { class: "hint", text: _("Votre question attend la validation des animateurs.") }));
  } else if (q.moderation === "dismissed") {
    const reason = q.dismiss_reason ? fmt(_("Motif : %(reason)s"), { reason: q.dismiss_reason }) : "";
    item.append(el("p", { class: "hint", text: `${_("Votre question a été écartée.")} ${reason}` }));
  }
  if (q.answer) {
    item.append(answerBlock(q));
  }
  const count = el("span", { class: "vote-count", text: votesLabel(q.votes) });
  item.append(count);
  if (q.moderation === "published" && webinar.state !== "ended") {
    const mine = voted.has(q.id);
    const button = el("button", {
      type: "button",
      class: "secondary vote-button",
      "aria-pressed": mine ? "true" : "false",
      text: mine ? _("Retirer mon vote") : _("Voter"),
    });
    button.setAttribute("aria-label", `${mine ? _("Retirer mon vote") : _("Voter")} : ${q.body.slice(0, 80)}`);
    button.addEventListener("click", () => toggleVote(q.id));
    item.append(button);
  }
  return item;
}

function ordered() {
  const all = [...questions.values()].filter(visible);
  if (sort === "votes") {
    all.sort((a, b) => b.pinned - a.pinned || b.votes - a.votes || a.created_at.localeCompare(b.created_at));
  } else {
    all.sort((a, b) => a.created_at.localeCompare(b.created_at));
  }
  return all;
}

function render() {
  list.replaceChildren(...ordered().map(renderQuestion));
  showOnScreen();
}

function showOnScreen() {
  const box = document.getElementById("on-screen");
  const q = webinar && webinar.highlighted ? questions.get(webinar.highlighted) : null;
  box.hidden = !q;
  if (q) document.getElementById("on-screen-body").replaceChildren(questionBody(q));
}

async function toggleVote(questionId) {
  const mine = voted.has(questionId);
  try {
    const result = mine ? await del(`/questions/${questionId}/vote`) : await post(`/questions/${questionId}/vote`);
    if (result.voted) voted.add(questionId);
    else voted.delete(questionId);
    const q = questions.get(questionId);
    if (q && result.changed) q.votes += result.voted ? 1 : -1;
    render();
    const again = list.querySelector(`[data-question="${questionId}"] .vote-button`);
    if (again) again.focus();
  } catch (err) {
    showError(document.getElementById("ask-error"), err);
  }
}

function setupForm() {
  const form = document.getElementById("ask-form");
  const body = document.getElementById("ask-body");
  const count = document.getElementById("ask-count");
  body.maxLength = webinar.max_length;
  const update = () => {
    count.textContent = fmt(_("%(n)s / %(max)s caractères"), { n: body.value.length, max: webinar.max_length });
  };
  body.addEventListener("input", update);
  update();
  document.getElementById("ask-anonymous-field").hidden = !webinar.anonymous_allowed;
  document.getElementById("ask-moderation").textContent = webinar.premoderation
    ? _("Les questions sont relues par les animateurs avant d'être publiées.")
    : _("Les questions sont publiées dès leur envoi.");
  const closed = !webinar.intake_open || webinar.state === "ended";
  document.getElementById("ask-submit").disabled = closed;
  if (closed) document.getElementById("ask-status").textContent = _("Les questions sont fermées.");
  form.onsubmit = async (event) => {
    event.preventDefault();
    const error = document.getElementById("ask-error");
    error.hidden = true;
    try {
      const anonymous = webinar.anonymous_allowed && document.getElementById("ask-anonymous").checked;
      const q = await post(`/webinars/${id}/questions`, { body: body.value, anonymous });
      questions.set(q.id, q);
      body.value = "";
      update();
      document.getElementById("ask-status").textContent =
        q.moderation === "pending" ? _("Question envoyée : elle sera publiée après validation.") : _("Question publiée.");
      render();
    } catch (err) {
      showError(error, err instanceof ApiError ? err : String(err));
    }
  };
}

async function reload() {
  webinar = await loadWebinar(id);
  const data = await loadQuestions(id, sort);
  questions.clear();
  for (const q of data.questions) questions.set(q.id, q);
  voted = new Set(data.voted);
  showState(webinar);
  setupForm();
  render();
}

document.getElementById("questions-sort").addEventListener("change", (event) => {
  sort = event.target.value;
  render();
});

follow(id, {
  onOpen: reload,
  onQuestion(kind, data) {
    if (kind === "question.removed") questions.delete(data.id);
    else questions.set(data.id, { ...questions.get(data.id), ...data });
    render();
  },
  onWebinar(data) {
    webinar = { ...webinar, ...data };
    showState(webinar);
    setupForm();
    render();
  },
  onVotes(counts) {
    for (const [qid, votes] of Object.entries(counts)) {
      const q = questions.get(Number(qid));
      if (!q) continue;
      q.votes = votes;
      const node = list.querySelector(`[data-question="${qid}"] .vote-count`);
      if (node) node.textContent = votesLabel(votes);
    }
  },
  onMine(_kind, data) {
    questions.set(data.id, { ...questions.get(data.id), ...data });
    render();
  },
  onAttendance: showAttendance,
});

reload().then(markReady, (err) => {
  showError(document.getElementById("ask-error"), err);
  markReady();
});
