// « Mes robots »: create bots, show their token once, rotate or revoke it, grant rooms,
// create incoming webhook URLs and outgoing webhooks, delete a bot. Everything goes through
// /api/v1/bots.
import { ApiError, csrfToken, del, get, patch, post } from "./api.js";
import { _, fmt } from "./i18n.js";

const $ = (id) => document.getElementById(id);
const MODERATES = new Set(["owner", "moderator"]);
let rooms = []; // rooms where this agent may let a bot in

/** A small element builder: h("p", {class: "x"}, "text", child…). */
function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

let uid = 0;
const nextId = (prefix) => `${prefix}-${++uid}`;

function field(label, input) {
  input.id = input.id || nextId("f");
  return h("div", { class: "field" }, h("label", { for: input.id }, label), input);
}

function checkbox(label, name, checked) {
  const input = h("input", { type: "checkbox", name, checked });
  return h("label", {}, input, " ", label);
}

function roomSelect(choices) {
  const select = h("select", { name: "room", required: true });
  for (const room of choices) select.append(h("option", { value: String(room.id) }, room.name));
  return select;
}

function say(text) {
  $("page-status").textContent = text;
}

function showSecret(label, value) {
  $("secret-label").textContent = label;
  $("secret-value").textContent = value;
  const box = $("secret-box");
  box.hidden = false;
  box.focus();
}

function showError(error) {
  const box = $("page-error");
  box.textContent = error instanceof Error ? error.message : String(error);
  box.hidden = false;
  box.focus();
}

/** Run an action; on success clear the error and re-render the list. */
async function act(action, done) {
  $("page-error").hidden = true;
  try {
    const result = await action();
    await refresh();
    if (done) done(result);
  } catch (error) {
    showError(error);
  }
}

async function upload(path, file) {
  const body = new FormData();
  body.append("file", file);
  const response = await fetch("/api/v1" + path, {
    method: "POST",
    body,
    credentials: "same-origin",
    headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
  });
  const payload = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, payload);
  return payload;
}

// --- one bot ---------------------------------------------------------------------------

function tokenSection(bot, tokens) {
  const live = tokens.filter((t) => !t.revoked_at);
  return h(
    "section",
    { "aria-label": fmt(_("Jetons de %(name)s"), { name: bot.name }) },
    h("h4", {}, _("Jeton")),
    h(
      "ul",
      {},
      live.map((t) =>
        h(
          "li",
          {},
          h("code", {}, `${t.prefix}…`),
          " ",
          t.expires_at ? fmt(_("(expire le %(date)s)"), { date: new Date(t.expires_at).toLocaleString("fr-FR") }) : "",
          " ",
          h(
            "button",
            {
              type: "button",
              class: "secondary",
              onclick: () =>
                act(() => del(`/tokens/${t.id}`), () => say(fmt(_("Jeton %(p)s révoqué."), { p: t.prefix }))),
            },
            fmt(_("Révoquer le jeton %(p)s"), { p: t.prefix }),
          ),
        ),
      ),
    ),
    h(
      "button",
      {
        type: "button",
        onclick: () =>
          act(
            () => post(`/bots/${bot.id}/token/rotate`),
            (r) => showSecret(fmt(_("Nouveau jeton de %(name)s :"), { name: bot.name }), r.token),
          ),
      },
      _("Renouveler le jeton"),
    ),
  );
}

function grantSection(bot) {
  const granted = new Set(bot.grants.map((g) => g.room));
  const choices = rooms.filter((r) => !granted.has(r.id));
  const select = roomSelect(choices);
  const canPost = checkbox(_("Peut écrire"), "can_post", true);
  const canRead = checkbox(_("Peut lire"), "can_read", true);
  const form = h(
    "form",
    {
      onsubmit: (event) => {
        event.preventDefault();
        act(() =>
          post(`/bots/${bot.id}/grants`, {
            room: Number(select.value),
            can_post: canPost.querySelector("input").checked,
            can_read: canRead.querySelector("input").checked,
          }),
        );
      },
    },
    field(_("Salon"), select),
    canPost,
    canRead,
    h("button", { type: "submit" }, _("Autoriser dans ce salon")),
  );
  return h(
    "section",
    { "aria-label": fmt(_("Salons de %(name)s"), { name: bot.name }) },
    h("h4", {}, _("Salons autorisés")),
    bot.grants.length
      ? h(
          "ul",
          {},
          bot.grants.map((g) =>
            h(
              "li",
              {},
              g.room_name,
              " — ",
              [g.can_post ? _("écrit") : null, g.can_read ? _("lit") : null].filter(Boolean).join(", ") ||
                _("aucun droit"),
              " ",
              h(
                "button",
                {
                  type: "button",
                  class: "secondary",
                  onclick: () => act(() => del(`/bots/${bot.id}/grants/${g.room}`)),
                },
                fmt(_("Retirer de %(room)s"), { room: g.room_name }),
              ),
            ),
          ),
        )
      : h("p", {}, _("Ce robot n'est autorisé dans aucun salon.")),
    choices.length ? form : null,
  );
}

