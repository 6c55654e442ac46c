// The account page's list of blocked people, each with « Débloquer ».
import { api, get, showError } from "./api.js";
import { _, fmt } from "./i18n.js";

const $ = (id) => document.getElementById(id);

function row(person) {
  const li = document.createElement("li");
  const name = document.createElement("a");
  name.href = `/members/${person.id}/`;
  name.textContent = person.name;
  li.append(name);
  if (person.organisation) li.append(` — ${person.organisation}`);
  const button = document.createElement("button");
  button.type = "button";
  button.className = "secondary";
  button.textContent = _("Débloquer");
  button.setAttribute("aria-label", fmt(_("Débloquer %(name)s"), { name: person.name }));
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await api("DELETE", `/blocks/${person.id}`);
      // The page's one status line (role="status") says it.
      $("security-status").textContent = fmt(_("%(name)s est débloqué·e."), { name: person.name });
      await load();
      $("blocks-title").focus();
    } catch (error) {
      showError($("blocks-error"), error);
      button.disabled = false;
    }
  });
  li.append(" ", button);
  return li;
}

async function load() {
  const people = await get("/blocks");
  const list = $("block-list");
  list.replaceChildren(...people.map(row));
  $("blocks-empty").hidden = people.length > 0;
}

if ($("blocks")) load().catch((error) => showError($("blocks-error"), error));
