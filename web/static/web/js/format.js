// Dates and times in the page's language and the browser's time zone.
import { _, lang } from "./i18n.js";

const locale = lang.startsWith("en") ? "en-GB" : "fr-FR";
const timeFmt = new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit" });
const fullFmt = new Intl.DateTimeFormat(locale, { dateStyle: "full", timeStyle: "short" });
const dayFmt = new Intl.DateTimeFormat(locale, {
  weekday: "long",
  day: "numeric",
  month: "long",
  year: "numeric",
});

export const formatTime = (date) => timeFmt.format(date);
export const formatFull = (date) => fullFmt.format(date);

export function dayKey(date) {
  return `${date.getFullYear()}-${date.getMonth() + 1}-${date.getDate()}`;
}

export function formatDay(date) {
  const today = new Date();
  const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
  if (dayKey(date) === dayKey(today)) return _("Aujourd’hui");
  if (dayKey(date) === dayKey(yesterday)) return _("Hier");
  const text = dayFmt.format(date);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function initials(name) {
  const parts = String(name || "?").trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? parts[0][0] + parts[parts.length - 1][0] : (parts[0] || "?").slice(0, 2);
  return letters.toUpperCase();
}
