// « Annonces »: publish an announcement to an audience (now or later) and follow how many
// agents read each one. Everything goes through /api/v1/announcements.
import { get, post } from "./api.js";
import { _, fmt, ngettext } from "./i18n.js";
import { formatFull } from "./format.js";
import { el } from "./messages.js";

const $ = (id) => document.getElementById(id);
const MODERATES = new Set(["owner", "moderator"]);
const form = $("announce-form");
const themes = new Map(); // slug -> name
const kinds = new Map([...$("announce-kind").options].map((o) => [o.value, o.textContent]));

function say(text) {
  const box = $("page-status");
  box.textContent = text;
  box.focus();
}

function showError(error) {
  const box = $("page-error");
  box.textContent = error instanceof Error ? error.message : String(error);
  box.hidden = false;
  box.focus();
}

function audience() {
  return form.elements.audience.value;
}

function showAudience() {
  for (const part of form.querySelectorAll("[data-audience]")) part.hidden = part.dataset.audience !== audience();
}

async function loadRooms(me) {
  const mine = await get("/rooms?mine=true&limit=500");
  const wanted = Number(new URLSearchParams(location.search).get("room"));
  const rooms = mine.filter((r) => r.is_member && (me.is_staff || MODERATES.has(r.role)));
  rooms.sort((a, b) => a.name.localeCompare(b.name, "fr"));
  $("room-choices").replaceChildren(
    ...rooms.map((room) =>
      el(
        "li",
        {},
        el(
          "label",
          {},
          el("input", { type: "checkbox", name: "rooms", value: String(room.id), checked: room.id === wanted }),
          ` ${room.name}`,
        ),
      ),
    ),
  );
  $("rooms-empty").hidden = rooms.length > 0;
}

async function loadThemes() {
  for (const theme of await get("/themes")) themes.set(theme.slug, theme.name);
  $("announce-theme").replaceChildren(...[...themes].map(([slug, name]) => el("option", { value: slug, text: name })));
}

function payload() {
  const body = form.elements.body.value;
  if (!body.trim()) throw new Error(_("Écrivez le texte de l'annonce."));
  const data = { body, pinned_days: Number(form.elements.pinned_days.value) };
  if (!Number.isInteger(data.pinned_days)) throw new Error(_("Indiquez un nombre de jours."));
  const kind = audience();
  if (kind === "rooms") {
    data.rooms = [...form.querySelectorAll('input[name="rooms"]:checked')].map((i) => Number(i.value));
    if (!data.rooms.length) throw new Error(_("Choisissez au moins un salon."));
  } else if (kind === "territory") {
    data.territory = form.elements.territory.value.trim();
    if (!data.territory) throw new Error(_("Indiquez le code INSEE du territoire."));
    if (form.elements.territory_level.value) data.territory_level = form.elements.territory_level.value;
  } else if (kind === "theme") {
    data.theme = form.elements.theme.value;
  } else {
    data.organisation_kind = form.elements.organisation_kind.value;
  }
  const at = form.elements.send_at.value;
  if (at) {
    const when = new Date(at);
    if (Number.isNaN(when.getTime())) throw new Error(_("Date de programmation invalide."));
    data.send_at = when.toISOString(); // with its offset (Z): the server needs one
  }
  return data;
}

function audienceText(item) {
  const target = item.target || {};
  if (item.audience === "territory") return fmt(_("Territoire %(code)s"), { code: target.territory });
  if (item.audience === "theme") return fmt(_("Thème : %(theme)s"), { theme: themes.get(target.theme) || target.theme });
  if (item.audience === "organisation_kind") {
    return fmt(_("Type d'organisation : %(kind)s"), { kind: kinds.get(target.organisation_kind) || target.organisation_kind });
  }
  return _("Salons choisis");
}

function statusText(item) {
  if (item.status === "scheduled") return fmt(_("Programmée pour le %(date)s"), { date: formatFull(new Date(item.send_at)) });
  if (item.status === "cancelled") return _("Annulée");
  if (item.status === "failed") return fmt(_("Non publiée : %(reason)s"), { reason: item.failure });
  return fmt(_("Publiée le %(date)s"), { date: formatFull(new Date(item.sent_at || item.created_at)) });
}

function entry(item) {
  const titleId = `mine-${item.id}`;
  const excerpt = item.body.length > 140 ? `${item.body.slice(0, 140)}…` : item.body;
  const cancel =
    item.status === "scheduled"
      ? el("button", {
          type: "button",
          class: "secondary",
          "data-cancel": String(item.id),
          "aria-label": fmt(_("Annuler la publication de « %(text)s »"), { text: excerpt.slice(0, 60) }),
          text: _("Annuler la publication"),
        })
      : null;
  return el(
    "li",
    {},
    el(
      "article",
      { "aria-labelledby": titleId, "data-announcement": String(item.id) },
      el("h3", { id: titleId, text: excerpt }),
      el("p", { class: `status-${item.status}`, text: statusText(item) }),
      el("p", {
        text: `${audienceText(item)} · ${ngettext("%(count)s salon", "%(count)s salons", item.rooms.length)}`,
      }),
      item.status === "sent"
        ? el("p", {
            class: "reads",
            text: ngettext("Lu par %(count)s agent", "Lu par %(count)s agents", item.read_by),
          })
        : null,
      cancel,
    ),
  );
}

async function refresh() {
  const items = await get("/announcements");
  $("mine-list").replaceChildren(...items.map(entry));
  $("mine-empty").hidden = items.length > 0;
}

form.addEventListener("change", (event) => {
  if (event.target.name === "audience") showAudience();
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  $("page-error").hidden = true;
  const button = form.querySelector('button[type="submit"]');
  let data;
  try {
    data = payload();
  } catch (error) {
    showError(error);
    return;
  }
  button.disabled = true;
  try {
    const sent = await post("/announcements", data);
    form.elements.body.value = "";
    form.elements.send_at.value = "";
    await refresh();
    if (sent.status === "scheduled") {
      say(fmt(_("Annonce programmée pour le %(date)s."), { date: formatFull(new Date(sent.send_at)) }));
    } else {
      say(ngettext("Annonce publiée dans %(count)s salon.", "Annonce publiée dans %(count)s salons.", sent.rooms.length));
    }
  } catch (error) {
    showError(error);
  } finally {
    button.disabled = false;
  }
});

$("mine-list").addEventListener("click", async (event) => {
  const button = event.target.closest("button[data-cancel]");
  if (!button) return;
  $("page-error").hidden = true;
  try {
    await post(`/announcements/${button.dataset.cancel}/cancel`);
    await refresh();
    say(_("Publication programmée annulée."));
  } catch (error) {
    showError(error);
  }
});

$("refresh-button").addEventListener("click", () => {
  refresh()
    .then(() => say(_("Compteurs de lecture à jour.")))
    .catch(showError);
});

async function boot() {
  const me = await get("/me");
  showAudience();
  await Promise.all([loadRooms(me), loadThemes(), refresh()]);
}

boot()
  .catch(showError)
  .finally(() => {
    document.body.dataset.ready = "true";
  });
