// A message composer (the room's and the thread panel's): Enter to send, files uploaded to the
// room before sending, document links (URL, title, description) and @mention autocomplete.
import { upload } from "./api.js";
import { _, fmt } from "./i18n.js";
import { el, sizeText } from "./messages.js";

const fold = (text) =>
  String(text)
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLocaleLowerCase("fr");

const MAX_SUGGESTIONS = 8;

export class Composer {
  /**
   * form: the <form>; input: its <textarea>; prefix: a unique id prefix;
   * room(): the RoomState written to; members(): [{user: {id, name}}]; me(): {id};
   * onSend(body, {files, documents}) -> false to keep the draft; onInput(): typing.
   */
  constructor({ form, input, prefix, room, members, me, onSend, onInput }) {
    Object.assign(this, { form, input, prefix, room, members, me, onSend, onInput });
    this.files = []; // uploaded, not yet sent: {id, name, size, content_type, url}
    this.documents = []; // {url, title, description}
    this.suggestions = [];
    this.active = -1;
    this.uploading = 0;
    this.build();
    this.bind();
  }

  build() {
    const p = this.prefix;
    this.error = el("p", { class: "alert composer-error", id: `${p}-error`, role: "alert", hidden: true });
    this.fileInput = el("input", { type: "file", id: `${p}-file`, class: "sr-only" });
    // The input sits inside its label, so the label shows the keyboard focus (:focus-within).
    const fileLabel = el("label", { class: "button secondary file-button" }, _("Joindre un fichier"), this.fileInput);
    this.linkButton = el("button", { type: "button", class: "secondary", "aria-expanded": "false", "aria-controls": `${p}-link`, text: _("Ajouter un lien") });
    this.pending = el("ul", { class: "pending-attachments", "aria-label": _("Pièces jointes du message"), "aria-live": "polite" });
    this.linkForm = el(
      "fieldset",
      { class: "link-form", id: `${p}-link`, hidden: true },
      el("legend", { text: _("Lien vers un document") }),
      field(`${p}-link-url`, _("Adresse (https://…)"), el("input", { id: `${p}-link-url`, type: "url", maxlength: "2048", placeholder: "https://" })),
      field(`${p}-link-title`, _("Titre"), el("input", { id: `${p}-link-title`, maxlength: "200" })),
      field(`${p}-link-description`, _("Description (facultatif)"), el("input", { id: `${p}-link-description`, maxlength: "1000" })),
      el(
        "div",
        { class: "dialog-actions" },
        el("button", { type: "button", "data-link": "add", text: _("Ajouter le lien") }),
        el("button", { type: "button", class: "secondary", "data-link": "cancel", text: _("Annuler") }),
      ),
    );
    this.listbox = el("ul", { role: "listbox", id: `${p}-mentions`, class: "mention-list", "aria-label": _("Personnes à mentionner"), hidden: true });
    this.input.setAttribute("aria-autocomplete", "list");
    this.input.setAttribute("aria-controls", `${p}-mentions`);
    const tools = el("div", { class: "composer-tools" }, fileLabel, this.linkButton);
    this.input.after(this.listbox);
    this.form.append(this.error, this.pending, this.linkForm, tools);
  }

