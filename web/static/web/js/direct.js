// Direct messages and blocks, shared by the main screen, the directory, profiles and the
// account page: « Message direct » buttons, the block toggle and opening a conversation.
import { api, get, post } from "./api.js";
import { _, fmt } from "./i18n.js";
import { memberToggle } from "./member-toggle.js";

export const OTHERS_MAX = 7;

/** Open (or find again) the conversation with these people; resolves to it. */
export function openDirect(userIds) {
  return post("/direct", { user_ids: userIds });
}

/** Where a conversation opens: the main screen, at its room. */
export function directUrl(conversation) {
  return `/#/room/${conversation.id}`;
}

/** A « Message direct » button for one member, for pages other than the main screen. */
export function directButton(member, announce) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "direct-button secondary";
  button.textContent = _("Message direct");
  button.setAttribute("aria-label", fmt(_("Envoyer un message direct à %(name)s"), { name: member.name }));
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const conversation = await openDirect([member.id]);
      location.assign(directUrl(conversation));
    } catch (error) {
      announce(error.message);
      button.disabled = false;
      button.focus();
    }
  });
  return button;
}

let blocksPromise = null;

/** The ids of the people one blocked (one request per page); null if they cannot be read. */
export function blockedIds() {
  blocksPromise ??= get("/blocks")
    .then((rows) => new Set(rows.map((r) => r.id)))
    .catch(() => null);
  return blocksPromise;
}

function blockLabel(button, name, blocked) {
  button.textContent = blocked ? _("Débloquer") : _("Bloquer");
  button.setAttribute("aria-label", blocked ? fmt(_("Débloquer %(name)s"), { name }) : fmt(_("Bloquer %(name)s"), { name }));
  button.setAttribute("aria-pressed", blocked ? "true" : "false");
}

/** Block or unblock one member; ``announce(text)`` reports the outcome (aria-live). */
export function blockToggle(member, ids, announce) {
  return memberToggle({
    member,
    ids,
    className: "block-toggle secondary",
    label: blockLabel,
    turnOn: () => post("/blocks", { user_id: member.id }),
    turnOff: () => api("DELETE", `/blocks/${member.id}`),
    said: (blocking) =>
      blocking
        ? fmt(_("%(name)s est bloqué·e : ses messages directs ne vous parviennent plus. Cette personne n'en est pas avertie."), { name: member.name })
        : fmt(_("%(name)s est débloqué·e."), { name: member.name }),
    announce,
  });
}
