// The knowledge base: fiches by theme, territory and status, with French full-text search.
import { get, showError } from "./api.js";
import { formatFull } from "./format.js";
import { el, fillThemes, markReady, placeLabel } from "./fiches-core.js";
import { _, ngettext } from "./i18n.js";

const form = document.getElementById("fiche-search");
const list = document.getElementById("fiche-list");
const count = document.getElementById("fiche-count");
const error = document.getElementById("fiche-search-error");

function highlighted(text, ranges) {
  const out = el("p", { class: "fiche-snippet" });
  let last = 0;
  for (const [start, end] of ranges || []) {
    out.append(text.slice(last, start), el("mark", { text: text.slice(start, end) }));
    last = end;
  }
  out.append(text.slice(last));
  return out;
}

function item(fiche) {
  const title = el("h2", {}, el("a", { href: `/fiches/${fiche.id}/`, text: fiche.title }));
  const badges = el("p", { class: "fiche-badges" });
  if (fiche.validated) badges.append(el("span", { class: "badge validated", text: _("Validée") }));
  if (fiche.published) badges.append(el("span", { class: "badge", text: _("Publiée pour tous les agents") }));
  const meta = el("p", { class: "fiche-item-meta", text: [placeLabel(fiche), formatFull(new Date(fiche.updated_at))].filter(Boolean).join(" · ") });
  const text = fiche.snippet != null ? highlighted(fiche.snippet, fiche.highlights) : el("p", { text: fiche.excerpt });
  return el("li", { class: "fiche-card", "data-fiche": fiche.id }, title, badges, meta, text);
}

async function load() {
  error.hidden = true;
  const params = new URLSearchParams();
  for (const name of ["q", "theme", "territory", "validated"]) {
    const value = form.elements.namedItem(name).value.trim();
    if (value) params.set(name, value);
  }
  try {
    const page = await get(`/fiches?${params}`);
    list.replaceChildren(...page.results.map(item));
    count.textContent = page.total
      ? ngettext("%(count)s fiche", "%(count)s fiches", page.total)
      : _("Aucune fiche ne correspond.");
  } catch (err) {
    showError(error, err);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  load();
});
const initial = new URLSearchParams(location.search);
for (const name of ["q", "territory"]) if (initial.get(name)) form.elements.namedItem(name).value = initial.get(name);
fillThemes(document.getElementById("fiche-theme"), initial.get("theme"))
  .catch(() => {})
  .then(load)
  .finally(markReady);
