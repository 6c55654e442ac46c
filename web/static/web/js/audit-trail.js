// A room's audit trail, for its moderators (and staff): who did what, when, to which message or
// member, with filters (action, actor, period) and pages of 25. The server decides who may read
// it (GET /audit?room=…); the « Journal » button only shows for the room's moderators.
import { get } from "./api.js";
import { _, fmt, lang } from "./i18n.js";
import { el } from "./messages.js";

const $ = (id) => document.getElementById(id);
const PAGE = 25;

const locale = lang.startsWith("en") ? "en-GB" : "fr-FR";
const whenFmt = new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "short" });

// The actions a room's trail may hold, with their labels (any other shows as its code).
function actionLabels() {
  return {
    "message.hidden": _("Message masqué"),
    "message.moved": _("Message déplacé"),
    "message.pinned": _("Message épinglé"),
    "message.unpinned": _("Message désépinglé"),
    "member.muted": _("Membre mis en sourdine"),
    "member.unmuted": _("Sourdine levée"),
    "member.removed": _("Membre retiré"),
    "member.banned": _("Membre exclu"),
    "member.unbanned": _("Exclusion levée"),
    "member.role_changed": _("Rôle modifié"),
    "member.joined": _("Arrivée dans le salon"),
    "member.left": _("Départ du salon"),
    "member.invited": _("Invitation"),
    "member.referent_granted": _("Animateur référent nommé"),
    "member.referent_withdrawn": _("Animateur référent retiré"),
    "report.created": _("Signalement"),
    "report.resolved": _("Signalement traité"),
    "report.dismissed": _("Signalement rejeté"),
    "room.created": _("Salon créé"),
    "room.archived": _("Salon archivé"),
    "room.policy": _("Règles de publication"),
    "bot.granted": _("Robot admis"),
    "bot.grant_changed": _("Droits d'un robot modifiés"),
    "bot.grant_withdrawn": _("Robot retiré"),
    "hook.created": _("Webhook entrant créé"),
  };
}

const state = { roomId: null, cursors: [], next: null, members: [] };

function field(id, label, control) {
  return el("div", { class: "field" }, el("label", { for: id, text: label }), control);
}

export function setupAuditTrail(actions) {
  const button = el("button", {
    type: "button",
    id: "audit-button",
    class: "secondary",
    hidden: true,
    text: _("Journal"),
  });
  button.addEventListener("click", openTrail);
  actions.append(button);

  const labels = actionLabels();
  const filters = el(
    "form",
    { id: "audit-filters", class: "audit-filters", novalidate: true, "aria-label": _("Filtres du journal") },
    field(
      "audit-action",
      _("Action"),
      el(
        "select",
        { id: "audit-action", name: "action" },
        el("option", { value: "", text: _("Toutes les actions") }),
        ...Object.entries(labels).map(([value, label]) => el("option", { value, text: label })),
      ),
    ),
    field(
      "audit-actor",
      _("Auteur"),
      el("select", { id: "audit-actor", name: "actor" }, el("option", { value: "", text: _("Tout le monde") })),
    ),
    field("audit-since", _("Du"), el("input", { id: "audit-since", name: "since", type: "date" })),
    field("audit-until", _("Au"), el("input", { id: "audit-until", name: "until", type: "date" })),
    el("button", { type: "submit", text: _("Filtrer") }),
  );
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    state.cursors = [];
    load(null);
  });

  const head = el(
    "tr",
    {},
    ...[_("Date"), _("Auteur"), _("Action"), _("Cible"), _("Motif")].map((text) => el("th", { scope: "col", text })),
  );
  const table = el(
    "table",
    { id: "audit-table", class: "audit-table" },
    el("caption", { id: "audit-caption", text: _("Journal d'audit du salon") }),
    el("thead", {}, head),
    el("tbody", { id: "audit-rows" }),
  );
  const pager = el(
    "div",
    { class: "dialog-actions audit-pager" },
    el("button", { type: "button", id: "audit-newer", class: "secondary", disabled: true, text: _("Entrées plus récentes") }),
    el("button", { type: "button", id: "audit-older", class: "secondary", disabled: true, text: _("Entrées plus anciennes") }),
  );
  const dialog = el(
    "dialog",
    { id: "audit-dialog", class: "audit-dialog", "aria-labelledby": "audit-title" },
    el(
      "div",
      { class: "stack" },
      el("h2", { id: "audit-title", text: _("Journal d'audit") }),
      el("p", {
        class: "hint",
        text: _("Les actions de modération, d'adhésion et de rôle dans ce salon. Le contenu des messages n'y figure jamais."),
      }),
      filters,
      el("p", { id: "audit-status", role: "status", "aria-live": "polite" }),
      el("div", { class: "audit-scroll", tabindex: "0", role: "region", "aria-labelledby": "audit-caption" }, table),
      pager,
      el(
        "div",
        { class: "dialog-actions" },
        el("button", { type: "button", class: "secondary", "data-close": true, text: _("Fermer") }),
      ),
    ),
  );
  dialog.addEventListener("click", (event) => {
    if (event.target.closest("[data-close]")) dialog.close();
  });
  document.body.append(dialog);
  $("audit-older").addEventListener("click", () => {
    if (state.next === null) return;
    state.cursors.push(state.current);
    load(state.next);
  });
  $("audit-newer").addEventListener("click", () => {
    if (!state.cursors.length) return;
    load(state.cursors.pop());
  });
}

