// A new fiche from a thread (?thread=ID): choose the messages and documents, write the summary.
import { get, post, showError } from "./api.js";
import { el, fillThemes, markReady } from "./fiches-core.js";
import { _, fmt } from "./i18n.js";

const form = document.getElementById("fiche-form");
const error = document.getElementById("fiche-error");
const statusBox = document.getElementById("new-status");
const threadId = Number(new URLSearchParams(location.search).get("thread"));

function checkbox(name, value, label, id) {
  return el(
    "div",
    { class: "check" },
    el("input", { type: "checkbox", name, value, id, checked: true }),
    " ",
    el("label", { for: id, text: label }),
  );
}

async function setup() {
  await fillThemes(document.getElementById("fiche-theme")).catch(() => {});
  if (!threadId) {
    statusBox.textContent = _("Ouvrez un fil de discussion et choisissez « Créer une fiche ».");
    form.hidden = true;
    return;
  }
  const thread = await get(`/messages/${threadId}/thread`);
  const all = [thread.root, ...thread.replies].filter((m) => !m.deleted);
  const box = document.getElementById("fiche-messages");
  for (const m of all) {
    const text = `${m.author.name} : ${m.body.slice(0, 160)}${m.body.length > 160 ? "…" : ""}`;
    box.append(checkbox("messages", m.id, text, `message-${m.id}`));
  }
  const documents = [];
  for (const m of all) {
    for (const d of m.documents || []) documents.push({ url: d.url, title: d.title || d.url });
    for (const f of m.files || []) documents.push({ url: f.url, title: f.name });
  }
  const docs = document.getElementById("fiche-documents");
  documents.forEach((d, i) => docs.append(checkbox("documents", d.url, d.title, `document-${i}`)));
  docs.hidden = !documents.length;
  document.getElementById("fiche-title").value = thread.root.body.split("\n")[0].slice(0, 200);
  statusBox.textContent = fmt(_("Fiche tirée du fil de %(name)s."), { name: thread.root.author.name });
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  error.hidden = true;
  const f = form.elements;
  const chosen = (name) => [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
  try {
    const fiche = await post("/fiches", {
      thread: threadId,
      messages: chosen("messages").map(Number),
      document_urls: chosen("documents"),
      title: f.namedItem("title").value,
      summary: f.namedItem("summary").value,
      theme: f.namedItem("theme").value,
      territory: f.namedItem("territory").value.trim(),
    });
    location.assign(`/fiches/${fiche.id}/`);
  } catch (err) {
    showError(error, err);
  }
});

setup()
  .catch((err) => showError(error, err))
  .finally(markReady);
