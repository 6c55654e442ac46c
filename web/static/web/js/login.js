import { post, showError } from "./api.js";
import { _ } from "./i18n.js";

const form = document.getElementById("login-form");
const errorBox = document.getElementById("login-error");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  errorBox.hidden = true;
  const email = form.elements.email.value.trim();
  const password = form.elements.password.value;
  if (!email || !password) {
    showError(errorBox, _("Indiquez votre adresse et votre mot de passe."));
    return;
  }
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  try {
    await post("/session", { email, password });
    const next = new URLSearchParams(location.search).get("next");
    location.assign(next && next.startsWith("/") && !next.startsWith("//") ? next : "/");
  } catch (error) {
    showError(errorBox, error);
    form.elements.password.setAttribute("aria-invalid", "true");
  } finally {
    button.disabled = false;
  }
});
