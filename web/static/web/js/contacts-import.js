// Contact import (/contacts/import/): paste a list or drop a CSV / vCard file, see one outcome
// per address, add the agents found, invite colleagues who have no account yet.
import { api, ApiError, post, showError, upload } from "./api.js";
import { _, fmt, ngettext } from "./i18n.js";

const $ = (id) => document.getElementById(id);
let matched = [];

const OUTCOMES = {
  matched: () => _("Agent inscrit"),
  invitable: () => _("Sans compte, organisation inscrite"),
  outside: () => _("Hors des organisations inscrites"),
  invalid: () => _("Adresse invalide"),
  self: () => _("Votre propre adresse"),
};

function say(text) {
  $("import-status").textContent = text;
}

function addButton(user) {
  const button = document.createElement("button");
  button.type = "button";
  const done = () => {
    button.textContent = _("Dans vos contacts");
    button.disabled = true;
  };
  button.textContent = _("Ajouter aux contacts");
  button.setAttribute("aria-label", fmt(_("Ajouter aux contacts : %(name)s"), { name: user.name }));
  if (user.contact) done();
  button.addEventListener("click", async () => {
    try {
      await api("PUT", `/contacts/${user.id}`);
      user.contact = true;
      done();
      say(fmt(_("%(name)s a été ajouté·e à vos contacts."), { name: user.name }));
      refreshAddAll();
    } catch (error) {
      showError($("import-error"), error);
    }
  });
  button.dataset.user = String(user.id);
  return button;
}

function inviteButton(email) {
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = _("Inviter");
  button.setAttribute("aria-label", fmt(_("Inviter %(email)s"), { email }));
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      await post("/contact-invitations", { email });
      button.textContent = _("Invitation envoyée");
      button.removeAttribute("aria-label");
      say(fmt(_("Invitation envoyée à %(email)s."), { email }));
    } catch (error) {
      button.disabled = error instanceof ApiError && error.code === "conflict";
      showError($("import-error"), error);
    }
  });
  return button;
}

function detail(result) {
  switch (result.outcome) {
    case "matched":
      return [result.user.name, result.user.job_title, result.user.organisation].filter(Boolean).join(" · ");
    case "invitable":
      return fmt(_("Domaine de %(org)s : vous pouvez l'inviter."), { org: result.organisation });
    case "outside":
      return _("Domaine inconnu de Préau : rien n'est conservé de cette adresse.");
    case "invalid":
      return _("Ce n'est pas une adresse électronique.");
    default:
      return _("Vous ne pouvez pas vous ajouter à vos contacts.");
  }
}

function row(result) {
  const tr = document.createElement("tr");
  tr.dataset.outcome = result.outcome;
  const address = document.createElement("th");
  address.scope = "row";
  address.textContent = result.email;
  const outcome = document.createElement("td");
  const badge = document.createElement("span");
  badge.className = `outcome outcome-${result.outcome}`;
  badge.textContent = OUTCOMES[result.outcome]();
  outcome.append(badge);
  const info = document.createElement("td");
  info.textContent = detail(result);
  const action = document.createElement("td");
  if (result.outcome === "matched") action.append(addButton(result.user));
  if (result.outcome === "invitable") action.append(inviteButton(result.email));
  tr.append(address, outcome, info, action);
  return tr;
}

function refreshAddAll() {
  $("import-add-all").hidden = !matched.some((u) => !u.contact);
}

function show(report) {
  $("import-error").hidden = true;
  matched = report.results.filter((r) => r.outcome === "matched").map((r) => r.user);
  $("import-body").replaceChildren(...report.results.map(row));
  $("import-table").hidden = report.results.length === 0;
  refreshAddAll();
  const c = report.counts;
  const parts = [
    [c.matched, ngettext("%(n)s agent inscrit", "%(n)s agents inscrits", c.matched, { n: c.matched })],
    [c.invitable, ngettext("%(n)s personne à inviter", "%(n)s personnes à inviter", c.invitable, { n: c.invitable })],
    [
      c.outside,
      ngettext("%(n)s adresse hors des organisations inscrites", "%(n)s adresses hors des organisations inscrites", c.outside, {
        n: c.outside,
      }),
    ],
    [c.invalid, ngettext("%(n)s adresse invalide", "%(n)s adresses invalides", c.invalid, { n: c.invalid })],
    [c.self, _("votre propre adresse")],
  ]
    .filter(([n]) => n > 0)
    .map(([, text]) => text);
  let text = parts.length
    ? fmt(_("Analyse terminée : %(parts)s."), { parts: parts.join(", ") })
    : _("Analyse terminée : aucune adresse trouvée.");
  if (report.duplicates) text += " " + ngettext("%(n)s doublon ignoré.", "%(n)s doublons ignorés.", report.duplicates, { n: report.duplicates });
  say(text);
}

async function run(task) {
  say(_("Analyse en cours…"));
  try {
    show(await task());
  } catch (error) {
    say("");
    showError($("import-error"), error);
  }
}

function main() {
  $("import-text").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("import-addresses").value;
    if (!text.trim()) {
      showError($("import-error"), _("Collez au moins une adresse."));
      return;
    }
    run(() => post("/contact-import", { text }));
  });
  $("import-file").addEventListener("submit", (event) => {
    event.preventDefault();
    const input = $("import-upload");
    const file = input.files[0];
    if (!file) {
      showError($("import-error"), _("Choisissez un fichier."));
      return;
    }
    if (file.size > Number(input.dataset.maxBytes)) {
      showError($("import-error"), _("Ce fichier est trop volumineux ; il n'a pas été envoyé."));
      return;
    }
    run(() => upload("/contact-import/file", file));
  });
  $("import-add-all").addEventListener("click", async () => {
    const todo = matched.filter((u) => !u.contact);
    try {
      for (const user of todo) {
        await api("PUT", `/contacts/${user.id}`);
        user.contact = true;
        const button = document.querySelector(`#import-body button[data-user="${user.id}"]`);
        if (button) {
          button.textContent = _("Dans vos contacts");
          button.disabled = true;
        }
      }
      say(ngettext("%(n)s agent ajouté à vos contacts.", "%(n)s agents ajoutés à vos contacts.", todo.length, { n: todo.length }));
    } catch (error) {
      showError($("import-error"), error);
    }
    refreshAddAll();
  });
  document.body.dataset.ready = "true";
}

main();
