"""Which rooms' themes a filière's offers are announced in.

Filières are a fixed list (``JobOffer.Field``); themes are created by staff as the platform
grows. An offer is announced in the open thematic rooms whose theme has the filière's own slug
(a staff member may create a « police-municipale » theme) or one of the slugs listed here for it
(the themes the demo and most deployments start with).
"""

from __future__ import annotations

FIELD_THEMES: dict[str, list[str]] = {
    "administrative": ["rh", "finances", "commande-publique", "accueil"],
    "technique": ["urbanisme", "environnement", "si"],
    "culturelle": ["culture"],
    "sportive": ["sport"],
    "sociale": ["action-sociale"],
    "medico-sociale": ["action-sociale", "sante"],
    "medico-technique": ["sante"],
    "animation": ["jeunesse", "action-sociale"],
    "police-municipale": ["securite"],
    "sapeurs-pompiers": ["securite"],
}


def themes_for(field: str) -> list[str]:
    return [field, *FIELD_THEMES.get(field, [])]
