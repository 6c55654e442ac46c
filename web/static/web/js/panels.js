// The room directory and the dialogs: create a room, invite, leave, keyboard shortcuts.
import { get, post, showError } from "./api.js";
import { _, fmt, ngettext } from "./i18n.js";
import { el } from "./messages.js";

const $ = (id) => document.getElementById(id);
let ctx = null;
let themes = [];
let territories = [];
let searchTimer = null;
let searchSeq = 0;

const KIND_LABELS = {
  thematic: () => _("Thématique"),
  geographic: () => _("Territoire"),
  private: () => _("Privé"),
};
const ACCESS_LABELS = {
  open: () => _("ouvert à tous les agents"),
  organisation: () => _("réservé à une organisation"),
  invite: () => _("sur invitation"),
};

export function setupPanels(context) {
  ctx = context;
  loadReferences();
  $("directory-button").addEventListener("click", () => ctx.goDirectory());
  const form = $("directory-form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(searchTimer);
    search();
  });
  form.addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(search, 250);
  });
  // The filters search when chosen; the text field already did while typing. (A text field also
  // fires "change" when left: searching again then would redraw the results under the focus of
  // someone tabbing into them.)
  form.addEventListener("change", (event) => {
    if (event.target instanceof HTMLSelectElement) search();
  });
  $("directory-results").addEventListener("click", onDirectoryClick);

  for (const dialog of document.querySelectorAll("dialog")) {
    dialog.addEventListener("click", (event) => {
      if (event.target.closest("[data-close]")) dialog.close();
    });
  }
  $("shortcuts-button").addEventListener("click", () => $("shortcuts-dialog").showModal());
  setupCreate();
  setupInvite();
  setupLeave();
}

async function loadReferences() {
  try {
    [themes, territories] = await Promise.all([get("/themes"), get("/territories?limit=500")]);
  } catch (_err) {
    return;
  }
  const themeOptions = () => themes.map((t) => el("option", { value: t.slug, text: t.name }));
  const levelLabel = { region: _("région"), departement: _("département"), commune: _("commune") };
  const territoryOption = (t, value) =>
    el("option", { value, text: `${t.name} (${levelLabel[t.level] || t.level} ${t.insee_code})` });
  $("directory-theme").append(...themeOptions());
  $("directory-territory").append(...territories.map((t) => territoryOption(t, t.insee_code)));
  $("create-theme").replaceChildren(...themeOptions());
  $("create-territory").replaceChildren(
    ...territories.map((t) => territoryOption(t, `${t.level}:${t.insee_code}`)),
  );
}

export function showDirectory() {
  search();
}

async function search() {
  const form = $("directory-form");
  const params = new URLSearchParams();
  for (const [key, value] of new FormData(form)) if (value) params.set(key, value.trim());
  params.set("limit", "200");
  const mySeq = ++searchSeq;
  let rooms;
  try {
    rooms = await get(`/rooms?${params}`);
  } catch (error) {
    $("directory-count").textContent = error.message;
    return;
  }
  if (mySeq !== searchSeq) return;
  $("directory-count").textContent = ngettext("%(count)s salon trouvé", "%(count)s salons trouvés", rooms.length);
  $("directory-results").replaceChildren(...rooms.map(directoryItem));
}

function directoryItem(room) {
  const details = [KIND_LABELS[room.kind](), ACCESS_LABELS[room.access]()];
  if (room.theme) details.push(room.theme.name);
  if (room.territory) details.push(`${room.territory.name} (${room.territory.insee_code})`);
  if (room.organisation) details.push(room.organisation.name);
  if (room.member_count != null) details.push(ngettext("%(count)s membre", "%(count)s membres", room.member_count));
  let action;
  if (room.is_member) {
    action = el("a", { class: "button secondary", href: `#/room/${room.id}`, text: _("Ouvrir") });
  } else {
    const label = room.invited ? _("Accepter l'invitation") : _("Rejoindre");
    action = el("button", {
      type: "button",
      "data-join": String(room.id),
      "aria-label": `${label} : ${room.name}`,
      text: label,
    });
  }
  return el(
    "li",
    { class: "directory-item", "data-room": String(room.id) },
    el(
      "div",
      {},
      el("h2", { class: "directory-name", text: room.name }),
      room.description ? el("p", { class: "directory-description", text: room.description }) : null,
      el("p", { class: "directory-details", text: details.join(" · ") }),
    ),
    action,
  );
}

async function onDirectoryClick(event) {
  const button = event.target.closest("button[data-join]");
  if (!button) return;
  button.disabled = true;
  try {
    const room = await post(`/rooms/${button.dataset.join}/join`);
    ctx.onJoined(room);
  } catch (error) {
    $("directory-count").textContent = error.message;
    button.disabled = false;
  }
}

function setupCreate() {
  const dialog = $("create-dialog");
  const form = $("create-form");
  const sync = () => {
    const kind = form.elements.kind.value;
    $("create-theme-field").hidden = kind !== "thematic";
    $("create-territory-field").hidden = kind !== "geographic";
    $("create-access-field").hidden = kind === "private";
  };
  form.addEventListener("change", sync);
  $("create-button").addEventListener("click", () => {
    form.reset();
    $("create-error").hidden = true;
    sync();
    dialog.showModal();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = Object.fromEntries(new FormData(form));
    const payload = {
      name: (data.name || "").trim(),
      description: (data.description || "").trim(),
      kind: data.kind,
      access: data.kind === "private" ? "invite" : data.access,
    };
    if (!payload.name) {
      showError($("create-error"), _("Le nom du salon est obligatoire."));
      return;
    }
    if (data.kind === "thematic") payload.theme = data.theme;
    if (data.kind === "geographic" && data.territory) {
      const [level, code] = data.territory.split(":");
      payload.territory = code;
      payload.territory_level = level;
    }
    try {
      const room = await post("/rooms", payload);
      dialog.close();
      ctx.onJoined(room);
    } catch (error) {
      showError($("create-error"), error);
    }
  });
}

function setupInvite() {
  const dialog = $("invite-dialog");
  const form = $("invite-form");
  $("invite-button").addEventListener("click", () => {
    form.reset();
    $("invite-error").hidden = true;
    $("invite-done").textContent = "";
    dialog.showModal();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const room = ctx.currentRoom();
    const email = form.elements.email.value.trim();
    $("invite-error").hidden = true;
    if (!room || !email) return;
    try {
      await post(`/rooms/${room.id}/invite`, { email });
      $("invite-done").textContent = fmt(_("Invitation envoyée à %(email)s."), { email });
      form.elements.email.value = "";
      form.elements.email.focus();
    } catch (error) {
      showError($("invite-error"), error);
    }
  });
}

function setupLeave() {
  const dialog = $("leave-dialog");
  const form = $("leave-form");
  $("leave-button").addEventListener("click", () => {
    const room = ctx.currentRoom();
    if (!room) return;
    $("leave-error").hidden = true;
    $("leave-text").textContent = fmt(_("Vous ne recevrez plus les messages de « %(room)s »."), { room: room.room.name });
    dialog.showModal();
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const room = ctx.currentRoom();
    if (!room) return dialog.close();
    try {
      await post(`/rooms/${room.id}/leave`);
      dialog.close();
      ctx.onLeft(room.id);
    } catch (error) {
      showError($("leave-error"), error);
    }
  });
}
