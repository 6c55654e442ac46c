// The account pages: "Mon profil" (/account/profile/) and "Sécurité du compte" (/account/security/).
import { ApiError, api, del, get, patch, post, showError } from "./api.js";
import { formatFull, initials } from "./format.js";
import { clearFieldErrors, showFieldError, submitting } from "./forms.js";
import { _, fmt } from "./i18n.js";

const $ = (id) => document.getElementById(id);

function say(text) {
  const status = $("security-status") || $("profile-done");
  status.textContent = text;
}

function item(children, attrs = {}) {
  const li = document.createElement("li");
  for (const [name, value] of Object.entries(attrs)) li.setAttribute(name, value);
  li.append(...children);
  return li;
}

function span(text, cls) {
  const node = document.createElement("span");
  if (cls) node.className = cls;
  node.textContent = text;
  return node;
}

function button(text, onClick, cls = "secondary") {
  const node = document.createElement("button");
  node.type = "button";
  node.className = cls;
  node.textContent = text;
  node.addEventListener("click", onClick);
  return node;
}

const when = (iso) => (iso ? formatFull(new Date(iso)) : "");

// --- profile ------------------------------------------------------------------------------

function setupProfile(form) {
  const errorBox = $("profile-error");
  const done = $("profile-done");
  $("profile-avatar").textContent = initials(form.elements.name.value);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    errorBox.hidden = true;
    done.textContent = "";
    const name = form.elements.name.value.trim();
    if (!name) {
      showFieldError(form, errorBox, new Error(_("Le nom affiché est obligatoire.")), "name");
      return;
    }
    submitting(
      form,
      async () => {
        const me = await patch("/me", { name, job_title: form.elements.job_title.value.trim() });
        clearFieldErrors(form);
        form.elements.name.value = me.name;
        form.elements.job_title.value = me.job_title;
        $("profile-avatar").textContent = initials(me.name);
        done.textContent = _("Profil enregistré.");
      },
      (error) => showFieldError(form, errorBox, error, "name"),
    );
  });
}

// --- security: sessions and tokens --------------------------------------------------------

function twoFactorBlocked(error) {
  return error instanceof ApiError && error.reason === "two_factor_required";
}

async function loadSessions() {
  const list = $("session-list");
  const errorBox = $("sessions-error");
  let sessions;
  try {
    sessions = await get("/sessions");
  } catch (error) {
    if (!twoFactorBlocked(error)) showError(errorBox, error);
    return;
  }
  list.replaceChildren(
    ...sessions.map((s) => {
      const parts = [
        span(s.user_agent || _("Navigateur inconnu"), "item-title"),
        span(
          fmt(_("Ouverte le %(created)s, active le %(seen)s"), {
            created: when(s.created_at),
            seen: when(s.last_seen_at),
          }),
          "item-meta",
        ),
      ];
      if (s.ip) parts.push(span(fmt(_("Adresse IP : %(ip)s"), { ip: s.ip }), "item-meta"));
      if (s.current) {
        parts.unshift(span(_("Cette session"), "badge"));
      } else {
        const revoke = button(_("Fermer cette session"), async () => {
          revoke.disabled = true;
          try {
            await del(`/sessions/${s.id}`);
            say(_("Session fermée."));
            await loadSessions();
            $("logout-all-button").focus();
          } catch (error) {
            revoke.disabled = false;
            showError(errorBox, error);
          }
        });
        revoke.setAttribute("aria-label", fmt(_("Fermer la session %(agent)s"), { agent: s.user_agent || s.id }));
        parts.push(revoke);
      }
      return item(parts, s.current ? { "aria-current": "true", class: "current" } : {});
    }),
  );
}

async function loadTokens() {
  const list = $("token-list");
  const errorBox = $("tokens-error");
  let tokens;
  try {
    tokens = await get("/tokens");
  } catch (error) {
    if (!twoFactorBlocked(error)) showError(errorBox, error);
    return;
  }
  $("token-empty").hidden = tokens.length > 0;
  list.replaceChildren(
    ...tokens.map((t) => {
      const parts = [
        span(t.name || t.prefix, "item-title"),
        span(
          fmt(_("%(kind)s, commence par %(prefix)s, créé le %(created)s"), {
            kind: t.kind === "bot" ? _("jeton de robot") : _("jeton personnel"),
            prefix: t.prefix,
            created: when(t.created_at),
          }),
          "item-meta",
        ),
      ];
      if (t.last_used_at) {
        parts.push(span(fmt(_("Dernière utilisation : %(when)s"), { when: when(t.last_used_at) }), "item-meta"));
      }
      if (t.revoked_at) {
        parts.push(span(fmt(_("Révoqué le %(when)s"), { when: when(t.revoked_at) }), "badge"));
      } else {
        const revoke = button(_("Révoquer"), async () => {
          revoke.disabled = true;
          try {
            await del(`/tokens/${t.id}`);
            say(_("Jeton révoqué."));
            await loadTokens();
          } catch (error) {
            revoke.disabled = false;
            showError(errorBox, error);
          }
        });
        revoke.setAttribute("aria-label", fmt(_("Révoquer le jeton %(name)s"), { name: t.name || t.prefix }));
        parts.push(revoke);
      }
      return item(parts);
    }),
  );
}