function incomingSection(bot) {
  const postable = bot.grants.filter((g) => g.can_post).map((g) => ({ id: g.room, name: g.room_name }));
  if (!postable.length) return null;
  const select = roomSelect(postable);
  return h(
    "section",
    { "aria-label": fmt(_("Webhooks entrants de %(name)s"), { name: bot.name }) },
    h("h4", {}, _("Webhook entrant (format Slack)")),
    h(
      "form",
      {
        onsubmit: (event) => {
          event.preventDefault();
          act(
            () => post(`/bots/${bot.id}/hooks`, { room: Number(select.value) }),
            (r) => showSecret(_("Adresse du webhook entrant :"), r.url),
          );
        },
      },
      field(_("Salon par défaut"), select),
      h("button", { type: "submit" }, _("Créer un webhook entrant")),
    ),
  );
}

const STATUS = {
  pending: () => _("en attente"),
  delivered: () => _("livrée"),
  failed: () => _("en échec"),
  cancelled: () => _("annulée"),
};

/** The latest deliveries of an outgoing webhook, loaded when opened. */
function deliveriesDetails(bot, hook) {
  const list = h("ul", { "aria-live": "polite" });
  const details = h("details", {}, h("summary", {}, _("Dernières livraisons")), list);
  details.addEventListener("toggle", async () => {
    if (!details.open) return;
    try {
      const rows = await get(`/bots/${bot.id}/outgoing/${hook.id}/deliveries`);
      list.replaceChildren(
        ...(rows.length
          ? rows.map((d) =>
              h(
                "li",
                {},
                fmt(_("Message %(m)s : %(s)s, %(a)s tentative(s)"), {
                  m: d.message,
                  s: (STATUS[d.status] || (() => d.status))(),
                  a: d.attempts,
                }),
                d.last_error ? ` — ${d.last_error}` : "",
              ),
            )
          : [h("li", {}, _("Aucune livraison pour l'instant."))]),
      );
    } catch (error) {
      showError(error);
    }
  });
  return details;
}

function outgoingSection(bot, hooks) {
  const readable = bot.grants.filter((g) => g.can_read);
  if (!readable.length) return null;
  const url = h("input", { type: "url", name: "url", maxlength: "2048", required: true });
  const mention = checkbox(_("Quand le robot est mentionné"), "on_mention", true);
  const watch = readable.map((g) => checkbox(g.room_name, "rooms", false));
  watch.forEach((label, i) => (label.querySelector("input").value = String(readable[i].room)));
  const names = new Map(readable.map((g) => [g.room, g.room_name]));
  return h(
    "section",
    { "aria-label": fmt(_("Webhooks sortants de %(name)s"), { name: bot.name }) },
    h("h4", {}, _("Webhooks sortants")),
    hooks.length
      ? h(
          "ul",
          {},
          hooks.map((o) =>
            h(
              "li",
              {},
              h("code", {}, o.url),
              " — ",
              [
                o.on_mention ? _("mentions") : null,
                ...o.rooms.map((r) => names.get(r) || `#${r}`),
              ]
                .filter(Boolean)
                .join(", "),
              " — ",
              fmt(_("%(p)s en attente, %(f)s en échec"), { p: o.pending, f: o.failed }),
              " ",
              h(
                "button",
                {
                  type: "button",
                  class: "secondary",
                  onclick: () =>
                    act(
                      () => post(`/bots/${bot.id}/outgoing/${o.id}/secret/rotate`),
                      (r) => showSecret(_("Nouveau secret de signature :"), r.secret),
                    ),
                },
                _("Renouveler le secret"),
              ),
              " ",
              h(
                "button",
                {
                  type: "button",
                  class: "secondary",
                  onclick: () => act(() => del(`/bots/${bot.id}/outgoing/${o.id}`)),
                },
                _("Supprimer"),
              ),
              deliveriesDetails(bot, o),
            ),
          ),
        )
      : null,
    h(
      "form",
      {
        onsubmit: (event) => {
          event.preventDefault();
          const chosen = watch.map((l) => l.querySelector("input")).filter((i) => i.checked);
          act(
            () =>
              post(`/bots/${bot.id}/outgoing`, {
                url: url.value.trim(),
                on_mention: mention.querySelector("input").checked,
                rooms: chosen.map((i) => Number(i.value)),
              }),
            (r) => showSecret(_("Secret de signature du webhook sortant :"), r.secret),
          );
        },
      },
      field(_("Adresse à appeler (https)"), url),
      mention,
      h("fieldset", {}, h("legend", {}, _("Salons suivis")), watch),
      h("button", { type: "submit" }, _("Créer un webhook sortant")),
    ),
  );
}