/** Show or hide the « Journal » button for the room being displayed. */
export function auditTrailFor(roomId, moderator) {
  const button = $("audit-button");
  if (button) button.hidden = !moderator;
  if (state.roomId !== roomId) {
    state.roomId = roomId;
    state.cursors = [];
  }
  if (!moderator && $("audit-dialog")?.open) $("audit-dialog").close();
}

async function openTrail() {
  const form = $("audit-filters");
  form.reset();
  state.cursors = [];
  $("audit-rows").replaceChildren();
  $("audit-dialog").showModal();
  await fillActors();
  await load(null);
}

async function fillActors() {
  const select = $("audit-actor");
  select.replaceChildren(el("option", { value: "", text: _("Tout le monde") }));
  try {
    const members = await get(`/rooms/${state.roomId}/members`);
    const people = members
      .filter((m) => !m.user.is_bot)
      .map((m) => m.user)
      .sort((a, b) => a.name.localeCompare(b.name, "fr"));
    select.append(...people.map((u) => el("option", { value: String(u.id), text: u.name })));
  } catch (_err) {
    // Without the member list, the other filters still work.
  }
}

function query(before) {
  const params = new URLSearchParams({ room: String(state.roomId), limit: String(PAGE + 1) });
  for (const name of ["action", "actor", "since", "until"]) {
    const value = $(`audit-${name}`).value;
    if (value) params.set(name, value);
  }
  if (before) params.set("before", String(before));
  return params.toString();
}

async function load(before) {
  const status = $("audit-status");
  status.textContent = _("Chargement…");
  let entries;
  try {
    entries = await get(`/audit?${query(before)}`);
  } catch (error) {
    status.textContent = error.message;
    $("audit-rows").replaceChildren();
    $("audit-older").disabled = true;
    return;
  }
  state.current = before;
  const more = entries.length > PAGE;
  const page = entries.slice(0, PAGE);
  state.next = more ? page[page.length - 1].id : null;
  $("audit-rows").replaceChildren(...page.map(row));
  $("audit-older").disabled = !more;
  $("audit-newer").disabled = state.cursors.length === 0;
  status.textContent = page.length
    ? fmt(_("%(n)s entrée(s) affichée(s), page %(page)s."), { n: page.length, page: state.cursors.length + 1 })
    : _("Aucune entrée ne correspond à ces filtres.");
}

function targetText(entry) {
  const ref = entry.target_ref || {};
  if (ref.kind === "user" && ref.user) return fmt(_("Membre : %(name)s"), { name: ref.user.name });
  if (ref.kind === "user") return fmt(_("Membre n° %(id)s"), { id: ref.id });
  if (ref.kind === "message") return fmt(_("Message n° %(id)s"), { id: ref.id });
  if (ref.kind === "report") return fmt(_("Signalement n° %(id)s"), { id: ref.id });
  if (ref.kind === "room") return _("Le salon");
  return entry.target || "—";
}

function row(entry) {
  const labels = actionLabels();
  const when = entry.created_at ? new Date(entry.created_at) : null;
  return el(
    "tr",
    { "data-entry": String(entry.id), "data-action": entry.action },
    el("td", {}, when ? el("time", { datetime: entry.created_at, text: whenFmt.format(when) }) : "—"),
    el("td", { text: entry.actor ? entry.actor.name : _("(système)") }),
    el("td", { text: labels[entry.action] || entry.action }),
    el("td", { text: targetText(entry) }),
    el("td", { text: entry.reason || "—" }),
  );
}
