"""Staff read fiches in the admin (and may remove one); editing goes through the app."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from backend.accounts.models import User
from backend.fiches.models import Fiche
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_staff_read_and_remove_a_fiche_in_the_admin(fiche):
    staff = User.objects.create_superuser(
        email="admin@villeurbanne.test", password=PASSWORD, name="Admin"
    )
    client = Client()
    client.force_login(staff)

    listing = client.get(reverse("admin:fiches_fiche_changelist") + "?q=budg")
    page = client.get(reverse("admin:fiches_fiche_change", args=[fiche.pk]))
    removed = client.post(reverse("admin:fiches_fiche_delete", args=[fiche.pk]), {"post": "yes"})

    assert listing.status_code == 200 and fiche.title in listing.content.decode()
    assert page.status_code == 200
    assert client.get(reverse("admin:fiches_fiche_add")).status_code == 403
    assert removed.status_code == 302
    assert not Fiche.objects.filter(pk=fiche.pk).exists()
