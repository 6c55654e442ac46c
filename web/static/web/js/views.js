// The pages beside the room: message search, the mentions inbox, a room's (or thread's)
// Documents, and a message's edit history.
import { get } from "./api.js";
import { formatFull } from "./format.js";
import { _, fmt, ngettext } from "./i18n.js";
import { renderDocuments, renderMarkdown } from "./markdown.js";
import { el, sizeText } from "./messages.js";

const $ = (id) => document.getElementById(id);
let app = null;
let searchSeq = 0;
let documentsSeq = 0;
let documentsTimer = null;
let documentsScope = null; // {roomId, thread}

export function setupViews(context) {
  app = context;
  $("search-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const params = searchParams();
    const hash = `#/search?${params}`;
    if (location.hash !== hash) history.pushState(null, "", hash);
    runSearch(params);
  });
  $("documents-form").addEventListener("submit", (event) => {
    event.preventDefault();
    loadDocuments();
  });
  $("documents-form").addEventListener("input", () => {
    clearTimeout(documentsTimer);
    documentsTimer = setTimeout(loadDocuments, 250);
  });
  $("documents-form").addEventListener("change", () => loadDocuments());
}

// --- search -----------------------------------------------------------------------------

function searchParams() {
  const form = $("search-form");
  const params = new URLSearchParams();
  const data = new FormData(form);
  const q = String(data.get("q") || "").trim();
  params.set("q", q);
  if (data.get("room")) params.set("room", data.get("room"));
  if (data.get("author")) params.set("author", data.get("author"));
  if (data.get("after")) params.set("after", `${data.get("after")}T00:00:00`);
  if (data.get("before")) params.set("before", `${data.get("before")}T23:59:59`);
  if (data.get("has_document")) params.set("has_document", "true");
  return params;
}

export function showSearch(query) {
  const select = $("search-room");
  const current = select.value;
  const rooms = [...app.state.rooms.values()].sort((a, b) => a.room.name.localeCompare(b.room.name, "fr"));
  select.replaceChildren(
    el("option", { value: "", text: _("Tous") }),
    ...rooms.map((rs) => el("option", { value: String(rs.id), text: rs.room.name })),
  );
  select.value = current;
  // Authors: the people this tab has seen (members of the rooms opened, authors of messages).
  const authors = $("search-author");
  const author = authors.value;
  const names = [...app.state.names.entries()].sort((a, b) => a[1].localeCompare(b[1], "fr"));
  authors.replaceChildren(
    el("option", { value: "", text: _("Tous") }),
    ...names.map(([id, name]) => el("option", { value: String(id), text: name })),
  );
  authors.value = author;
  const params = new URLSearchParams(query || "");
  if (params.get("q")) {
    $("search-q").value = params.get("q");
    if (params.get("room")) select.value = params.get("room");
    runSearch(params);
  }
  $("search-q").focus();
}

async function runSearch(params) {
  if (!params.get("q")) {
    $("search-count").textContent = _("Saisissez les mots à rechercher.");
    $("search-results").replaceChildren();
    return;
  }
  params.set("limit", "50");
  const mySeq = ++searchSeq;
  $("search-count").textContent = _("Recherche…");
  let answer;
  try {
    answer = await get(`/search?${params}`);
  } catch (error) {
    if (mySeq === searchSeq) $("search-count").textContent = error.message;
    return;
  }
  if (mySeq !== searchSeq) return;
  $("search-count").textContent = ngettext("%(count)s résultat", "%(count)s résultats", answer.total);
  $("search-results").replaceChildren(...answer.results.map(searchItem));
}

/** The snippet with its [start, end) ranges marked up, as DOM nodes. */
export function highlighted(snippet, ranges) {
  const out = [];
  let last = 0;
  const sorted = [...(ranges || [])].sort((a, b) => a[0] - b[0]);
  for (const [start, end] of sorted) {
    if (start < last || end <= start) continue;
    if (start > last) out.push(document.createTextNode(snippet.slice(last, start)));
    out.push(el("mark", { text: snippet.slice(start, end) }));
    last = end;
  }
  if (last < snippet.length) out.push(document.createTextNode(snippet.slice(last)));
  return out;
}

function searchItem(result) {
  const m = result.message;
  const date = new Date(m.created_at);
  const href = `#/room/${result.room.id}/message/${m.id}`;
  return el(
    "li",
    { class: "search-result" },
    el(
      "p",
      { class: "search-meta" },
      el("a", { href, class: "search-open" }, fmt(_("%(author)s dans « %(room)s »"), { author: m.author.name, room: result.room.name })),
      " · ",
      el("time", { datetime: m.created_at, text: formatFull(date) }),
    ),
    el("p", { class: "search-snippet" }, ...highlighted(result.snippet || "", result.highlights)),
  );
}

// --- mentions ---------------------------------------------------------------------------

