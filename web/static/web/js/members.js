// The member directory (/members/): search with filters, and the members-by-territory view.
import { get, showError } from "./api.js";
import { contactIds, contactToggle, myId } from "./contact-toggle.js";
import { directButton } from "./direct.js";
import { _, fmt, ngettext } from "./i18n.js";
import { levelBadge } from "./levels.js";
import { drawMap } from "./territory-map.js";

const $ = (id) => document.getElementById(id);
const FIELDS = ["q", "territory", "job", "skill", "organisation"];

function node(tag, text, cls) {
  const el = document.createElement(tag);
  if (text !== undefined && text !== null) el.textContent = text;
  if (cls) el.className = cls;
  return el;
}

function place(territory) {
  if (!territory) return "";
  const parts = [];
  if (territory.commune) parts.push(territory.commune.name);
  if (territory.departement) parts.push(`${territory.departement.name} (${territory.departement.code})`);
  if (territory.region) parts.push(territory.region.name);
  return parts.join(", ");
}

const announce = (text) => {
  $("contact-status").textContent = text;
};

function card(member, ids, me) {
  const li = document.createElement("li");
  const head = node("p");
  const link = node("a", member.name);
  link.href = `/members/${member.id}/`;
  head.append(link, " ");
  const badge = levelBadge({ id: member.id, level: member.level.level });
  if (badge) head.append(badge);
  li.append(head);
  const meta = [member.job_title, member.organisation, place(member.territory)].filter(Boolean).join(" · ");
  if (meta) li.append(node("p", meta, "member-meta"));
  if (member.skills.length) {
    const skills = node("ul", null, "skills");
    skills.setAttribute("aria-label", _("Compétences"));
    for (const skill of member.skills) skills.append(node("li", skill));
    li.append(skills);
  }
  if (member.email) {
    const mail = node("a", member.email);
    mail.href = `mailto:${member.email}`;
    const line = node("p", null, "member-meta");
    line.append(mail);
    li.append(line);
  }
  if (ids && member.id !== me) li.append(contactToggle(member, ids, announce), " ", directButton(member, announce));
  return li;
}

async function search(form) {
  const params = new URLSearchParams();
  for (const name of FIELDS) {
    const value = form.elements[name].value.trim();
    if (value) params.set(name, value);
  }
  const errorBox = $("search-error");
  errorBox.hidden = true;
  history.replaceState(null, "", params.toString() ? `?${params}` : location.pathname);
  try {
    const [found, ids, me] = await Promise.all([get(`/members?${params}`), contactIds(), myId()]);
    $("results").replaceChildren(...found.map((member) => card(member, ids, me)));
    $("results-count").textContent = found.length
      ? ngettext("%(n)s membre trouvé.", "%(n)s membres trouvés.", found.length, { n: found.length })
      : _("Aucun membre ne correspond à cette recherche.");
  } catch (error) {
    showError(errorBox, error);
  }
}

function territoryList(regions, onPick) {
  const top = document.createElement("ul");
  for (const region of regions) {
    const li = node("li");
    li.append(node("h3", fmt(_("%(name)s — %(n)s"), { name: region.name, n: region.count })));
    const deps = document.createElement("ul");
    for (const dep of region.departements) {
      const depItem = node("li");
      depItem.append(node("h4", fmt(_("%(name)s (%(code)s) — %(n)s"), { name: dep.name, code: dep.code, n: dep.count })));
      const communes = document.createElement("ul");
      for (const commune of dep.communes) {
        const item = node("li");
        const pick = node("button", fmt(_("%(name)s (%(n)s)"), { name: commune.name, n: commune.count }), "link-button");
        pick.type = "button";
        pick.dataset.code = commune.code;
        pick.setAttribute("aria-label", ngettext("Voir le membre de %(name)s", "Voir les %(n)s membres de %(name)s", commune.count, {
            name: commune.name,
            n: commune.count,
          }));
        pick.addEventListener("click", () => onPick(commune.code));
        item.append(pick);
        communes.append(item);
      }
      depItem.append(communes);
      deps.append(depItem);
    }
    li.append(deps);
    top.append(li);
  }
  if (!regions.length) return node("p", _("Aucun membre n'a encore de commune connue."));
  return top;
}

async function territories(form) {
  const onPick = (code) => {
    for (const name of FIELDS) form.elements[name].value = "";
    form.elements.territory.value = code;
    search(form).then(() => $("results-title").scrollIntoView());
    $("search-territory").focus();
  };
  const regions = await get("/members/territories");
  $("territory-list").replaceChildren(territoryList(regions, onPick));
  const counts = new Map();
  for (const region of regions) for (const dep of region.departements) counts.set(dep.code, dep);
  await drawMap($("territory-map"), counts, onPick);
}

function main() {
  const form = $("member-search");
  const params = new URLSearchParams(location.search);
  for (const name of FIELDS) if (params.has(name)) form.elements[name].value = params.get(name);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    search(form);
  });
  search(form);
  territories(form).catch((error) => showError($("search-error"), error));
}

main();
