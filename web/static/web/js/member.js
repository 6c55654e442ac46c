// A member's profile page (/members/<id>/).
import { get, showError } from "./api.js";
import { contactIds, contactToggle, myId } from "./contact-toggle.js";
import { blockToggle, blockedIds, directButton } from "./direct.js";
import { _, fmt } from "./i18n.js";
import { LEVEL_LABELS, levelBadge } from "./levels.js";
import { renderMarkdown } from "./markdown.js";

const $ = (id) => document.getElementById(id);

function fact(list, term, value) {
  if (value === null || value === undefined || value === "") return;
  const dt = document.createElement("dt");
  dt.textContent = term;
  const dd = document.createElement("dd");
  if (value instanceof Node) dd.append(value);
  else dd.textContent = value;
  list.append(dt, dd);
}

async function main() {
  const article = $("member");
  const id = Number(article.dataset.member);
  try {
    const member = await get(`/members/${id}`);
    document.title = `${member.name} — Préau`;
    const title = $("member-name");
    title.textContent = member.name + " ";
    const badge = levelBadge({ id: member.id, level: member.level.level });
    if (badge) title.append(badge);
    const facts = $("member-facts");
    fact(facts, _("Fonction"), member.job_title);
    fact(facts, _("Organisation"), member.organisation);
    const t = member.territory;
    if (t) {
      fact(facts, _("Commune"), t.commune ? `${t.commune.name} (${t.commune.code})` : null);
      fact(facts, _("Département"), t.departement ? `${t.departement.name} (${t.departement.code})` : null);
      fact(facts, _("Région"), t.region ? t.region.name : null);
    }
    fact(
      facts,
      _("Niveau"),
      member.level.points === null
        ? LEVEL_LABELS[member.level.level]
        : fmt(_("%(label)s (%(n)s points)"), { label: LEVEL_LABELS[member.level.level], n: member.level.points }),
    );
    if (member.email) {
      const mail = document.createElement("a");
      mail.href = `mailto:${member.email}`;
      mail.textContent = member.email;
      fact(facts, _("Adresse électronique"), mail);
    }
    const [ids, me, blocked] = await Promise.all([contactIds(), myId(), blockedIds()]);
    const say = (text) => {
      $("contact-status").textContent = text;
    };
    if (ids && member.id !== me) {
      $("member-contact").replaceChildren(contactToggle(member, ids, say));
      $("member-direct").replaceChildren(directButton(member, say));
      if (blocked) $("member-direct").append(" ", blockToggle(member, blocked, say));
    }
    const skills = $("member-skills");
    skills.replaceChildren(
      ...member.skills.map((s) => {
        const li = document.createElement("li");
        li.textContent = s;
        return li;
      }),
    );
    if (!member.skills.length) skills.replaceWith(Object.assign(document.createElement("p"), { textContent: _("Aucune compétence renseignée.") }));
    const cv = $("member-cv");
    if (member.cv) cv.replaceChildren(renderMarkdown(member.cv));
    else cv.textContent = _("Ce CV n'est pas public.");
    if (member.cv_public) {
      const line = $("member-cv-link");
      const link = document.createElement("a");
      link.href = `/cv/${member.id}/`;
      link.textContent = _("Page publique du CV");
      line.replaceChildren(link);
      line.hidden = false;
    }
  } catch (error) {
    showError($("member-error"), error);
  } finally {
    article.setAttribute("aria-busy", "false");
  }
}

main();
