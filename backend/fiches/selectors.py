"""Reads for fiches pratiques: the knowledge base, one fiche, its history, what is new."""

from __future__ import annotations

import difflib
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.common.errors import BadRequest, TooLarge
from backend.rooms.events import iso
from backend.search.text import highlight, query_words

from .access import access_fiche, is_animateur, may_read_source, readable_fiches_q
from .indexing import by_rank, fiches_matching
from .models import Fiche, FicheContributor, FicheRevision
from .services import territory_ref, theme_ref

QUERY_MAX = 200
DIFF_MAX_LINES = 400


def _user(user: User | None) -> dict[str, Any] | None:
    return {"id": user.pk, "name": user.name} if user is not None else None


def fiche_file_url(fiche_id: int, file_id: int) -> str:
    return f"/api/v1/fiches/{fiche_id}/files/{file_id}"


def documents_out(fiche: Fiche) -> list[dict[str, Any]]:
    """A fiche's documents; its files download through the fiche (its readers may)."""
    return [
        {
            "type": d["type"],
            "url": fiche_file_url(fiche.pk, d["file"]) if d.get("file") else d["url"],
            "title": d.get("title", ""),
            "description": d.get("description", ""),
            "message": d.get("message"),
        }
        for d in fiche.documents or []
    ]


def source_out(fiche: Fiche, *, readable: bool) -> dict[str, Any]:
    """The link back to the conversation, for those who may read it."""
    if not readable:
        return {"room": None, "thread": None, "messages": [], "url": None}
    room = fiche.anchor.room if fiche.anchor is not None else fiche.source_room
    anchor_id = fiche.anchor_id or fiche.source_thread_id
    return {
        "room": {"id": room.pk, "name": room.name},
        "thread": fiche.source_thread_id,
        "messages": list(fiche.source_messages),
        "url": f"/#/room/{room.pk}/message/{anchor_id}" if anchor_id else f"/#/room/{room.pk}",
    }


def _summary_item(fiche: Fiche) -> dict[str, Any]:
    return {
        "id": fiche.pk,
        "title": fiche.title,
        "theme": theme_ref(fiche.theme),
        "territory": territory_ref(fiche.territory),
        "created_at": iso(fiche.created_at),
        "updated_at": iso(fiche.updated_at),
        "validated": fiche.validated_at is not None,
        "published": fiche.published_at is not None,
        "excerpt": fiche.summary[:280] + ("…" if len(fiche.summary) > 280 else ""),
    }


def contributors_of(fiche: Fiche) -> list[dict[str, Any]]:
    rows = FicheContributor.objects.filter(fiche=fiche).select_related("user").order_by("pk")
    return [
        {
            "id": row.user_id,
            "name": row.user.name,
            "source_author": row.source_author,
            "editor": row.editor,
        }
        for row in rows
    ]


def fiche_dict(fiche: Fiche, *, user: User) -> dict[str, Any]:
    readable = may_read_source(user=user, fiche=fiche)
    return {
        **_summary_item(fiche),
        "summary": fiche.summary,
        "documents": documents_out(fiche),
        "source": source_out(fiche, readable=readable),
        "contributors": contributors_of(fiche),
        "created_by": _user(fiche.created_by),
        "revision_count": fiche.revision_count,
        "validated_at": iso(fiche.validated_at),
        "validated_by": _user(fiche.validated_by),
        "published_at": iso(fiche.published_at),
        "published_by": _user(fiche.published_by),
        "visibility": "all" if fiche.published_at is not None else "room",
        "animateur": is_animateur(user=user, fiche=fiche),
    }


def fiche_detail_for(*, user: User, fiche_id: int) -> dict[str, Any]:
    fiche = access_fiche(actor=user, fiche_id=fiche_id)
    return fiche_dict(
        Fiche.objects.select_related(
            "theme",
            "territory",
            "anchor__room",
            "source_room",
            "created_by",
            "validated_by",
            "published_by",
        ).get(pk=fiche.pk),
        user=user,
    )


def readable_fiches(user: User) -> QuerySet[Fiche]:
    return Fiche.objects.filter(readable_fiches_q(user)).select_related("theme", "territory")


