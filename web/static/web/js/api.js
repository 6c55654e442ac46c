// JSON calls to /api/v1/ with the session cookie and the CSRF token on unsafe methods.
import { _ } from "./i18n.js";

export class ApiError extends Error {
  constructor(status, payload) {
    super((payload && payload.message) || _("Erreur inattendue ; réessayez."));
    this.status = status;
    this.code = (payload && payload.code) || "network";
    this.reason = payload && payload.reason;
    this.payload = payload || {};
  }
}

export function csrfToken() {
  // The cookie is authoritative: Django rotates the token at login.
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  if (match) return decodeURIComponent(match[1]);
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

export async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  const init = { method, headers, credentials: "same-origin" };
  if (method !== "GET" && method !== "HEAD") {
    headers["X-CSRFToken"] = csrfToken();
  }
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch("/api/v1" + path, init);
  } catch (_err) {
    throw new ApiError(0, { code: "network", message: _("Le serveur est injoignable.") });
  }
  const text = await response.text();
  let payload = null;
  if (text) {
    try {
      payload = JSON.parse(text);
    } catch (_err) {
      payload = null;
    }
  }
  if (!response.ok) throw new ApiError(response.status, payload);
  return payload;
}

/** POST one file as multipart `file` (the browser sets the boundary). */
export async function upload(path, file) {
  const body = new FormData();
  body.append("file", file, file.name);
  let response;
  try {
    response = await fetch("/api/v1" + path, {
      method: "POST",
      body,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken() },
    });
  } catch (_err) {
    throw new ApiError(0, { code: "network", message: _("Le serveur est injoignable.") });
  }
  let payload = null;
  try {
    payload = await response.json();
  } catch (_err) {
    payload = null;
  }
  if (!response.ok) {
    if (response.status === 413 && !(payload && payload.message)) {
      payload = { code: "too_large", message: _("Fichier trop volumineux.") };
    }
    throw new ApiError(response.status, payload);
  }
  return payload;
}

export const get = (path) => api("GET", path);
export const post = (path, body) => api("POST", path, body ?? {});
export const patch = (path, body) => api("PATCH", path, body);
export const del = (path, body) => api("DELETE", path, body);

export function showError(box, error) {
  box.textContent = error instanceof Error ? error.message : String(error);
  box.hidden = false;
  box.focus();
}