  bind() {
    this.fileInput.addEventListener("change", () => {
      const files = [...this.fileInput.files];
      this.fileInput.value = "";
      for (const file of files) this.uploadFile(file);
    });
    this.linkButton.addEventListener("click", () => this.toggleLinkForm());
    this.linkForm.addEventListener("click", (event) => {
      const action = event.target.closest("[data-link]")?.dataset.link;
      if (action === "add") this.addLink();
      else if (action === "cancel") this.toggleLinkForm(false);
    });
    this.linkForm.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && event.target.tagName === "INPUT") {
        event.preventDefault();
        this.addLink();
      } else if (event.key === "Escape") {
        event.preventDefault();
        this.toggleLinkForm(false);
      }
    });
    this.pending.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-remove]");
      if (!button) return;
      const [kind, index] = button.dataset.remove.split(":");
      (kind === "file" ? this.files : this.documents).splice(Number(index), 1);
      this.renderPending();
      this.input.focus();
    });
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.input.addEventListener("keydown", (event) => this.onKeydown(event));
    this.input.addEventListener("input", () => {
      this.suggest();
      if (this.onInput) this.onInput();
    });
    this.input.addEventListener("blur", () => setTimeout(() => this.closeSuggestions(), 150));
    this.listbox.addEventListener("mousedown", (event) => event.preventDefault());
    this.listbox.addEventListener("click", (event) => {
      const option = event.target.closest("[role=option]");
      if (option) this.choose(Number(option.dataset.index));
    });
  }

  reset() {
    this.files = [];
    this.documents = [];
    this.error.hidden = true;
    this.toggleLinkForm(false);
    this.closeSuggestions();
    this.renderPending();
  }

  showError(text) {
    this.error.textContent = text;
    this.error.hidden = !text;
  }

  submit() {
    const body = this.input.value;
    if (this.uploading) {
      this.showError(_("Patientez : un fichier est en cours d'envoi."));
      return;
    }
    if (!body.trim() && !this.files.length && !this.documents.length) return;
    if (body.length > 10000) {
      this.showError(_("Message trop long (10 000 caractères au plus)."));
      return;
    }
    const sent = this.onSend(body, { files: [...this.files], documents: [...this.documents] });
    if (sent === false) return;
    this.input.value = "";
    this.reset();
  }

  onKeydown(event) {
    const open = !this.listbox.hidden && this.suggestions.length;
    if (open && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      this.setActive((this.active + step + this.suggestions.length) % this.suggestions.length);
      return;
    }
    if (open && (event.key === "Enter" || event.key === "Tab") && !event.shiftKey && this.active >= 0) {
      event.preventDefault();
      event.stopImmediatePropagation();
      this.choose(this.active);
      return;
    }
    if (open && event.key === "Escape") {
      event.preventDefault();
      event.stopImmediatePropagation();
      this.closeSuggestions();
      return;
    }
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      this.form.requestSubmit();
    }
  }

  // --- mentions ---------------------------------------------------------------------------

  query() {
    const before = this.input.value.slice(0, this.input.selectionStart);
    const match = before.match(/(^|\s)@([^@\n]{0,40})$/);
    return match ? { text: match[2], start: before.length - match[2].length - 1 } : null;
  }

  suggest() {
    const q = this.query();
    if (!q) return this.closeSuggestions();
    const needle = fold(q.text);
    const me = this.me();
    const people = this.members()
      .map((m) => m.user)
      .filter((u) => u.id !== me.id && fold(u.name).startsWith(needle))
      .sort((a, b) => a.name.localeCompare(b.name, "fr"))
      .map((u) => ({ insert: u.name, label: u.name, detail: "" }));
    if ("salon".startsWith(needle)) people.push({ insert: "salon", label: "@salon", detail: _("tout le salon") });
    this.suggestions = people.slice(0, MAX_SUGGESTIONS);
    this.queryAt = q;
    if (!this.suggestions.length) return this.closeSuggestions();
    this.listbox.replaceChildren(
      ...this.suggestions.map((s, i) =>
        el(
          "li",
          { role: "option", id: `${this.prefix}-mention-${i}`, "data-index": String(i), "aria-selected": "false" },
          el("span", { text: s.label }),
          s.detail ? el("span", { class: "option-detail", text: ` — ${s.detail}` }) : null,
        ),
      ),
    );
    this.listbox.hidden = false;
    this.setActive(0);
  }

  setActive(index) {
    this.active = index;
    for (const [i, option] of [...this.listbox.children].entries()) option.setAttribute("aria-selected", String(i === index));
    this.input.setAttribute("aria-activedescendant", `${this.prefix}-mention-${index}`);
  }

  choose(index) {
    const s = this.suggestions[index];
    const q = this.queryAt;
    if (!s || !q) return;
    const value = this.input.value;
    const end = q.start + 1 + q.text.length;
    const inserted = `@${s.insert} `;
    this.input.value = value.slice(0, q.start) + inserted + value.slice(end);
    const caret = q.start + inserted.length;
    this.input.setSelectionRange(caret, caret);
    this.closeSuggestions();
    this.input.focus();
  }

  closeSuggestions() {
    this.suggestions = [];
    this.active = -1;
    this.listbox.hidden = true;
    this.listbox.replaceChildren();
    this.input.removeAttribute("aria-activedescendant");
  }

  // --- files and links --------------------------------------------------------------------

  async uploadFile(file) {
    const rs = this.room();
    if (!rs) return;
    this.showError("");
    this.uploading += 1;
    const placeholder = { uploading: true, name: file.name, size: file.size };
    this.files.push(placeholder);
    this.renderPending();
    try {
      const ref = await upload(`/rooms/${rs.id}/files`, file);
      Object.assign(placeholder, ref, { uploading: false });
    } catch (error) {
      this.files.splice(this.files.indexOf(placeholder), 1);
      this.showError(fmt(_("« %(name)s » n'a pas été joint : %(reason)s"), { name: file.name, reason: error.message }));
    } finally {
      this.uploading -= 1;
      this.renderPending();
    }
  }

  toggleLinkForm(show = this.linkForm.hidden) {
    this.linkForm.hidden = !show;
    this.linkButton.setAttribute("aria-expanded", String(show));
    if (show) this.linkForm.querySelector("input").focus();
    else for (const input of this.linkForm.querySelectorAll("input")) input.value = "";
  }

  addLink() {
    const [url, title, description] = [...this.linkForm.querySelectorAll("input")].map((i) => i.value.trim());
    if (!/^https?:\/\/[^\s\/]+/i.test(url)) {
      this.showError(_("Seuls les liens http et https sont acceptés."));
      this.linkForm.querySelector("input").focus();
      return;
    }
    this.showError("");
    this.documents.push({ url, title: title || url, description });
    this.toggleLinkForm(false);
    this.renderPending();
    this.input.focus();
  }

  renderPending() {
    const items = [
      ...this.files.map((f, i) =>
        el(
          "li",
          {},
          el("span", { text: f.uploading ? fmt(_("%(name)s (envoi…)"), { name: f.name }) : `${f.name} (${sizeText(f.size)})` }),
          f.uploading ? null : removeButton(`file:${i}`, f.name),
        ),
      ),
      ...this.documents.map((d, i) =>
        el("li", {}, el("span", { text: `🔗 ${d.title}` }), removeButton(`doc:${i}`, d.title)),
      ),
    ];
    this.pending.replaceChildren(...items);
  }
}

function field(id, label, input) {
  return el("div", { class: "field" }, el("label", { for: id, text: label }), input);
}

function removeButton(key, name) {
  return el("button", { type: "button", class: "link-button", "data-remove": key, "aria-label": fmt(_("Retirer %(name)s"), { name }), text: _("Retirer") });
}
