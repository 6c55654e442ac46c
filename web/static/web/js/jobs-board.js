// The jobs board (/emplois/): filters (territory, category, filière), newest first, by pages.
import { get, showError } from "./api.js";
import { _, fmt, ngettext } from "./i18n.js";
import { closingLine, placeOf } from "./jobs-common.js";

const $ = (id) => document.getElementById(id);
const FILTERS = ["territory", "territory_level", "category", "field"];
const PAGE = 20;

function node(tag, text, cls) {
  const el = document.createElement(tag);
  if (text !== undefined && text !== null) el.textContent = text;
  if (cls) el.className = cls;
  return el;
}

function card(job) {
  const li = document.createElement("li");
  const title = node("h3");
  const link = node("a", job.title);
  link.href = `/emplois/${job.id}/`;
  title.append(link);
  li.append(title);
  const meta = [
    job.organisation.name,
    placeOf(job.location),
    fmt(_("Catégorie %(c)s"), { c: job.category }),
    fmt(_("Filière %(f)s"), { f: job.field_label.toLowerCase() }),
  ].join(" · ");
  li.append(node("p", meta, "member-meta"), node("p", closingLine(job), "member-meta"));
  return li;
}

async function show(form, offset) {
  const params = new URLSearchParams();
  for (const name of FILTERS) {
    const value = form.elements[name].value.trim();
    if (value) params.set(name, value);
  }
  const shown = new URLSearchParams(params);
  if (offset) shown.set("offset", String(offset));
  history.replaceState(null, "", shown.toString() ? `?${shown}` : location.pathname);
  params.set("limit", String(PAGE));
  params.set("offset", String(offset));
  const errorBox = $("filters-error");
  errorBox.hidden = true;
  try {
    const page = await get(`/jobs?${params}`);
    $("jobs").replaceChildren(...page.jobs.map(card));
    $("jobs-count").textContent = page.total
      ? ngettext("%(n)s offre ouverte.", "%(n)s offres ouvertes.", page.total, { n: page.total })
      : _("Aucune offre ouverte ne correspond à ces critères.");
    const newer = $("jobs-newer");
    const older = $("jobs-older");
    newer.hidden = offset <= 0;
    older.hidden = offset + page.jobs.length >= page.total;
    newer.onclick = () => show(form, Math.max(0, offset - PAGE)).then(() => $("jobs-title").scrollIntoView());
    older.onclick = () => show(form, offset + PAGE).then(() => $("jobs-title").scrollIntoView());
  } catch (error) {
    showError(errorBox, error);
  }
}

function main() {
  const form = $("job-filters");
  const params = new URLSearchParams(location.search);
  for (const name of FILTERS) if (params.has(name)) form.elements[name].value = params.get(name);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    show(form, 0);
  });
  show(form, Math.max(0, Number(params.get("offset")) || 0));
}

main();
