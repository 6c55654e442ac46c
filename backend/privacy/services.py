"""GDPR: a person's data export, account erasure, and per-room retention.

Each kind of personal data has one exporter and is erased in one place; a feature that adds
personal data (files, reactions, votes…) adds its part to ``_EXPORTERS`` and ``account_erase``.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, BinaryIO

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import ApiToken, User, UserSession
from backend.audit.services import audit_record
from backend.common.errors import BadRequest, PreauError, TooLarge
from backend.messaging.models import Attachment, Mention, Message, Reaction, ThreadFollow
from backend.rooms.events import iso
from backend.rooms.models import Invitation, Membership, Room, RoomEvent

FORMER_MEMBER = "Ancien membre"

# --- export ----------------------------------------------------------------------------------


def _profile(user: User) -> Any:
    org = user.organisation
    return {
        "id": user.pk,
        "email": user.email,
        "name": user.name,
        "job_title": user.job_title,
        "organisation": {"id": org.pk, "name": org.name} if org else None,
        "language": user.language,
        "date_joined": iso(user.date_joined),
        "last_login": iso(user.last_login),
        "is_staff": user.is_staff,
    }


def _rooms(user: User) -> Any:
    rows = Membership.objects.filter(user=user).select_related("room").order_by("room_id")
    return [
        {
            "room": {"id": m.room_id, "name": m.room.name, "kind": m.room.kind},
            "role": m.role,
            "joined_at": iso(m.joined_at),
        }
        for m in rows
    ]


def _messages(user: User) -> Any:
    """The person's own messages, each with its room; never anyone else's words."""
    rows = (
        Message.objects.filter(author=user, deleted_at__isnull=True)
        .select_related("room")
        .order_by("created_at", "pk")
    )
    return [
        {
            "id": m.pk,
            "room": {"id": m.room_id, "name": m.room.name},
            "body": m.body,
            "documents": list(m.documents),
            "thread": m.thread_id,
            "created_at": iso(m.created_at),
            "edited_at": iso(m.edited_at),
        }
        for m in rows.iterator(chunk_size=500)
    ]


def _reactions(user: User) -> Any:
    rows = (
        Reaction.objects.filter(user=user, message__deleted_at__isnull=True)
        .select_related("message__room")
        .order_by("created_at", "pk")
    )
    return [
        {
            "message": r.message_id,
            "room": {"id": r.message.room_id, "name": r.message.room.name},
            "emoji": r.emoji,
            "created_at": iso(r.created_at),
        }
        for r in rows
    ]


def _files_of(user: User) -> Any:
    """Files the person uploaded that are still visible: unposted, or on a live message."""
    return (
        Attachment.objects.filter(uploader=user)
        .filter(Q(message__isnull=True) | Q(message__deleted_at__isnull=True))
        .select_related("room")
        .order_by("pk")
    )


def _zip_name(attachment: Attachment) -> str:
    safe = "".join(c if c.isalnum() or c in "._- " else "_" for c in attachment.name)[:100]
    return f"files/{attachment.pk}-{safe or 'fichier'}"


def _files(user: User) -> Any:
    return [
        {
            "id": a.pk,
            "name": a.name,
            "size": a.size,
            "content_type": a.content_type,
            "room": {"id": a.room_id, "name": a.room.name},
            "message": a.message_id,
            "created_at": iso(a.created_at),
            "path": _zip_name(a),
        }
        for a in _files_of(user)
    ]


def _tokens(user: User) -> Any:
    return [
        {
            "name": t.name,
            "kind": t.kind,
            "prefix": t.prefix,
            "created_at": iso(t.created_at),
            "last_used_at": iso(t.last_used_at),
            "revoked_at": iso(t.revoked_at),
        }
        for t in ApiToken.objects.filter(user=user)
    ]


def _sessions(user: User) -> Any:
    return [
        {
            "created_at": iso(s.created_at),
            "last_seen_at": iso(s.last_seen_at),
            "user_agent": s.user_agent,
            "ip": s.ip,
        }
        for s in UserSession.objects.filter(user=user)
    ]


def _community(user: User) -> Any:
    from backend.community.models import MemberProfile, PointEntry, Standing, UsefulMark

    profile = MemberProfile.objects.filter(user=user).select_related("territory").first()
    standing = Standing.objects.filter(user=user).first()
    return {
        "directory_profile": {
            "skills": profile.skills,
            "cv": profile.cv,
            "cv_public": profile.cv_public,
            "show_email": profile.show_email,
            "territory": profile.territory.insee_code if profile.territory else None,
        }
        if profile
        else None,
        "level": standing.level if standing else 1,
        "points": standing.points if standing else 0,
        "ledger": [
            {"kind": e.kind, "amount": e.amount, "source": e.source, "at": iso(e.created_at)}
            for e in PointEntry.objects.filter(user=user).order_by("pk")
        ],
        "useful_marks_given": [
            {"message": m.message_id, "at": iso(m.created_at)}
            for m in UsefulMark.objects.filter(marked_by=user).order_by("pk")
        ],
    }


def _reports(user: User) -> Any:
    """The reports the person filed, in their own words (not the moderators' notes)."""
    from backend.moderation.models import Report

    return [
        {
            "message": r.message_id,
            "room": r.room_id,
            "reason": r.reason,
            "status": r.status,
            "created_at": iso(r.created_at),
            "handled_at": iso(r.handled_at),
        }
        for r in Report.objects.filter(reporter=user).order_by("pk")
    ]


def _jobs(user: User) -> Any:
    from backend.jobs.selectors import offers_for_export

    return offers_for_export(user)


def _webinars(user: User) -> Any:
    from backend.webinars.selectors import webinar_data_for_export

    return webinar_data_for_export(user)


def _fiches(user: User) -> Any:
    from backend.fiches.selectors import fiche_data_for_export

    return fiche_data_for_export(user)


def _contacts(user: User) -> Any:
    from backend.contacts.models import Contact, ContactInvitation
    from backend.direct.models import Block

    rows = Contact.objects.filter(owner=user).select_related("contact").order_by("pk")
    return {
        "contacts": [
            {"id": r.contact_id, "name": r.contact.name, "added_at": iso(r.created_at)}
            for r in rows
        ],
        # Only when invitations were sent: their addresses are not kept (a digest only).
        "invitations_sent": [
            iso(i.created_at) for i in ContactInvitation.objects.filter(inviter=user).order_by("pk")
        ],
        # The people one blocked (never who blocked oneself: that stays private to them).
        "blocked": [
            {"id": b.blocked_id, "name": b.blocked.name, "blocked_at": iso(b.created_at)}
            for b in Block.objects.filter(blocker=user).select_related("blocked").order_by("pk")
        ],
    }


def _home(user: User) -> Any:
    from backend.home.selectors import seen_until_of

    return {"seen_until": iso(seen_until_of(user))}


_EXPORTERS: dict[str, Callable[[User], Any]] = {
    "profile.json": _profile,
    "rooms.json": _rooms,
    "messages.json": _messages,
    "reactions.json": _reactions,
    "files.json": _files,
    "tokens.json": _tokens,
    "sessions.json": _sessions,
    "community.json": _community,
    "jobs.json": _jobs,
    "contacts.json": _contacts,
    "reports.json": _reports,
    "webinars.json": _webinars,
    "fiches.json": _fiches,
    "home.json": _home,
}

_README = """Export de vos données Préau ({date})

profile.json   votre profil
rooms.json     les salons dont vous êtes membre
messages.json  vos messages (non supprimés), avec le nom de leur salon
reactions.json vos réactions
files.json     les fichiers que vous avez déposés ; leur contenu est dans files/
tokens.json    vos jetons d'API (sans leur valeur secrète)
sessions.json  vos sessions ouvertes
community.json votre fiche d'annuaire (compétences, CV), votre niveau, vos points et les
               réponses que vous avez marquées utiles
reports.json   les signalements que vous avez faits, avec votre motif
jobs.json      les offres d'emploi que vous avez publiées
contacts.json  vos contacts, la date des invitations que vous avez envoyées et les
               personnes que vous avez bloquées
webinars.json  vos inscriptions et rôles aux webinaires, vos questions, vos votes,
               votre lien d'agenda (sans sa valeur secrète)
fiches.json    les fiches pratiques que vous avez créées, vos versions et vos crédits
home.json      jusqu'où vous avez vu votre page d'accueil (« Tout marquer comme vu »)

Les messages des autres personnes ne figurent pas dans cet export.
"""


def user_export(*, user: User, out: BinaryIO) -> None:
    """Write a zip of the person's data to ``out``: one JSON file per kind, files, a README."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", _README.format(date=iso(timezone.now())))
        for name, exporter in _EXPORTERS.items():
            archive.writestr(
                name, json.dumps(exporter(user), ensure_ascii=False, indent=2, default=str)
            )
        for attachment in _files_of(user):
            try:
                with (
                    attachment.file.open("rb") as source,
                    archive.open(_zip_name(attachment), "w") as target,
                ):
                    shutil.copyfileobj(source, target, 1024 * 1024)
            except OSError:  # listed in files.json; its content is missing from storage
                continue


# --- erasure ---------------------------------------------------------------------------------


def _rename_in(data: Any, user_id: int) -> Any:
    """The event payload with every reference to the user named "Ancien membre"."""
    if isinstance(data, dict):
        # A user reference: {id, name}, or a message author's {id, name, level} (a former
        # member has no level).
        if data.get("id") == user_id and set(data) in ({"id", "name"}, {"id", "name", "level"}):
            return {"id": user_id, "name": FORMER_MEMBER}
        return {k: _rename_in(v, user_id) for k, v in data.items()}
    if isinstance(data, list):
        return [_rename_in(v, user_id) for v in data]
    return data


_USER_REF_KEYS = (
    "author",
    "user",
    "by",
    "edited_by",
    "deleted_by",
    "removed_by",
    "asker",  # webinar questions
    "answered_by",
)


def _anonymise_events(user: User) -> None:
    refs = Q()
    for key in _USER_REF_KEYS:
        refs |= Q(**{f"data__{key}__id": user.pk})
    for event in RoomEvent.objects.filter(refs).iterator(chunk_size=500):
        event.data = _rename_in(event.data, user.pk)
        event.save(update_fields=["data"])


@dataclass(frozen=True)
class ErasureResult:
    mode: str
    messages_deleted: int


def account_erase(
    *, user: User, password: str, mode: str | None = None, ip: str | None = None
) -> ErasureResult:
    """Delete an account at its owner's request.

    The row stays (messages reference it) but holds nothing personal: no email, no name, no
    password. With ``anonymise`` the messages stay, signed "Ancien membre"; with ``delete``
    they are deleted as if by their author, so every client's replay stays consistent, and so
    are their webinar questions (votes taken back), their credits on fiches and their job
    offers on the board. Contacts and blocks (both ways), invitations, webinar registrations and roles
    and the calendar link go in both modes.
    """
    from backend.accounts.sessions import user_sessions_end
    from backend.fiches.services import fiche_credits_erase
    from backend.jobs.services import jobs_withdraw_of_erased
    from backend.messaging.services import message_remove
    from backend.messaging.services.files import attachments_erase
    from backend.messaging.services.reactions import reaction_remove
    from backend.rooms.services import room_leave
    from backend.webinars.services.erasure import (
        webinar_content_erase,
        webinar_quotes_refresh,
        webinar_ties_end,
    )
    from realtime import publish

    mode = mode or settings.PREAU_ERASURE
    if len(password) > 1024:
        raise TooLarge(_("Le mot de passe est trop long."))
    if user.is_bot or not user.check_password(password):
        raise BadRequest(_("Mot de passe incorrect."), reason="wrong_password")
    deleted = 0
    with transaction.atomic():
        if mode == "delete":
            for message_id in Message.objects.filter(author=user).values_list("pk", flat=True):
                message_remove(message_id=message_id, by=user, erase=True)
                deleted += 1
            for reaction in Reaction.objects.filter(user=user):
                try:
                    reaction_remove(
                        actor=user, message_id=reaction.message_id, emoji=reaction.emoji
                    )
                except PreauError:  # a room the person has left: no event to tell
                    reaction.delete()
            webinar_content_erase(user=user)
            fiche_credits_erase(user=user)
            jobs_withdraw_of_erased(user=user)
        webinar_ties_end(user=user)
        for room_id in Membership.objects.filter(user=user).values_list("room_id", flat=True):
            try:
                room_leave(actor=user, room_id=room_id)
            except PreauError:  # e.g. the room is gone meanwhile
                Membership.objects.filter(user=user, room_id=room_id).delete()
        user_sessions_end(user=user)
        Invitation.objects.filter(invitee=user).delete()
        Mention.objects.filter(user=user).delete()
        attachments_erase(Attachment.objects.filter(uploader=user, message__isnull=True))
        ThreadFollow.objects.filter(user=user).delete()
        from backend.home.models import HomeSeen

        HomeSeen.objects.filter(user=user).delete()
        from backend.community.models import MemberProfile

        MemberProfile.objects.filter(user=user).delete()  # skills, CV, its publication
        from backend.contacts.models import Contact, ContactInvitation

        Contact.objects.filter(Q(owner=user) | Q(contact=user)).delete()
        ContactInvitation.objects.filter(inviter=user).delete()
        from backend.direct.models import Block

        Block.objects.filter(Q(blocker=user) | Q(blocked=user)).delete()
        ApiToken.objects.filter(user=user).delete()
        from django_otp.plugins.otp_totp.models import TOTPDevice

        TOTPDevice.objects.filter(user=user).delete()
        _anonymise_events(user)
        user.name = FORMER_MEMBER
        user.email = f"ancien-membre-{user.pk}@erased.preau.invalid"
        user.job_title = ""
        user.is_active = False
        user.is_staff = False
        user.is_superuser = False
        user.set_unusable_password()
        user.save()
        webinar_quotes_refresh(user=user, erased=mode == "delete")
        for bot in User.objects.filter(bot_owner=user, is_active=True):
            bot.is_active = False
            bot.save(update_fields=["is_active"])
            ApiToken.objects.filter(user=bot).delete()
            audit_record(
                action="bot.deleted", actor=user, target=f"user:{bot.pk}", ip=ip, reason="owner"
            )
        audit_record(
            action="account.erased", actor=user, target=f"user:{user.pk}", ip=ip, reason=mode
        )
        user_id = user.pk
        transaction.on_commit(lambda: publish.user_deactivated(user_id=user_id))
    return ErasureResult(mode=mode, messages_deleted=deleted)


# --- retention -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PurgeResult:
    rooms: int
    messages: int


def retention_purge(*, now: datetime | None = None, dry_run: bool = False) -> PurgeResult:
    """Delete messages older than their room's retention, bodies blanked and events redacted."""
    from backend.messaging.services import message_remove

    now = now or timezone.now()
    rooms = Room.objects.filter(retention_days__isnull=False).order_by("pk")
    purged = rooms_touched = 0
    for room in rooms:
        cutoff = now - timedelta(days=room.retention_days or 0)
        old = Message.objects.filter(room=room, created_at__lt=cutoff).filter(
            Q(deleted_at__isnull=True) | ~Q(body="") | ~Q(documents=[])
        )
        ids = list(old.values_list("pk", flat=True))
        if not ids:
            continue
        rooms_touched += 1
        purged += len(ids)
        if dry_run:
            continue
        for message_id in ids:
            message_remove(message_id=message_id, by=None, erase=True)
    return PurgeResult(rooms=rooms_touched, messages=purged)
