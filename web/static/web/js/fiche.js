// One fiche: rendered summary (safe Markdown), metadata, documents, source, contributors,
// history with diffs; edit form; validate and publish for animateurs; print and export.
import { api, get, patch, showError } from "./api.js";
import { formatFull } from "./format.js";
import { el, fillThemes, markReady } from "./fiches-core.js";
import { _, fmt } from "./i18n.js";
import { renderDocuments, renderMarkdown } from "./markdown.js";

const $ = (id) => document.getElementById(id);
const ficheId = Number($("fiche").dataset.fiche);
const statusBox = $("fiche-status");
const FIELD_LABELS = {
  created: () => _("création"),
  title: () => _("titre"),
  summary: () => _("synthèse"),
  theme: () => _("thème"),
  territory: () => _("territoire"),
};
let current = null;

function metaRow(term, ...value) {
  return [el("dt", { text: term }), el("dd", {}, ...value)];
}

function render(fiche) {
  current = fiche;
  $("fiche-title").textContent = fiche.title;
  document.title = `${fiche.title} — ${_("Fiches pratiques")} — Préau`;
  const badges = $("fiche-badges");
  badges.replaceChildren();
  if (fiche.validated) badges.append(el("span", { class: "badge validated", text: fmt(_("Validée par %(name)s"), { name: fiche.validated_by ? fiche.validated_by.name : "" }) }));
  else badges.append(el("span", { class: "badge", text: _("Non validée") }));
  badges.append(" ", el("span", { class: "badge", text: fiche.visibility === "all" ? _("Publiée pour tous les agents") : _("Réservée aux lecteurs du salon d'origine") }));
  const rows = [];
  if (fiche.theme) rows.push(...metaRow(_("Thème"), fiche.theme.name));
  if (fiche.territory) rows.push(...metaRow(_("Territoire"), `${fiche.territory.name} (${fiche.territory.insee_code})`));
  rows.push(...metaRow(_("Créée le"), formatFull(new Date(fiche.created_at))));
  rows.push(...metaRow(_("Mise à jour le"), formatFull(new Date(fiche.updated_at))));
  rows.push(...metaRow(_("Version"), String(fiche.revision_count)));
  $("fiche-meta").replaceChildren(...rows);
  $("fiche-summary").replaceChildren(renderMarkdown(fiche.summary));
  $("documents-section").hidden = !fiche.documents.length;
  $("fiche-documents").replaceChildren(renderDocuments(fiche.documents));
  const source = $("fiche-source");
  if (fiche.source.url) {
    source.replaceChildren(
      el("a", { href: fiche.source.url, text: fmt(_("Ouvrir la conversation dans le salon « %(room)s »"), { room: fiche.source.room.name }) }),
    );
  } else {
    source.textContent = _("La conversation d'origine est réservée aux lecteurs de son salon.");
  }
  $("fiche-contributors").replaceChildren(
    ...fiche.contributors.map((c) => {
      const roles = [];
      if (c.source_author) roles.push(_("auteur de la conversation"));
      if (c.editor) roles.push(_("rédacteur"));
      return el("li", { text: `${c.name} (${roles.join(", ")})` });
    }),
  );
  const validate = $("fiche-validate");
  const publish = $("fiche-publish");
  validate.hidden = publish.hidden = !fiche.animateur;
  validate.textContent = fiche.validated ? _("Retirer la validation") : _("Valider la fiche");
  publish.textContent = fiche.published ? _("Réserver au salon d'origine") : _("Publier pour tous les agents");
}

function renderHistory(revisions) {
  $("fiche-history").replaceChildren(
    ...revisions.map((r) => {
      const who = r.author ? r.author.name : _("ancien membre");
      const what = r.changes.map((c) => (FIELD_LABELS[c] ? FIELD_LABELS[c]() : c)).join(", ");
      const item = el(
        "li",
        { class: "revision", "data-revision": r.number },
        el("p", { class: "revision-head", text: fmt(_("Version %(n)s — %(who)s, %(when)s : %(what)s"), { n: r.number, who, when: formatFull(new Date(r.created_at)), what }) }),
      );
      if (r.note) item.append(el("p", { class: "revision-note", text: fmt(_("Note : %(note)s"), { note: r.note }) }));
      if (r.summary_diff.length) {
        const diff = el("pre", { class: "diff", "aria-label": _("Modifications de la synthèse") });
        for (const line of r.summary_diff.slice(2)) {
          const kind = line.startsWith("+") ? "added" : line.startsWith("-") ? "removed" : "context";
          diff.append(el("span", { class: `diff-${kind}`, text: `${line}\n` }));
        }
        item.append(diff);
      }
      return item;
    }),
  );
}

async function refresh() {
  const [fiche, history] = await Promise.all([get(`/fiches/${ficheId}`), get(`/fiches/${ficheId}/history`)]);
  render(fiche);
  renderHistory(history);
}

function openEditor() {
  const form = $("fiche-edit");
  const button = $("fiche-edit-button");
  const opening = form.hidden;
  form.hidden = !opening;
  button.setAttribute("aria-expanded", String(opening));
  if (!opening) return;
  form.elements.namedItem("title").value = current.title;
  form.elements.namedItem("summary").value = current.summary;
  form.elements.namedItem("theme").value = current.theme ? current.theme.slug : "";
  form.elements.namedItem("territory").value = current.territory ? current.territory.insee_code : "";
  form.elements.namedItem("note").value = "";
  $("edit-title").focus();
}

$("fiche-edit-button").addEventListener("click", openEditor);
$("fiche-edit").addEventListener("submit", async (event) => {
  event.preventDefault();
  const f = event.target.elements;
  const error = $("edit-error");
  error.hidden = true;
  try {
    await patch(`/fiches/${ficheId}`, {
      title: f.namedItem("title").value,
      summary: f.namedItem("summary").value,
      theme: f.namedItem("theme").value,
      territory: f.namedItem("territory").value.trim(),
      note: f.namedItem("note").value,
    });
    await refresh();
    openEditor();
    statusBox.textContent = _("Nouvelle version enregistrée.");
    $("fiche-title").focus();
  } catch (err) {
    showError(error, err);
  }
});

async function toggle(path, on, done) {
  try {
    await api(on ? "DELETE" : "PUT", `/fiches/${ficheId}/${path}`);
    await refresh();
    statusBox.textContent = done();
  } catch (err) {
    statusBox.textContent = err.message;
  }
}

$("fiche-validate").addEventListener("click", () =>
  toggle("validation", current.validated, () => (current.validated ? _("Fiche validée.") : _("Validation retirée."))),
);
$("fiche-publish").addEventListener("click", () =>
  toggle("publication", current.published, () => (current.published ? _("Fiche publiée pour tous les agents.") : _("Fiche réservée aux lecteurs du salon d'origine."))),
);
$("fiche-print").addEventListener("click", () => window.print());

Promise.all([fillThemes($("edit-theme")).catch(() => {}), refresh()])
  .catch((err) => {
    statusBox.textContent = err.message;
  })
  .finally(markReady);
