"""Writes for fiches pratiques: create from a conversation, edit (a new revision each time),
validate, publish for every agent. Points go to the contributors (community ledger)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.audit.services import audit_record
from backend.common.errors import BadRequest, TooLarge
from backend.community.levels import points_award, points_withdraw, require_may_write_fiches
from backend.messaging.models import Message
from backend.rooms.models import Territory, Theme
from backend.rooms.services import territory_lookup

from .access import access_fiche, governing_room_id, require_animateur
from .indexing import fiche_index
from .models import Fiche, FicheContributor, FicheRevision
from .sources import documents_choose, source_documents, source_resolve

TITLE_MAX = 200
SUMMARY_MAX = 20_000
NOTE_MAX = 500


@dataclass(frozen=True)
class FicheResult:
    fiche: Fiche
    changed: bool = True


def _text(value: Any, name: str, limit: int, *, required: bool) -> str:
    if not isinstance(value, str):
        raise BadRequest(_("« %(name)s » doit être une chaîne de caractères.") % {"name": name})
    if len(value) > limit:
        raise TooLarge(
            _("« %(name)s » est trop long (%(n)s caractères au plus).") % {"name": name, "n": limit}
        )
    value = value.strip()
    if required and not value:
        raise BadRequest(_("« %(name)s » ne peut pas être vide.") % {"name": name})
    return value


def _theme(slug: Any) -> Theme | None:
    slug = _text(slug, "theme", 64, required=False).lower()
    if not slug:
        return None
    theme = Theme.objects.filter(slug=slug).first()
    if theme is None:
        raise BadRequest(_("Thème inconnu : %(s)s") % {"s": slug}, reason="unknown_theme")
    return theme


def _territory(code: Any, level: Any) -> Territory | None:
    code = _text(code, "territory", 100, required=False)
    if len(code) > 5:
        raise BadRequest(_("Territoire inconnu : %(c)s") % {"c": code}, reason="unknown_territory")
    if level is not None and level not in Territory.Level.values:
        raise BadRequest(_("« territory_level » vaut commune, departement ou region."))
    return territory_lookup(code, level) if code else None


def theme_ref(theme: Theme | None) -> dict[str, str] | None:
    return {"slug": theme.slug, "name": theme.name} if theme is not None else None


def territory_ref(territory: Territory | None) -> dict[str, str] | None:
    if territory is None:
        return None
    return {"insee_code": territory.insee_code, "name": territory.name, "level": territory.level}


def _snapshot(fiche: Fiche, *, author: User, note: str) -> FicheRevision:
    return FicheRevision.objects.create(
        fiche=fiche,
        number=fiche.revision_count,
        author=author,
        created_at=fiche.updated_at,
        title=fiche.title,
        summary=fiche.summary,
        theme=theme_ref(fiche.theme),
        territory=territory_ref(fiche.territory),
        note=note,
    )


def _credit(fiche: Fiche, user_id: int, *, source_author: bool = False) -> None:
    """Credit a contributor once per fiche (and their points, once per fiche too)."""
    row, _created = FicheContributor.objects.get_or_create(fiche=fiche, user_id=user_id)
    changed = []
    if source_author and not row.source_author:
        row.source_author = True
        changed.append("source_author")
    if not source_author and not row.editor:
        row.editor = True
        changed.append("editor")
    if changed:
        row.save(update_fields=changed)
    points_award(user_id=user_id, kind="fiche", source=f"fiche:{fiche.pk}")


@transaction.atomic
def fiche_create(
    *,
    actor: User,
    title: Any,
    summary: Any,
    thread: Any = None,
    messages: Any = None,
    theme: Any = "",
    territory: Any = "",
    territory_level: Any = None,
    document_urls: Any = None,
) -> FicheResult:
    title = _text(title, "title", TITLE_MAX, required=True)
    summary = _text(summary, "summary", SUMMARY_MAX, required=True)
    chosen_theme = _theme(theme)
    chosen_territory = _territory(territory, territory_level)
    source = source_resolve(actor=actor, thread=thread, messages=messages)
    require_may_write_fiches(actor=actor)
    documents = documents_choose(source_documents(source.messages), document_urls)
    now = timezone.now()
    fiche = Fiche.objects.create(
        title=title,
        summary=summary,
        theme=chosen_theme,
        territory=chosen_territory,
        source_room=source.room,
        anchor=source.anchor,
        source_thread=source.thread,
        source_messages=[m.pk for m in source.messages],
        documents=documents,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    _snapshot(fiche, author=actor, note="")
    for author_id in dict.fromkeys(m.author_id for m in source.messages if not m.author.is_bot):
        _credit(fiche, author_id, source_author=True)
    _credit(fiche, actor.pk)
    fiche_index(fiche)
    return FicheResult(fiche=fiche)


@transaction.atomic
def fiche_update(
    *,
    actor: User,
    fiche_id: int,
    title: Any = None,
    summary: Any = None,
    theme: Any = None,
    territory: Any = None,
    territory_level: Any = None,
    document_urls: Any = None,
    note: Any = "",
) -> FicheResult:
    """Any agent who may read the fiche and has the level edits it; each edit is a revision."""
    note = _text(note if note is not None else "", "note", NOTE_MAX, required=False)
    fiche = access_fiche(actor=actor, fiche_id=fiche_id)
    require_may_write_fiches(actor=actor)
    fiche = (
        Fiche.objects.select_for_update(of=("self",))
        .select_related("theme", "territory")
        .get(pk=fiche.pk)
    )
    changed: list[str] = []
    if title is not None:
        value = _text(title, "title", TITLE_MAX, required=True)
        if value != fiche.title:
            fiche.title = value
            changed.append("title")
    if summary is not None:
        value = _text(summary, "summary", SUMMARY_MAX, required=True)
        if value != fiche.summary:
            fiche.summary = value
            changed.append("summary")
    if theme is not None:
        chosen_theme = _theme(theme)
        if chosen_theme != fiche.theme:
            fiche.theme = chosen_theme
            changed.append("theme")
    if territory is not None:
        chosen_territory = _territory(territory, territory_level)
        if chosen_territory != fiche.territory:
            fiche.territory = chosen_territory
            changed.append("territory")
    if document_urls is not None:
        sources = list(
            Message.objects.filter(pk__in=fiche.source_messages, deleted_at__isnull=True)
            .prefetch_related("attachments")
            .order_by("seq", "pk")
        )
        documents = documents_choose(source_documents(sources), document_urls)
        if documents != fiche.documents:
            fiche.documents = documents
            changed.append("documents")
    if not changed:
        return FicheResult(fiche=fiche, changed=False)
    fiche.updated_at = timezone.now()
    fiche.revision_count += 1
    fiche.save(update_fields=[*changed, "updated_at", "revision_count"])
    _snapshot(fiche, author=actor, note=note)
    _credit(fiche, actor.pk)
    fiche_index(fiche)
    return FicheResult(fiche=fiche)


@transaction.atomic
def fiche_validate(*, actor: User, fiche_id: int, validated: bool) -> FicheResult:
    """An animateur marks the fiche *validée* (or withdraws it); contributors earn points."""
    fiche = access_fiche(actor=actor, fiche_id=fiche_id)
    require_animateur(user=actor, fiche=fiche)
    fiche = Fiche.objects.select_for_update().get(pk=fiche.pk)
    if (fiche.validated_at is not None) == validated:
        return FicheResult(fiche=fiche, changed=False)
    fiche.validated_at = timezone.now() if validated else None
    fiche.validated_by = actor if validated else None
    fiche.save(update_fields=["validated_at", "validated_by"])
    source = f"fiche-validated:{fiche.pk}"
    for user_id in FicheContributor.objects.filter(fiche=fiche).values_list("user_id", flat=True):
        if validated:
            points_award(user_id=user_id, kind="fiche_validated", source=source)
        else:
            points_withdraw(user_id=user_id, source=source)
    audit_record(
        action="fiche.validated" if validated else "fiche.unvalidated",
        actor=actor,
        target=f"fiche:{fiche.pk}",
        room_id=governing_room_id(fiche),
    )
    return FicheResult(fiche=fiche)


@transaction.atomic
def fiche_publish(*, actor: User, fiche_id: int, published: bool) -> FicheResult:
    """An animateur opens the fiche to every agent (« publier pour tous les agents »), or
    brings it back to its source room's readers. Audited."""
    fiche = access_fiche(actor=actor, fiche_id=fiche_id)
    require_animateur(user=actor, fiche=fiche)
    fiche = Fiche.objects.select_for_update().get(pk=fiche.pk)
    if (fiche.published_at is not None) == published:
        return FicheResult(fiche=fiche, changed=False)
    fiche.published_at = timezone.now() if published else None
    fiche.published_by = actor if published else None
    fiche.save(update_fields=["published_at", "published_by"])
    audit_record(
        action="fiche.published" if published else "fiche.unpublished",
        actor=actor,
        target=f"fiche:{fiche.pk}",
        room_id=governing_room_id(fiche),
    )
    return FicheResult(fiche=fiche)


@transaction.atomic
def fiche_credits_erase(*, user: User) -> int:
    """Account erasure in ``delete`` mode: the person disappears from the fiches.

    The fiches themselves are shared knowledge and stay, with their history; the person is no
    longer credited, no longer named as a revision's author or the fiche's creator, their
    change notes are blanked, and the documents drawn from their (erased) messages leave the
    fiches. Returns the number of fiches whose documents changed.
    """
    FicheContributor.objects.filter(user=user).delete()
    FicheRevision.objects.filter(author=user).update(author=None, note="")
    Fiche.objects.filter(created_by=user).update(created_by=None)
    theirs = set(Message.objects.filter(author=user).values_list("pk", flat=True))
    changed = 0
    if not theirs:
        return changed
    for fiche in Fiche.objects.select_for_update().exclude(documents=[]).order_by("pk"):
        kept = [d for d in fiche.documents if d.get("message") not in theirs]
        if len(kept) != len(fiche.documents):
            fiche.documents = kept
            fiche.save(update_fields=["documents"])
            fiche_index(fiche)
            changed += 1
    return changed
