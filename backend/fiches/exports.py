"""A fiche as a Markdown document (the « Exporter en Markdown » download)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _


def _line(text: str) -> str:
    return " ".join(str(text).split())


def to_markdown(fiche: dict[str, Any], *, base_url: str) -> str:
    """``fiche`` as ``fiche_dict`` renders it for the reader; links made absolute."""
    out = [f"# {_line(fiche['title'])}", ""]
    meta = []
    if fiche["theme"]:
        meta.append(f"- **{_('Thème')}** : {_line(fiche['theme']['name'])}")
    if fiche["territory"]:
        t = fiche["territory"]
        meta.append(f"- **{_('Territoire')}** : {_line(t['name'])} ({t['insee_code']})")
    meta.append(f"- **{_('Créée le')}** : {fiche['created_at']}")
    meta.append(f"- **{_('Mise à jour le')}** : {fiche['updated_at']}")
    meta.append(f"- **{_('Version')}** : {fiche['revision_count']}")
    if fiche["validated_by"]:
        meta.append(
            f"- **{_('Validée par')}** : {_line(fiche['validated_by']['name'])} "
            f"({fiche['validated_at']})"
        )
    else:
        meta.append(f"- **{_('Statut')}** : {_('non validée')}")
    out += [*meta, "", f"## {_('Synthèse')}", "", fiche["summary"].strip(), ""]
    if fiche["documents"]:
        out += [f"## {_('Documents')}", ""]
        for doc in fiche["documents"]:
            url = doc["url"] if "://" in doc["url"] else base_url + doc["url"]
            title = _line(doc["title"] or doc["url"]).replace("]", "\\]")
            line = f"- [{title}]({url})"
            if doc["description"]:
                line += f" — {_line(doc['description'])}"
            out.append(line)
        out.append("")
    source = fiche["source"]
    if source["url"]:
        out += [
            f"## {_('Source')}",
            "",
            f"- [{_('Conversation d’origine')} : {_line(source['room']['name'])}]"
            f"({base_url}{source['url']})",
            "",
        ]
    out += [f"## {_('Contributeurs')}", ""]
    for person in fiche["contributors"]:
        roles = []
        if person["source_author"]:
            roles.append(_("auteur de la conversation"))
        if person["editor"]:
            roles.append(_("rédacteur"))
        out.append(f"- {_line(person['name'])} ({', '.join(roles)})")
    out.append("")
    return "\n".join(out)
