// Shared by the jobs pages: how an offer's place and closing date read.
import { _, fmt, lang } from "./i18n.js";

const dateFmt = new Intl.DateTimeFormat(lang, { day: "numeric", month: "long", year: "numeric" });

/** "2026-11-26" (a calendar day, no time zone) as "26 novembre 2026". */
export function formatDate(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return dateFmt.format(new Date(y, m - 1, d));
}

export function placeOf(location) {
  const commune = location.commune.name;
  return location.departement ? fmt(_("%(commune)s (%(code)s)"), { commune, code: location.departement.code }) : commune;
}

export function closingLine(job) {
  return fmt(job.closed ? _("Close depuis le %(date)s") : _("Candidatures jusqu'au %(date)s"), { date: formatDate(job.closes_on) });
}
