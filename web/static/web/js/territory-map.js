// The members-by-territory map: the vendored départements (data/france-departements.json, CC BY
// 4.0, see data/README.md) drawn as an inline SVG, shaded by member count. No external request.
import { _, ngettext } from "./i18n.js";

const SVG = "http://www.w3.org/2000/svg";

function shade(count, max) {
  if (!count) return "";
  if (max <= 1 || count / max <= 0.34) return "has-1";
  return count / max <= 0.67 ? "has-2" : "has-3";
}

// counts: Map(code -> {name, count}); onPick(code) filters the directory by département.
export async function drawMap(container, counts, onPick) {
  const response = await fetch(container.dataset.src || "/static/web/data/france-departements.json");
  const data = await response.json();
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", data.viewBox);
  svg.setAttribute("role", "group");
  svg.setAttribute("aria-label", _("Carte des membres par département"));
  const max = Math.max(0, ...[...counts.values()].map((c) => c.count));
  for (const dep of data.departements) {
    const found = counts.get(dep.code);
    const count = found ? found.count : 0;
    const path = document.createElementNS(SVG, "path");
    path.setAttribute("d", dep.d);
    const cls = shade(count, max);
    if (cls) path.setAttribute("class", cls);
    const label = ngettext("%(name)s (%(code)s) : %(n)s membre", "%(name)s (%(code)s) : %(n)s membres", count, {
      name: dep.name,
      code: dep.code,
      n: count,
    });
    const title = document.createElementNS(SVG, "title");
    title.textContent = label;
    path.append(title);
    if (count) {
      // Only départements with members are links (keyboard reachable), the rest is decoration.
      const link = document.createElementNS(SVG, "a");
      link.setAttribute("href", `?territory=${encodeURIComponent(dep.code)}`);
      link.setAttribute("aria-label", label);
      link.dataset.code = dep.code;
      link.addEventListener("click", (event) => {
        event.preventDefault();
        onPick(dep.code);
      });
      link.append(path);
      svg.append(link);
    } else {
      path.setAttribute("aria-hidden", "true");
      svg.append(path);
    }
  }
  container.replaceChildren(svg);
}
