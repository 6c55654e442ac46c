// Mes contacts (/contacts/): one's contacts with their presence, a filter, removal.
// Presence is read from the REST API when the page opens, then every 30 seconds while the
// page is shown (presence frames only reach sockets that share a room with the person).
import { api, get, showError } from "./api.js";
import { _, fmt, ngettext } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const REFRESH_MS = 30_000;
const STATUS_LABELS = {
  online: () => _("En ligne"),
  away: () => _("Absent"),
  dnd: () => _("Ne pas déranger"),
  offline: () => _("Hors ligne"),
};
let contacts = [];

function cell(text) {
  const td = document.createElement("td");
  if (text instanceof Node) td.append(text);
  else td.textContent = text || "";
  return td;
}

function presence(status) {
  const span = document.createElement("span");
  span.className = `presence status-${status}`;
  span.dataset.status = status;
  const dot = document.createElement("span");
  dot.className = "dot";
  dot.setAttribute("aria-hidden", "true");
  span.append(dot, (STATUS_LABELS[status] || STATUS_LABELS.offline)());
  return span;
}

function matches(contact, q) {
  if (!q) return true;
  const hay = `${contact.name} ${contact.organisation || ""}`.toLocaleLowerCase("fr");
  return hay.includes(q.toLocaleLowerCase("fr"));
}

function row(contact) {
  const tr = document.createElement("tr");
  tr.dataset.user = String(contact.id);
  const name = document.createElement("th");
  name.scope = "row";
  const link = document.createElement("a");
  link.href = `/members/${contact.id}/`;
  link.textContent = contact.name;
  name.append(link);
  const remove = document.createElement("button");
  remove.type = "button";
  remove.textContent = _("Retirer des contacts");
  remove.setAttribute("aria-label", fmt(_("Retirer des contacts : %(name)s"), { name: contact.name }));
  remove.addEventListener("click", async () => {
    try {
      await api("DELETE", `/contacts/${contact.id}`);
      contacts = contacts.filter((c) => c.id !== contact.id);
      render(fmt(_("%(name)s a été retiré·e de vos contacts."), { name: contact.name }));
      $("contact-q").focus();
    } catch (error) {
      showError($("contacts-error"), error);
    }
  });
  tr.append(name, cell(presence(contact.status)), cell(contact.organisation), cell(contact.job_title), cell(remove));
  return tr;
}

function render(prefix) {
  const q = $("contact-q").value.trim();
  const shown = contacts.filter((c) => matches(c, q));
  $("contacts-body").replaceChildren(...shown.map(row));
  $("contacts-table").hidden = shown.length === 0;
  let text;
  if (!contacts.length) text = _("Vous n'avez encore aucun contact.");
  else if (!shown.length) text = _("Aucun contact ne correspond à ce filtre.");
  else {
    const online = shown.filter((c) => c.status !== "offline").length;
    text = ngettext("%(n)s contact, dont %(online)s en ligne.", "%(n)s contacts, dont %(online)s en ligne.", shown.length, {
      n: shown.length,
      online,
    });
  }
  $("contacts-status").textContent = prefix ? `${prefix} ${text}` : text;
}

async function load() {
  try {
    contacts = await get("/contacts");
    $("contacts-error").hidden = true;
    render();
  } catch (error) {
    showError($("contacts-error"), error);
  }
}

function main() {
  const form = $("contact-filter");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    render();
  });
  $("contact-q").addEventListener("input", () => render());
  $("contact-refresh").addEventListener("click", () => load());
  setInterval(() => {
    if (document.visibilityState === "visible") load();
  }, REFRESH_MS);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") load();
  });
  load().finally(() => {
    document.body.dataset.ready = "true";
  });
}

main();
