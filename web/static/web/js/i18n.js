// Thin wrappers over Django's JavaScript catalogue (/jsi18n/, loaded before the modules).
const g = globalThis;

export const _ = (text) => (g.gettext ? g.gettext(text) : text);

/** Fill the named placeholders of an already translated string: fmt(_("%(n)s…"), {n}). */
export function fmt(template, values) {
  return g.interpolate
    ? g.interpolate(template, values, true)
    : template.replace(/%\((\w+)\)s/g, (_m, k) => String(values[k]));
}

export function ngettext(singular, plural, count, values = {}) {
  const template = g.ngettext ? g.ngettext(singular, plural, count) : count === 1 ? singular : plural;
  const all = { count, ...values };
  return template.replace(/%\((\w+)\)s/g, (_m, k) => String(all[k]));
}

export const lang = document.documentElement.lang || "fr";