export async function showMentions() {
  $("mentions-count").textContent = _("Chargement…");
  let rows;
  try {
    rows = await get("/mentions?limit=100");
  } catch (error) {
    $("mentions-count").textContent = error.message;
    return;
  }
  $("mentions-count").textContent = ngettext("%(count)s mention", "%(count)s mentions", rows.length);
  $("mentions-results").replaceChildren(
    ...rows.map((row) => {
      const m = row.message;
      const date = new Date(m.created_at);
      return el(
        "li",
        { class: `search-result${row.unread ? " unread" : ""}` },
        el(
          "p",
          { class: "search-meta" },
          el("a", { href: `#/room/${row.room.id}/message/${m.id}`, class: "search-open" }, fmt(_("%(author)s dans « %(room)s »"), { author: m.author.name, room: row.room.name })),
          " · ",
          el("time", { datetime: m.created_at, text: formatFull(date) }),
          row.unread ? el("span", { class: "badge mention", text: _("non lu") }) : null,
        ),
        el("div", { class: "search-snippet" }, renderMarkdown(m.body)),
      );
    }),
  );
}

// --- documents --------------------------------------------------------------------------

export function showDocuments(roomId, thread) {
  documentsScope = { roomId, thread };
  const rs = app.state.rooms.get(roomId);
  const name = rs ? rs.room.name : "";
  $("documents-title").textContent = thread
    ? fmt(_("Documents du fil — %(room)s"), { room: name })
    : fmt(_("Documents — %(room)s"), { room: name });
  document.title = `${$("documents-title").textContent} — Préau`;
  $("documents-back").href = `#/room/${roomId}`;
  $("documents-form").reset();
  loadDocuments();
  $("documents-q").focus();
}

async function loadDocuments() {
  if (!documentsScope) return;
  const params = new URLSearchParams();
  const data = new FormData($("documents-form"));
  if (String(data.get("q") || "").trim()) params.set("q", String(data.get("q")).trim());
  if (data.get("type")) params.set("type", data.get("type"));
  if (documentsScope.thread) params.set("thread", String(documentsScope.thread));
  const mySeq = ++documentsSeq;
  let items;
  try {
    items = await get(`/rooms/${documentsScope.roomId}/documents?${params}`);
  } catch (error) {
    if (mySeq === documentsSeq) $("documents-count").textContent = error.message;
    return;
  }
  if (mySeq !== documentsSeq) return;
  $("documents-count").textContent = ngettext("%(count)s document", "%(count)s documents", items.length);
  $("documents-results").replaceChildren(...items.map((item) => documentItem(item)));
}

function documentItem(item) {
  const date = new Date(item.shared_at);
  let main;
  if (item.type === "file" && item.file) {
    main = el(
      "p",
      { class: "directory-name" },
      el("a", { href: `/api/v1/files/${Number(item.file.id)}`, download: item.file.name, text: item.file.name }),
      el("span", { class: "file-meta", text: ` (${sizeText(item.file.size)})` }),
    );
  } else {
    main = renderDocuments([{ url: item.url, title: item.title, description: item.description }]);
  }
  return el(
    "li",
    { class: "directory-item document-item" },
    el(
      "div",
      {},
      main,
      el(
        "p",
        { class: "directory-details" },
        `${item.type === "file" ? _("Fichier") : _("Lien")} · ${fmt(_("partagé par %(name)s"), { name: item.author.name })} · `,
        el("time", { datetime: item.shared_at, text: formatFull(date) }),
      ),
    ),
    el("a", { class: "button secondary", href: `#/room/${documentsScope.roomId}/message/${item.message}`, text: _("Voir le message") }),
  );
}

// --- edit history -----------------------------------------------------------------------

export async function showHistory(msg) {
  const dialog = $("history-dialog");
  const list = $("history-list");
  list.replaceChildren(el("li", { text: _("Chargement…") }));
  dialog.showModal();
  let history;
  try {
    history = await get(`/messages/${msg.id}/history`);
  } catch (error) {
    list.replaceChildren(el("li", { class: "alert", text: error.message }));
    return;
  }
  const versions = history.versions;
  list.replaceChildren(
    ...versions.map((v, i) => {
      const date = new Date(v.written_at);
      const label = i === versions.length - 1 ? _("Version actuelle") : fmt(_("Version %(n)s"), { n: i + 1 });
      return el(
        "li",
        { class: "history-version" },
        el(
          "p",
          { class: "message-head" },
          el("strong", { text: label }),
          " · ",
          el("time", { datetime: v.written_at, text: formatFull(date) }),
          v.written_by ? ` · ${v.written_by.name}` : "",
        ),
        el("div", { class: "message-body" }, renderMarkdown(v.body)),
        v.documents && v.documents.length ? renderDocuments(v.documents) : null,
      );
    }),
  );
}
