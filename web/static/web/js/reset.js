// The two password-reset pages: ask for a link (/password-reset/), use it (/reset/<token>).
import { post } from "./api.js";
import { _ } from "./i18n.js";
import { clearFieldErrors, showFieldError, submitting } from "./forms.js";

const requestForm = document.getElementById("reset-request-form");
if (requestForm) {
  const errorBox = document.getElementById("reset-request-error");
  const done = document.getElementById("reset-request-done");
  requestForm.addEventListener("submit", (event) => {
    event.preventDefault();
    errorBox.hidden = true;
    const email = requestForm.elements.email.value.trim();
    if (!email) {
      showFieldError(requestForm, errorBox, new Error(_("Indiquez votre adresse.")), "email");
      return;
    }
    submitting(
      requestForm,
      async () => {
        const result = await post("/password-reset", { email });
        clearFieldErrors(requestForm);
        requestForm.hidden = true;
        done.textContent = result.message;
        done.hidden = false;
        done.focus();
      },
      (error) => showFieldError(requestForm, errorBox, error, "email"),
    );
  });
}

const confirmForm = document.getElementById("reset-confirm-form");
if (confirmForm) {
  const errorBox = document.getElementById("reset-confirm-error");
  const done = document.getElementById("reset-confirm-done");
  confirmForm.addEventListener("submit", (event) => {
    event.preventDefault();
    errorBox.hidden = true;
    const password = confirmForm.elements.password.value;
    if (password !== confirmForm.elements.password2.value) {
      showFieldError(
        confirmForm,
        errorBox,
        new Error(_("Les deux mots de passe saisis sont différents.")),
        "password2",
      );
      return;
    }
    submitting(
      confirmForm,
      async () => {
        const result = await post("/password-reset/confirm", {
          token: confirmForm.dataset.token,
          password,
        });
        confirmForm.hidden = true;
        document.getElementById("reset-confirm-message").textContent = result.message;
        done.hidden = false;
        done.focus();
      },
      (error) => {
        showFieldError(confirmForm, errorBox, error, error.reason === "weak_password" ? "password" : null);
        if (error.reason === "bad_token") document.getElementById("reset-again").hidden = false;
      },
    );
  });
}