function profileForm(bot) {
  const name = h("input", { name: "name", maxlength: "150", required: true, value: bot.name });
  const description = h("input", { name: "description", maxlength: "150", value: bot.description });
  return h(
    "form",
    {
      onsubmit: (event) => {
        event.preventDefault();
        act(
          () => patch(`/bots/${bot.id}`, { name: name.value.trim(), description: description.value.trim() }),
          () => say(_("Robot enregistré.")),
        );
      },
    },
    field(_("Nom"), name),
    field(_("Description"), description),
    h("button", { type: "submit", class: "secondary" }, _("Enregistrer")),
  );
}

function avatarForm(bot) {
  const file = h("input", { type: "file", name: "file", accept: "image/png,image/jpeg,image/webp,image/gif" });
  return h(
    "form",
    {
      onsubmit: (event) => {
        event.preventDefault();
        if (!file.files.length) return;
        act(() => upload(`/bots/${bot.id}/avatar`, file.files[0]), () => say(_("Image enregistrée.")));
      },
    },
    field(_("Image du robot (PNG, JPEG, WebP ou GIF, 256 Kio au plus)"), file),
    h("button", { type: "submit", class: "secondary" }, _("Changer l'image")),
  );
}

function deleteSection(bot) {
  const confirmId = nextId("bot-delete");
  const toggle = h(
    "button",
    { type: "button", class: "secondary", "aria-expanded": "false", "aria-controls": confirmId },
    fmt(_("Supprimer le robot %(name)s"), { name: bot.name }),
  );
  const box = h(
    "div",
    { id: confirmId, class: "stack", hidden: true },
    h("p", {}, _("Le robot quittera ses salons ; ses jetons et ses webhooks cesseront aussitôt de fonctionner.")),
    h(
      "div",
      { class: "dialog-actions" },
      h(
        "button",
        {
          type: "button",
          onclick: () =>
            act(() => del(`/bots/${bot.id}`), () => say(fmt(_("Robot %(name)s supprimé."), { name: bot.name }))),
        },
        _("Confirmer la suppression"),
      ),
      h(
        "button",
        {
          type: "button",
          class: "secondary",
          onclick: () => {
            box.hidden = true;
            toggle.setAttribute("aria-expanded", "false");
            toggle.focus();
          },
        },
        _("Annuler"),
      ),
    ),
  );
  toggle.addEventListener("click", () => {
    box.hidden = !box.hidden;
    toggle.setAttribute("aria-expanded", String(!box.hidden));
  });
  return h("section", { "aria-label": fmt(_("Supprimer %(name)s"), { name: bot.name }) }, toggle, box);
}

function botCard(bot, tokens, hooks) {
  const titleId = nextId("bot");
  return h(
    "article",
    { class: "bot-card", "aria-labelledby": titleId },
    h(
      "header",
      {},
      h("img", { class: "bot-avatar", src: `${bot.avatar}?t=${Date.now()}`, alt: "" }),
      h("h3", { id: titleId }, bot.name, " ", h("span", { class: "bot-badge" }, _("BOT"))),
    ),
    bot.description ? h("p", {}, bot.description) : null,
    profileForm(bot),
    avatarForm(bot),
    tokenSection(bot, tokens),
    grantSection(bot),
    incomingSection(bot),
    outgoingSection(bot, hooks),
    deleteSection(bot),
  );
}

// --- the page ------------------------------------------------------------------------------

async function refresh() {
  const bots = await get("/bots");
  const details = await Promise.all(
    bots.map((bot) => Promise.all([get(`/bots/${bot.id}/tokens`), get(`/bots/${bot.id}/outgoing`)])),
  );
  const list = $("bot-list");
  list.replaceChildren(...bots.map((bot, i) => botCard(bot, ...details[i])));
  $("bot-empty").hidden = bots.length > 0;
}

async function loadRooms() {
  const mine = await get("/rooms?mine=true&limit=500");
  rooms = mine.filter((r) => MODERATES.has(r.role) || r.access !== "invite");
}

$("bot-create-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const name = $("bot-name").value.trim();
  if (!name) {
    showError(_("Donnez un nom au robot."));
    return;
  }
  act(
    () => post("/bots", { name, description: $("bot-description").value.trim() }),
    (bot) => {
      event.target.reset();
      showSecret(fmt(_("Jeton de %(name)s :"), { name: bot.name }), bot.token);
    },
  );
});

Promise.all([loadRooms(), refresh()])
  .catch(showError)
  .finally(() => {
    document.body.dataset.ready = "true";
  });
