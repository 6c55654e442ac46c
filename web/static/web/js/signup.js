import { post, showError } from "./api.js";
import { _, fmt } from "./i18n.js";

const form = document.getElementById("signup-form");
const errorBox = document.getElementById("signup-error");
const done = document.getElementById("signup-done");
const section = document.getElementById("domain-request");
const drForm = document.getElementById("domain-request-form");
const drError = document.getElementById("domain-request-error");
const drDone = document.getElementById("domain-request-done");

// An invitation link (contact import) names the invited address: fill it in.
const invited = new URLSearchParams(location.search).get("email");
if (invited && !form.elements.email.value) form.elements.email.value = invited.slice(0, 254);

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  errorBox.hidden = true;
  section.hidden = true;
  const data = Object.fromEntries(new FormData(form));
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const result = await post("/signup", {
      email: data.email.trim(),
      password: data.password,
      name: data.name.trim(),
      job_title: data.job_title.trim(),
    });
    form.hidden = true;
    done.textContent =
      result.message + " " + _("Ouvrez le lien reçu pour activer votre compte.");
    done.hidden = false;
    done.focus();
  } catch (error) {
    showError(errorBox, error);
    if (error.reason === "domain_not_registered") {
      drForm.elements.email.value = data.email.trim();
      section.hidden = false;
    }
  } finally {
    button.disabled = false;
  }
});

drForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  drError.hidden = true;
  const data = Object.fromEntries(new FormData(drForm));
  const button = drForm.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    const result = await post("/domain-requests", {
      email: data.email.trim(),
      organisation_name: data.organisation_name.trim(),
      organisation_kind: data.organisation_kind,
      message: data.message,
    });
    drForm.hidden = true;
    drDone.textContent = interpolateDomain(result.domain);
    drDone.hidden = false;
    drDone.focus();
  } catch (error) {
    showError(drError, error);
  } finally {
    button.disabled = false;
  }
});

function interpolateDomain(domain) {
  return fmt(
    _("Demande enregistrée pour le domaine %(domain)s. Vous recevrez un message quand elle aura été examinée."),
    { domain },
  );
}
