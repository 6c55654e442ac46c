from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from backend.rooms.models import Territory


@pytest.fixture
def places(territories: dict[str, Territory]) -> dict[str, Territory]:
    """Villeurbanne and Lyon in the Rhône (69, Auvergne-Rhône-Alpes), Carcassonne in the Aude
    (11, whose code is also Île-de-France's)."""
    occitanie = Territory.objects.create(level="region", insee_code="76", name="Occitanie")
    aude = territories["aude"]
    aude.parent = occitanie
    aude.save()
    lyon = Territory.objects.create(
        level="commune", insee_code="69123", name="Lyon", parent=territories["69"]
    )
    carcassonne = Territory.objects.create(
        level="commune", insee_code="11069", name="Carcassonne", parent=aude
    )
    return {**territories, "69123": lyon, "11069": carcassonne, "76": occitanie}


def in_days(n: int) -> str:
    return (timezone.localdate() + timedelta(days=n)).isoformat()


def offer(**overrides: Any) -> dict[str, Any]:
    """A valid body of POST /jobs."""
    return {
        "title": "Responsable des ressources humaines",
        "commune": "69266",
        "category": "A",
        "field": "administrative",
        "closes_on": in_days(30),
        "link": "https://www.emploi-territorial.fr/offre/42",
        "description": "## Missions\n\nPiloter la **paie**.",
        **overrides,
    }
