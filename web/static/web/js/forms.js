// Form helpers shared by the account pages: errors tied to their field, a list of problems.
import { showError } from "./api.js";

/** Show an API error in `box`; mark the field it names invalid and tie the message to it. */
export function showFieldError(form, box, error, fallbackField) {
  clearFieldErrors(form);
  const payload = (error && error.payload) || {};
  const problems = Array.isArray(payload.problems) ? payload.problems : [];
  if (problems.length > 1) {
    box.replaceChildren();
    const list = document.createElement("ul");
    for (const problem of problems) {
      const item = document.createElement("li");
      item.textContent = problem;
      list.append(item);
    }
    box.append(list);
    box.hidden = false;
    box.focus();
  } else {
    showError(box, error);
  }
  const name = payload.field || fallbackField;
  const input = name && form.elements[name];
  if (input) {
    input.setAttribute("aria-invalid", "true");
    const described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
    if (!described.includes(box.id)) described.unshift(box.id);
    input.setAttribute("aria-describedby", described.join(" "));
  }
}

export function clearFieldErrors(form) {
  for (const input of form.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
  }
}

/** Run `action` with the form's submit button disabled; errors go to `onError`. */
export async function submitting(form, action, onError) {
  const button = form.querySelector("button[type=submit]");
  if (button) button.disabled = true;
  try {
    await action();
  } catch (error) {
    onError(error);
  } finally {
    if (button) button.disabled = false;
  }
}