function setupLogoutAll() {
  $("logout-all-button").addEventListener("click", async (event) => {
    event.currentTarget.disabled = true;
    try {
      await post("/sessions/logout-all");
    } catch (error) {
      event.currentTarget.disabled = false;
      showError($("sessions-error"), error);
      return;
    }
    location.assign("/login/");
  });
}

// --- security: password -------------------------------------------------------------------

function setupPassword() {
  const form = $("password-form");
  const errorBox = $("password-error");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    errorBox.hidden = true;
    const data = Object.fromEntries(new FormData(form));
    if (data.new_password !== data.new_password2) {
      showFieldError(form, errorBox, new Error(_("Les deux mots de passe saisis sont différents.")), "new_password2");
      return;
    }
    submitting(
      form,
      async () => {
        const result = await post("/me/password", {
          old_password: data.old_password,
          new_password: data.new_password,
        });
        clearFieldErrors(form);
        form.reset();
        say(result.message);
        await loadSessions();
      },
      (error) =>
        showFieldError(form, errorBox, error, error.reason === "wrong_password" ? "old_password" : "new_password"),
    );
  });
}

// --- security: two-factor authentication --------------------------------------------------

async function loadOtp() {
  const status = await get("/me/2fa");
  const state = $("otp-state");
  if (status.enabled) {
    state.textContent = _("La double authentification est activée.");
  } else if (status.required) {
    state.textContent = _("La double authentification n'est pas encore activée ; elle est obligatoire pour votre compte.");
  } else {
    state.textContent = _("La double authentification n'est pas activée.");
  }
  $("otp-start-button").hidden = status.enabled;
  $("otp-disable-form").hidden = !status.enabled || status.required;
  if (status.enabled) $("otp-enrolment").hidden = true;
  return status;
}

function setupOtp() {
  const errorBox = $("otp-error");
  $("otp-start-button").addEventListener("click", async () => {
    errorBox.hidden = true;
    try {
      const enrolment = await post("/me/2fa");
      $("otp-qr").src = enrolment.qr_svg;
      $("otp-secret").textContent = enrolment.secret;
      $("otp-enrolment").hidden = false;
      $("otp-start-button").hidden = true;
      $("otp-code").focus();
    } catch (error) {
      showError(errorBox, error);
    }
  });
  const confirmForm = $("otp-confirm-form");
  confirmForm.addEventListener("submit", (event) => {
    event.preventDefault();
    errorBox.hidden = true;
    const code = confirmForm.elements.code.value.replace(/\s+/g, "");
    submitting(
      confirmForm,
      async () => {
        await post("/me/2fa/confirm", { code });
        clearFieldErrors(confirmForm);
        confirmForm.reset();
        const mustEnrol = $("must-enrol");
        if (mustEnrol) {
          // The rest of the API opens now: show what the gate hid.
          mustEnrol.remove();
          await Promise.all([loadSessions(), loadTokens()]);
        }
        await loadOtp();
        say(_("Double authentification activée : votre code vous sera demandé à chaque connexion."));
      },
      (error) => showFieldError(confirmForm, errorBox, error, "code"),
    );
  });
  const disableForm = $("otp-disable-form");
  disableForm.addEventListener("submit", (event) => {
    event.preventDefault();
    errorBox.hidden = true;
    submitting(
      disableForm,
      async () => {
        await api("DELETE", "/me/2fa", { password: disableForm.elements.password.value });
        clearFieldErrors(disableForm);
        disableForm.reset();
        await loadOtp();
        say(_("Double authentification désactivée."));
        $("otp-start-button").focus();
      },
      (error) => showFieldError(disableForm, errorBox, error, "password"),
    );
  });
}

// --- security: deleting the account -------------------------------------------------------

function setupDelete() {
  const form = $("delete-form");
  const errorBox = $("delete-error");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    errorBox.hidden = true;
    if (!form.elements.confirm.checked) {
      showFieldError(form, errorBox, new Error(_("Cochez la case pour confirmer la suppression.")), "confirm");
      return;
    }
    submitting(
      form,
      async () => {
        await api("DELETE", "/me", { password: form.elements.password.value });
        location.assign("/login/");
      },
      (error) => showFieldError(form, errorBox, error, "password"),
    );
  });
}

async function setupSecurity() {
  setupLogoutAll();
  setupPassword();
  setupOtp();
  setupDelete();
  await Promise.all([loadSessions(), loadTokens(), loadOtp()]);
  if (location.hash === "#two-factor") $("two-factor").focus();
}

// --- boot ---------------------------------------------------------------------------------

async function boot() {
  const profile = $("profile-form");
  if (profile) setupProfile(profile);
  if ($("sessions")) await setupSecurity();
  document.body.dataset.ready = "true";
}

boot().catch((error) => {
  if (error instanceof ApiError && error.status === 401) location.assign("/login/");
  else say(error.message);
});
