// Shared parts of the fiches pratiques pages: element builder, theme options, ready mark.
import { get } from "./api.js";

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

/** Fill a <select> (keeping its first, empty option) with the platform's themes. */
export async function fillThemes(select, chosen = "") {
  const themes = await get("/themes");
  select.append(...themes.map((t) => el("option", { value: t.slug, text: t.name })));
  select.value = chosen || "";
}

export function markReady() {
  document.body.dataset.ready = "true";
}

export function placeLabel(fiche) {
  const parts = [];
  if (fiche.theme) parts.push(fiche.theme.name);
  if (fiche.territory) parts.push(`${fiche.territory.name} (${fiche.territory.insee_code})`);
  return parts.join(" · ");
}
