// The main screen's direct messages: « Nouvelle conversation » (pick up to seven people) and
// the « Message direct » action on other people's messages.
import { get } from "./api.js";
import { _, fmt, ngettext } from "./i18n.js";
import { addMessageActions, el, isBot } from "./messages.js";
import { OTHERS_MAX, openDirect } from "./direct.js";

const $ = (id) => document.getElementById(id);
const chosen = new Map(); // user id -> name
let context = null;
let searchTimer = null;
let searchRound = 0;

function renderChosen() {
  const names = [...chosen.values()];
  $("direct-chosen").textContent = names.length
    ? fmt(ngettext("%(count)s personne choisie : %(names)s.", "%(count)s personnes choisies : %(names)s.", names.length), {
        count: names.length,
        names: names.join(", "),
      })
    : _("Personne n'est encore choisi.");
}

function resultRow(member) {
  const id = `direct-pick-${member.id}`;
  const box = el("input", { type: "checkbox", id, value: String(member.id) });
  box.checked = chosen.has(member.id);
  box.addEventListener("change", () => {
    if (box.checked && chosen.size >= OTHERS_MAX) {
      box.checked = false;
      $("direct-chosen").textContent = fmt(_("Une conversation réunit au plus %(n)s personnes, vous compris."), { n: OTHERS_MAX + 1 });
      return;
    }
    if (box.checked) chosen.set(member.id, member.name);
    else chosen.delete(member.id);
    renderChosen();
  });
  const details = [member.job_title, member.organisation].filter(Boolean).join(" · ");
  const label = el("label", { for: id }, member.name, details ? el("span", { class: "member-meta", text: ` — ${details}` }) : null);
  return el("li", {}, box, " ", label);
}

async function search() {
  const round = ++searchRound;
  const q = $("direct-q").value.trim();
  const params = new URLSearchParams();
  if (q) params.set("q", q);
  try {
    const found = await get(`/members?${params}`);
    if (round !== searchRound) return;
    const others = found.filter((m) => m.id !== context.state.me.id);
    // Chosen people stay listed, so they can be unticked after another search.
    const shown = new Map(others.map((m) => [m.id, m]));
    for (const [id, name] of chosen) if (!shown.has(id)) shown.set(id, { id, name });
    const rows = [...shown.values()].map(resultRow);
    if (!rows.length) rows.push(el("li", { class: "empty", text: _("Aucun membre ne correspond à cette recherche.") }));
    $("direct-results").replaceChildren(...rows);
  } catch (error) {
    showDialogError(error);
  }
}

function showDialogError(error) {
  const box = $("direct-error");
  box.textContent = error.message;
  box.hidden = false;
  box.focus();
}

export async function startDirect(userIds) {
  try {
    const conversation = await openDirect(userIds);
    await context.onOpened(conversation);
    return true;
  } catch (error) {
    context.announce(error.message);
    return false;
  }
}

export function setupDirect(ctx) {
  context = ctx;
  const dialog = $("direct-dialog");
  $("direct-new-button").addEventListener("click", () => {
    chosen.clear();
    $("direct-q").value = "";
    $("direct-error").hidden = true;
    renderChosen();
    $("direct-results").replaceChildren();
    dialog.showModal();
    $("direct-q").focus();
    search();
  });
  $("direct-q").addEventListener("input", () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(search, 250);
  });
  dialog.addEventListener("click", (event) => {
    if (event.target.closest("[data-close]")) dialog.close();
  });
  $("direct-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!chosen.size) {
      showDialogError(new Error(_("Choisissez au moins une personne.")));
      return;
    }
    $("direct-open").disabled = true;
    try {
      const conversation = await openDirect([...chosen.keys()]);
      dialog.close();
      await context.onOpened(conversation);
    } catch (error) {
      showDialogError(error);
    } finally {
      $("direct-open").disabled = false;
    }
  });
  addMessageActions((msg, mctx, date) => {
    if (msg.author.id === mctx.me.id || isBot(msg, mctx)) return [];
    // In a conversation of two, the other person's messages are already direct.
    if (mctx.rs && mctx.rs.room.kind === "direct" && mctx.rs.room.member_count === 2) return [];
    return [
      el("button", {
        type: "button",
        class: "secondary",
        "data-action": "direct",
        "aria-label": fmt(_("Envoyer un message direct à %(name)s"), { name: msg.author.name }),
        text: _("Message direct"),
      }),
    ];
  });
}