def fiche_list_for(
    *,
    user: User,
    q: str = "",
    theme: str = "",
    territory: str = "",
    validated: bool | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """The knowledge base: by theme (slug), territory (INSEE code, its communes included) and
    French full-text search over titles, summaries and documents' titles."""
    q = (q or "").strip()
    if len(q) > QUERY_MAX:
        raise TooLarge(
            _("La recherche est trop longue (%(n)d caractères au plus).") % {"n": QUERY_MAX}
        )
    rows = readable_fiches(user)
    if theme:
        rows = rows.filter(theme__slug=theme.strip().lower())
    if territory:
        code = territory.strip().upper()
        rows = rows.filter(
            Q(territory__insee_code=code)
            | Q(territory__parent__insee_code=code)
            | Q(territory__parent__parent__insee_code=code)
        )
    if validated is not None:
        rows = rows.filter(validated_at__isnull=not validated)
    if q:
        if not query_words(q):
            raise BadRequest(_("Indiquez au moins un mot à chercher."), reason="empty_query")
        rows = by_rank(fiches_matching(rows, q))
    else:
        rows = rows.order_by("-updated_at", "-pk")
    total = rows.count()
    results = []
    for fiche in rows[offset : offset + limit]:
        item = _summary_item(fiche)
        if q:
            item["snippet"], item["highlights"] = highlight(fiche.search_text, q)
        results.append(item)
    return {"query": q, "total": total, "results": results}


def fiches_new_for(
    *,
    user: User,
    since: datetime,
    themes: list[str] | None = None,
    territories: list[str] | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """Fiches the user may read that are new (created, or published for all) since ``since``,
    newest first: for the personal home feed. ``themes`` (slugs) and ``territories`` (INSEE
    codes; a fiche about a commune matches its département and région) narrow them to the
    agent's interests when given."""
    rows = readable_fiches(user).filter(Q(created_at__gte=since) | Q(published_at__gte=since))
    interests = Q()
    if themes:
        interests |= Q(theme__slug__in=themes)
    if territories:
        interests |= (
            Q(territory__insee_code__in=territories)
            | Q(territory__parent__insee_code__in=territories)
            | Q(territory__parent__parent__insee_code__in=territories)
        )
    if themes or territories:
        rows = rows.filter(interests)
    return [_summary_item(fiche) for fiche in rows.order_by("-created_at", "-pk")[:limit]]


def _changes(before: FicheRevision | None, after: FicheRevision) -> list[str]:
    if before is None:
        return ["created"]
    return [
        field
        for field in ("title", "summary", "theme", "territory")
        if getattr(before, field) != getattr(after, field)
    ]


def summary_diff(before: str, after: str) -> list[str]:
    lines = difflib.unified_diff(
        before.splitlines(), after.splitlines(), lineterm="", n=1, fromfile="avant", tofile="après"
    )
    return list(lines)[:DIFF_MAX_LINES]


def fiche_history_for(*, user: User, fiche_id: int) -> list[dict[str, Any]]:
    """Every revision, oldest first: who, when, the note, which fields changed, and a diff of
    the summary against the previous revision."""
    fiche = access_fiche(actor=user, fiche_id=fiche_id)
    revisions = list(
        FicheRevision.objects.filter(fiche=fiche).select_related("author").order_by("number")
    )
    out = []
    previous: FicheRevision | None = None
    for revision in revisions:
        changes = _changes(previous, revision)
        out.append(
            {
                "number": revision.number,
                "author": _user(revision.author),
                "created_at": iso(revision.created_at),
                "note": revision.note,
                "changes": changes,
                "title": revision.title,
                "summary": revision.summary,
                "theme": revision.theme,
                "territory": revision.territory,
                "summary_diff": (
                    summary_diff(previous.summary, revision.summary)
                    if previous is not None and "summary" in changes
                    else []
                ),
            }
        )
        previous = revision
    return out


def fiche_attachment_for(*, user: User, fiche_id: int, file_id: int) -> Any:
    """A file chosen for the fiche, for its readers (a published fiche's readers too), while
    its message still exists."""
    from backend.common.errors import NotFound
    from backend.messaging.models import Attachment

    fiche = access_fiche(actor=user, fiche_id=fiche_id)
    if file_id not in {d.get("file") for d in fiche.documents or []}:
        raise NotFound()
    attachment = Attachment.objects.filter(
        pk=file_id, message_id__in=fiche.source_messages, message__deleted_at__isnull=True
    ).first()
    if attachment is None:
        raise NotFound()
    return attachment


def fiche_data_for_export(user: User) -> dict[str, Any]:
    """A person's part in the fiches (their data export): the fiches they started, the
    revisions they wrote (their version and note) and where they are credited."""
    created = Fiche.objects.filter(created_by=user).order_by("pk")
    revisions = FicheRevision.objects.filter(author=user).order_by("fiche_id", "number")
    credits = FicheContributor.objects.filter(user=user).select_related("fiche").order_by("pk")
    return {
        "created": [
            {"id": f.pk, "title": f.title, "created_at": iso(f.created_at)} for f in created
        ],
        "revisions": [
            {
                "fiche": r.fiche_id,
                "number": r.number,
                "created_at": iso(r.created_at),
                "title": r.title,
                "summary": r.summary,
                "note": r.note,
            }
            for r in revisions
        ],
        "credits": [
            {
                "fiche": c.fiche_id,
                "title": c.fiche.title,
                "source_author": c.source_author,
                "editor": c.editor,
            }
            for c in credits
        ],
    }
