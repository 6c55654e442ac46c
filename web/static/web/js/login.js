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
  const otpField = document.getElementById("login-otp-field");
  const body = { email, password };
  if (!otpField.hidden) body.otp = form.elements.otp.value.replace(/\s+/g, "");
  try {
    await post("/session", body);
    const next = new URLSearchParams(location.search).get("next");
    location.assign(next && next.startsWith("/") && !next.startsWith("//") ? next : "/");
  } catch (error) {
    if (error.reason === "otp_required" || error.reason === "bad_otp") {
      // The password was right: the account has two-factor authentication; ask for the code.
      const firstAsk = otpField.hidden;
      otpField.hidden = false;
      form.elements.password.removeAttribute("aria-invalid");
      form.elements.otp.setAttribute("aria-invalid", String(error.reason === "bad_otp"));
      showError(errorBox, error);
      if (firstAsk || error.reason === "bad_otp") form.elements.otp.focus();
    } else {
      showError(errorBox, error);
      form.elements.password.setAttribute("aria-invalid", "true");
    }
  } finally {
    button.disabled = false;
  }
});
