// One job offer (/emplois/<id>/): its facts, its description, and for its editors the actions.
import { del, get, showError } from "./api.js";
import { _, ngettext } from "./i18n.js";
import { closingLine, formatDate } from "./jobs-common.js";
import { renderMarkdown, safeUrl } from "./markdown.js";

const $ = (id) => document.getElementById(id);

function fact(list, term, value) {
  if (value === null || value === undefined || value === "") return;
  const dt = document.createElement("dt");
  dt.textContent = term;
  const dd = document.createElement("dd");
  dd.textContent = value;
  list.append(dt, dd);
}

function render(job) {
  document.title = `${job.title} — Préau`;
  $("job-title").textContent = job.title;
  $("job-closed").hidden = !job.closed;
  const facts = $("job-facts");
  facts.replaceChildren();
  const where = job.location;
  fact(facts, _("Organisation"), job.organisation.name);
  fact(facts, _("Commune"), `${where.commune.name} (${where.commune.code})`);
  fact(facts, _("Département"), where.departement ? `${where.departement.name} (${where.departement.code})` : null);
  fact(facts, _("Région"), where.region ? where.region.name : null);
  fact(facts, _("Catégorie"), job.category);
  fact(facts, _("Filière"), job.field_label);
  fact(facts, _("Date limite de candidature"), formatDate(job.closes_on));
  fact(facts, _("Publiée par"), job.author ? job.author.name : null);
  const href = safeUrl(job.link);
  if (href) {
    const link = document.createElement("a");
    link.href = href;
    link.rel = "noopener noreferrer";
    link.textContent = _("Voir l'offre complète et candidater");
    $("job-link").replaceChildren(link, " ", closingLine(job));
    $("job-link").hidden = false;
  }
  const description = $("job-description");
  if (job.description) description.replaceChildren(renderMarkdown(job.description));
  else description.textContent = _("Pas de description.");
  $("job-actions").hidden = !job.may_edit;
  $("job-edit").href = `/emplois/${job.id}/modifier/`;
  if (job.may_edit && job.announced_in && job.announced_in.length) {
    $("job-done").textContent = ngettext("Annoncée dans %(n)s salon.", "Annoncée dans %(n)s salons.", job.announced_in.length, {
      n: job.announced_in.length,
    });
  }
}

async function main() {
  const article = $("job");
  const id = Number(article.dataset.job);
  try {
    render(await get(`/jobs/${id}`));
  } catch (error) {
    showError($("job-error"), error.status === 404 ? new Error(_("Cette offre n'existe pas ou a été retirée.")) : error);
  } finally {
    article.setAttribute("aria-busy", "false");
  }
  $("job-withdraw").addEventListener("click", async () => {
    if (!window.confirm(_("Retirer cette offre du tableau ? Ce retrait est définitif."))) return;
    try {
      await del(`/jobs/${id}`);
      location.assign("/emplois/");
    } catch (error) {
      showError($("job-error"), error);
    }
  });
}

main();
