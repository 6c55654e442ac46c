"""The administration an operator uses: pages for staff only, and actions that take effect."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.test import Client
from django.urls import reverse

from backend.accounts import services as accounts
from backend.accounts.models import ApiToken, DomainRequest, User
from backend.rooms import services as rooms
from backend.rooms.models import Membership, Room, RoomEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

PAGES = [
    ("accounts", "organisation"),
    ("accounts", "organisationdomain"),
    ("accounts", "domainrequest"),
    ("accounts", "user"),
    ("accounts", "apitoken"),
    ("rooms", "room"),
]
FILTERS = {
    "user": "?is_active__exact=1&is_bot__exact=0&is_staff__exact=0",
    "apitoken": "?revoked=no&kind__exact=personal",
    "room": "?archived=no&kind__exact=thematic",
    "domainrequest": "?status__exact=pending",
}


@pytest.fixture
def staff(db) -> User:
    return User.objects.create_superuser(
        email="admin@villeurbanne.test", password=PASSWORD, name="Admin"
    )


@pytest.fixture
def room(alice, themes) -> Room:
    return rooms.room_create(
        actor=alice, name="Salon RH", kind="thematic", access="open", theme="rh"
    ).room


@pytest.fixture
def content(org, alice, room) -> dict:
    token = accounts.token_create(user=alice).record
    bot = accounts.bot_create(name="Robot agenda", owner=alice).record
    req = accounts.domain_request_file(email="jean@trifouilly.test", organisation_name="Mairie")
    return {
        "organisation": org,
        "organisationdomain": org.domains.first(),
        "domainrequest": req,
        "user": bot.user,
        "apitoken": token,
        "room": room,
    }


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(("app", "model"), PAGES, ids=[m for _, m in PAGES])
def test_admin_pages_render_for_staff_and_send_others_to_the_login(
    content, staff, alice, app, model
):
    obj = content[model]
    urls = [
        reverse(f"admin:{app}_{model}_changelist"),
        reverse(f"admin:{app}_{model}_changelist") + "?q=a",
        reverse(f"admin:{app}_{model}_changelist") + FILTERS.get(model, ""),
        reverse(f"admin:{app}_{model}_change", args=[obj.pk]),
    ]
    for url in urls:
        assert logged_in(staff).get(url).status_code == 200, url
        for client in (logged_in(alice), Client()):
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("admin:login"))


def act(client: Client, app: str, model: str, action: str, *pks: int):  # type: ignore[no-untyped-def]
    return client.post(
        reverse(f"admin:{app}_{model}_changelist"),
        {"action": action, "_selected_action": [str(pk) for pk in pks]},
    )


def test_deactivating_agents_closes_their_sockets_and_is_logged(
    staff, alice, bob, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = act(logged_in(staff), "accounts", "user", "deactivate", alice.pk, bob.pk)

    assert response.status_code == 302
    assert not User.objects.filter(pk__in=[alice.pk, bob.pk], is_active=True).exists()
    closed = sorted(ch for ch, payload in published if payload == {"control": "deactivated"})
    assert len(closed) == 2
    assert LogEntry.objects.filter(object_id=str(alice.pk), change_message="deactivated").exists()


def test_unticking_active_in_the_agent_form_closes_the_sockets_too(
    staff, alice, published, django_capture_on_commit_callbacks
):
    client = logged_in(staff)
    url = reverse("admin:accounts_user_change", args=[alice.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        is_active="",
        last_login_0="",
        last_login_1="",
        date_joined_0="2026-01-01",
        date_joined_1="10:00:00",
        organisation=alice.organisation_id,
        bot_owner="",
    )
    data = {k: v for k, v in data.items() if v is not False}

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    alice.refresh_from_db()
    assert not alice.is_active
    assert [p for _, p in published if p == {"control": "deactivated"}]


def test_staff_cannot_deactivate_their_own_account(staff):
    act(logged_in(staff), "accounts", "user", "deactivate", staff.pk)

    staff.refresh_from_db()
    assert staff.is_active


def test_make_staff_promotes_verified_agents_only(staff, alice, content):
    bot = content["user"]

    act(logged_in(staff), "accounts", "user", "make_staff", alice.pk, bot.pk)

    alice.refresh_from_db()
    bot.refresh_from_db()
    assert alice.is_staff and not bot.is_staff


def test_revoking_tokens_stops_them_at_once(
    staff, alice, published, django_capture_on_commit_callbacks
):
    issued = accounts.token_create(user=alice)
    assert accounts.token_authenticate(issued.token) == alice

    with django_capture_on_commit_callbacks(execute=True):
        act(logged_in(staff), "accounts", "apitoken", "revoke", issued.record.pk)

    assert ApiToken.objects.get(pk=issued.record.pk).revoked_at is not None
    assert accounts.token_authenticate(issued.token) is None
    assert ("token_revoked", issued.record.pk) in [
        (p.get("control"), p.get("token")) for _, p in published
    ]


def test_archiving_a_room_hides_it_and_tells_its_readers(staff, room, alice, api_for):
    act(logged_in(staff), "rooms", "room", "archive", room.pk)

    room.refresh_from_db()
    assert room.archived_at is not None
    last = RoomEvent.objects.filter(room=room).order_by("-seq").first()
    assert last.kind == "room.updated" and last.data["room"]["id"] == room.pk
    assert room.pk not in [r["id"] for r in api_for(alice).get("/rooms").json_body]


def test_changing_the_owner_keeps_the_former_one_as_moderator(staff, room, alice, bob):
    rooms.room_owner_set(actor=staff, room_id=room.pk, user_id=bob.pk)

    roles = dict(Membership.objects.filter(room=room).values_list("user_id", "role"))
    assert roles == {alice.pk: "moderator", bob.pk: "owner"}
    kinds = list(RoomEvent.objects.filter(room=room).order_by("seq").values_list("kind", flat=True))
    assert kinds[-2:] == ["member.role_changed", "member.joined"]


def test_changing_the_owner_is_for_staff_only(room, alice, bob):
    from backend.common.errors import NotFound

    with pytest.raises(NotFound):
        rooms.room_owner_set(actor=alice, room_id=room.pk, user_id=bob.pk)


def test_room_form_offers_the_owner_field(staff, room, alice):
    response = logged_in(staff).get(reverse("admin:rooms_room_change", args=[room.pk]))

    assert response.context["adminform"].form.fields["owner"].initial == alice.pk


@pytest.mark.parametrize(
    ("action", "status", "words"),
    [
        ("approve", DomainRequest.Status.APPROVED, "ajouté"),
        ("reject", DomainRequest.Status.REJECTED, "pas été retenue"),
    ],
)
def test_reviewing_a_domain_request_emails_the_requester(
    staff, action, status, words, django_capture_on_commit_callbacks
):
    req = accounts.domain_request_file(email="jean@trifouilly.test", organisation_name="Mairie")

    with django_capture_on_commit_callbacks(execute=True):
        act(logged_in(staff), "accounts", "domainrequest", action, req.pk)

    req.refresh_from_db()
    assert req.status == status and req.reviewed_by == staff
    assert [m.to for m in mail.outbox] == [["jean@trifouilly.test"]]
    assert words in mail.outbox[0].subject + mail.outbox[0].body


def test_the_admin_speaks_french(staff, content):
    page = logged_in(staff).get(reverse("admin:accounts_user_changelist")).content.decode()

    assert "Désactiver les agents sélectionnés" in page
    assert "Rechercher" in page and "Filtre" in page
