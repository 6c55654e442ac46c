"""Every admin page of Préau's models opens for staff (the admin is how domain requests are reviewed)."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from backend.accounts import services as accounts
from backend.accounts.models import User
from backend.messaging import services as messaging
from backend.rooms import services as rooms
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

OURS = ("accounts", "rooms", "messaging")
MODELS = sorted(
    (m._meta.app_label, m._meta.model_name)
    for m in admin.site._registry
    if m._meta.app_label in OURS
)


@pytest.fixture
def staff_client(org, alice, themes, territories) -> Client:
    room = rooms.room_create(
        actor=alice, name="Salon", kind="thematic", access="open", theme="rh"
    ).room
    messaging.message_send(actor=alice, room_id=room.pk, body="Bonjour")
    accounts.token_create(user=alice)
    accounts.domain_request_file(email="jean@trifouilly.test", organisation_name="Mairie")
    staff = User.objects.create_superuser(
        email="admin@villeurbanne.test", password=PASSWORD, name="Admin"
    )
    client = Client()
    client.force_login(staff)
    return client


@pytest.mark.parametrize(("app", "model"), MODELS, ids=[f"{a}.{m}" for a, m in MODELS])
def test_admin_pages_open(staff_client, app, model):
    model_class = next(
        m for m in admin.site._registry if (m._meta.app_label, m._meta.model_name) == (app, model)
    )
    obj = model_class.objects.first()

    assert staff_client.get(reverse(f"admin:{app}_{model}_changelist")).status_code == 200
    assert staff_client.get(reverse(f"admin:{app}_{model}_changelist") + "?q=a").status_code == 200
    assert staff_client.get(reverse(f"admin:{app}_{model}_add")).status_code == 200
    assert obj is not None
    assert (
        staff_client.get(reverse(f"admin:{app}_{model}_change", args=[obj.pk])).status_code == 200
    )


def test_staff_can_add_an_agent_in_the_admin(staff_client, org):
    response = staff_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "Nouveau@Villeurbanne.test",
            "name": "Nouvel Agent",
            "password1": "une-phrase-de-passe-solide-42",
            "password2": "une-phrase-de-passe-solide-42",
            "usable_password": "true",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email__iexact="nouveau@villeurbanne.test")
    assert user.check_password("une-phrase-de-passe-solide-42")


def test_staff_can_edit_an_agent_in_the_admin(staff_client, alice):
    url = reverse("admin:accounts_user_change", args=[alice.pk])
    form = staff_client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        job_title="Directrice des finances",
        last_login_0="",
        last_login_1="",
        date_joined_0="2026-01-01",
        date_joined_1="10:00:00",
    )
    data["organisation"] = alice.organisation_id
    data["language"] = "fr"

    response = staff_client.post(url, data)

    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else response
    )
    alice.refresh_from_db()
    assert alice.job_title == "Directrice des finances"
    assert alice.check_password(PASSWORD)
