// The presenter screen (for the projector): the question "à l'écran", large, live.
import { _, fmt } from "./i18n.js";
import { askerName, follow, loadQuestions, loadWebinar, markReady, questionBody, votesLabel, webinarId } from "./webinar-core.js";

const id = webinarId();
let webinar = null;
const questions = new Map();

function render() {
  const q = webinar && webinar.highlighted ? questions.get(webinar.highlighted) : null;
  document.getElementById("presenter-empty").hidden = Boolean(q);
  document.getElementById("presenter-body").replaceChildren(...(q ? [questionBody(q)] : []));
  document.getElementById("presenter-asker").textContent = q
    ? fmt(_("%(asker)s — %(votes)s"), { asker: askerName(q), votes: votesLabel(q.votes) })
    : "";
}

async function reload() {
  webinar = await loadWebinar(id);
  const data = await loadQuestions(id, "votes");
  questions.clear();
  // The presenter shows what the audience may see: the public view, never hosts' fields.
  for (const q of data.questions) {
    if (q.moderation === "published") questions.set(q.id, { ...q, asker: q.anonymous ? null : q.asker });
  }
  render();
}

document.getElementById("fullscreen-button").addEventListener("click", () => {
  if (document.fullscreenElement) document.exitFullscreen();
  else document.documentElement.requestFullscreen().catch(() => {});
});

follow(id, {
  onOpen: reload,
  onQuestion(kind, data) {
    if (kind === "question.removed") questions.delete(data.id);
    else questions.set(data.id, data);
    render();
  },
  onWebinar(data) {
    webinar = { ...webinar, ...data };
    render();
  },
  onVotes(counts) {
    for (const [qid, votes] of Object.entries(counts)) {
      const q = questions.get(Number(qid));
      if (q) q.votes = votes;
    }
    render();
  },
});

reload().then(markReady, markReady);
