"""Helpers shared by the backend tests: rooms, write counters and a publish recorder."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from backend.accounts.models import ApiToken, DomainRequest, Organisation, User
from backend.community.models import MemberProfile, PointEntry, UsefulMark
from backend.fiches.models import Fiche, FicheContributor, FicheRevision
from backend.integrations.models import (
    Announcement,
    AnnouncementDelivery,
    BotGrant,
    IncomingWebhook,
    OutgoingDelivery,
    OutgoingWebhook,
)
from backend.jobs.models import JobAnnouncement, JobOffer
from backend.messaging.models import Mention, Message, MessageRevision, Reaction, ThreadFollow
from backend.moderation.models import Ban, HiddenMessage, Mute, Pin, Report, RoomPolicy
from backend.rooms import services as rooms
from backend.rooms.models import Invitation, Membership, Room, RoomEvent
from backend.webinars.models import (
    Host,
    ModerationAction,
    Question,
    Registration,
    Vote,
    Webinar,
)

WATCHED = [
    Message,
    RoomEvent,
    Room,
    Membership,
    Invitation,
    User,
    Organisation,
    DomainRequest,
    Reaction,
    MessageRevision,
    ThreadFollow,
    Mention,
    BotGrant,
    IncomingWebhook,
    Announcement,
    AnnouncementDelivery,
    Ban,
    HiddenMessage,
    Mute,
    Pin,
    Report,
    RoomPolicy,
    OutgoingWebhook,
    OutgoingDelivery,
    Webinar,
    Host,
    Registration,
    Question,
    Vote,
    ModerationAction,
    PointEntry,
    MemberProfile,
    UsefulMark,
    JobOffer,
    JobAnnouncement,
    Fiche,
    FicheRevision,
    FicheContributor,
]


def row_counts() -> dict[str, int]:
    """Row counts of every table a request could write to (tokens are compared separately)."""
    counts = {model.__name__: model.objects.count() for model in WATCHED}
    counts["ApiToken"] = ApiToken.objects.count()
    return counts


@pytest.fixture
def make_room(db: Any) -> Callable[..., Room]:
    def make(
        actor: User, name: str = "Salon", kind: str = "private", access: str = "invite", **kw: Any
    ) -> Room:
        return rooms.room_create(actor=actor, name=name, kind=kind, access=access, **kw).room

    return make


@pytest.fixture
def room(make_room: Callable[..., Room], alice: User, bob: User) -> Room:
    """A private room of Alice's in which Bob is a member (events 1-3: joined, invited, joined)."""
    room = make_room(alice, name="Cellule de crise")
    rooms.room_invite(actor=alice, room_id=room.pk, user_id=bob.pk)
    rooms.room_join(actor=bob, room_id=room.pk)
    return room


def send(user: User, room: Room, body: str, **fields: Any) -> Message:
    """Post a message through the service, as any client would."""
    from backend.messaging import services as messaging

    return messaging.message_send(actor=user, room_id=room.pk, body=body, **fields).message


@pytest.fixture
def published(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """Every (channel, payload) the backend hands to the bus."""
    from realtime import publish

    sent: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(
        publish, "_publish", lambda channel, payload: sent.append((channel, payload))
    )
    yield sent
