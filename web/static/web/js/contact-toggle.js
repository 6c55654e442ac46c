// The "Ajouter aux contacts" / "Retirer des contacts" button of the directory and profiles.
import { api, get } from "./api.js";
import { _, fmt } from "./i18n.js";
import { memberToggle } from "./member-toggle.js";

let contactsPromise = null;
let mePromise = null;

/** The ids of one's contacts (one request per page); null if they cannot be read, and the
 * page then shows no toggle rather than failing. */
export function contactIds() {
  contactsPromise ??= get("/contacts")
    .then((rows) => new Set(rows.map((r) => r.id)))
    .catch(() => null);
  return contactsPromise;
}

export function myId() {
  mePromise ??= get("/me")
    .then((me) => me.id)
    .catch(() => null);
  return mePromise;
}

function label(button, name, inContacts) {
  button.textContent = inContacts ? _("Retirer des contacts") : _("Ajouter aux contacts");
  button.setAttribute(
    "aria-label",
    inContacts ? fmt(_("Retirer des contacts : %(name)s"), { name }) : fmt(_("Ajouter aux contacts : %(name)s"), { name }),
  );
  button.dataset.contact = inContacts ? "true" : "false";
}

/** A toggle button for one member; ``announce(text)`` reports the outcome (aria-live). */
export function contactToggle(member, ids, announce) {
  return memberToggle({
    member,
    ids,
    className: "contact-toggle",
    label,
    turnOn: () => api("PUT", `/contacts/${member.id}`),
    turnOff: () => api("DELETE", `/contacts/${member.id}`),
    said: (adding) =>
      adding
        ? fmt(_("%(name)s a été ajouté·e à vos contacts."), { name: member.name })
        : fmt(_("%(name)s a été retiré·e de vos contacts."), { name: member.name }),
    announce,
  });
}
