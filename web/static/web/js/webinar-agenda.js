// The agenda: upcoming and live webinars, registration, scheduling (in a room one moderates or
// in a room created for the webinar) and the secret calendar feed link.
import { del, get, post, showError } from "./api.js";
import { formatFull } from "./format.js";
import { _, fmt, ngettext } from "./i18n.js";
import { STATE_LABELS, el, markReady } from "./webinar-core.js";

const list = document.getElementById("agenda-list");
const statusBox = document.getElementById("agenda-status");

function renderItem(w) {
  const title = el("h2", {}, el("a", { href: `/webinaires/${w.id}/`, text: w.title }));
  const meta = el(
    "p",
    { class: "webinar-meta" },
    el("span", { class: "state-badge", "data-state": w.state, text: STATE_LABELS[w.state]() }),
    ` ${formatFull(new Date(w.starts_at))} · ${w.room_name} · `,
    ngettext("%(count)s inscrit", "%(count)s inscrits", w.registrations),
  );
  const item = el("li", { class: "webinar-card", "data-webinar": w.id }, title, meta);
  if (w.description) item.append(el("p", { text: w.description }));
  const toggle = el("button", {
    type: "button",
    class: w.registered ? "secondary" : "",
    "aria-pressed": w.registered ? "true" : "false",
    text: w.registered ? _("Se désinscrire") : _("S'inscrire"),
  });
  toggle.setAttribute("aria-label", `${w.registered ? _("Se désinscrire") : _("S'inscrire")} : ${w.title}`);
  toggle.addEventListener("click", async () => {
    try {
      await (w.registered ? del(`/webinars/${w.id}/registration`) : post(`/webinars/${w.id}/registration`));
      statusBox.textContent = w.registered ? _("Désinscription enregistrée.") : _("Inscription enregistrée.");
      await load();
      const again = list.querySelector(`[data-webinar="${w.id}"] button`);
      if (again) again.focus();
    } catch (err) {
      showError(statusBox, err);
    }
  });
  item.append(toggle);
  if (w.role) item.append(" ", el("a", { class: "button secondary", href: `/webinaires/${w.id}/console/`, text: _("Console d'animation") }));
  return item;
}

async function load() {
  const webinars = await get("/webinars");
  list.replaceChildren(...webinars.map(renderItem));
  if (!webinars.length) list.append(el("li", { text: _("Aucun webinaire à venir.") }));
}

function roomChoice(form) {
  const room = form.namedItem("room").value;
  if (room !== "new") return { room: Number(room) };
  const access = form.namedItem("access").value;
  const newRoom = { access };
  if (access !== "invite") newRoom.theme = form.namedItem("theme").value;
  return { new_room: newRoom };
}

async function setupSchedule() {
  const [mine, themes] = await Promise.all([get("/rooms?mine=true"), get("/themes")]);
  const rooms = mine.filter((r) => r.role === "owner" || r.role === "moderator");
  const select = document.getElementById("schedule-room");
  select.append(...rooms.map((r) => el("option", { value: r.id, text: r.name })));
  document.getElementById("schedule-theme").replaceChildren(...themes.map((t) => el("option", { value: t.slug, text: t.name })));
  const access = document.getElementById("schedule-access");
  const sync = () => {
    const creating = select.value === "new";
    document.getElementById("schedule-new-room").hidden = !creating;
    document.getElementById("schedule-theme-field").hidden = !creating || access.value === "invite";
  };
  select.addEventListener("change", sync);
  access.addEventListener("change", sync);
  if (rooms.length) select.value = String(rooms[0].id);
  sync();
  document.getElementById("schedule").hidden = false;
  document.getElementById("schedule-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const form = event.target.elements;
    const error = document.getElementById("schedule-error");
    error.hidden = true;
    try {
      const created = await post("/webinars", {
        ...roomChoice(form),
        title: form.namedItem("title").value,
        description: form.namedItem("description").value,
        starts_at: new Date(form.namedItem("starts_at").value).toISOString(),
        ends_at: new Date(form.namedItem("ends_at").value).toISOString(),
      });
      location.assign(`/webinaires/${created.id}/console/`);
    } catch (err) {
      showError(error, err);
    }
  });
}

function showFeed(status) {
  const state = document.getElementById("feed-state");
  document.getElementById("feed-rotate").textContent = status.exists ? _("Renouveler mon lien secret") : _("Créer mon lien secret");
  document.getElementById("feed-revoke").hidden = !status.exists;
  state.textContent = status.exists
    ? fmt(_("Un lien secret est actif (créé le %(date)s, commence par %(prefix)s…)."), {
        date: formatFull(new Date(status.created_at)),
        prefix: status.prefix,
      })
    : _("Aucun lien secret actif.");
}

async function setupFeed() {
  const field = document.getElementById("feed-url-field");
  const input = document.getElementById("feed-url");
  const state = document.getElementById("feed-state");
  showFeed(await get("/me/webinars/feed"));
  document.getElementById("feed-rotate").addEventListener("click", async () => {
    try {
      const created = await post("/me/webinars/feed");
      showFeed(created);
      input.value = created.url;
      field.hidden = false;
      input.focus();
      input.select();
    } catch (err) {
      showError(state, err);
    }
  });
  document.getElementById("feed-revoke").addEventListener("click", async () => {
    try {
      showFeed(await del("/me/webinars/feed"));
      input.value = "";
      field.hidden = true;
    } catch (err) {
      showError(state, err);
    }
  });
  document.getElementById("feed-copy").addEventListener("click", async () => {
    input.select();
    try {
      await navigator.clipboard.writeText(input.value);
      state.textContent = _("Lien copié.");
    } catch {
      state.textContent = _("Copiez le lien sélectionné (Ctrl+C).");
    }
  });
}

Promise.all([load(), setupSchedule(), setupFeed()]).then(markReady, (err) => {
  showError(statusBox, err);
  markReady();
});
