"""Full-text search over messages and document titles the user may read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import F, FloatField, QuerySet, Value
from django.utils.translation import gettext as _

from backend.accounts.models import User
from backend.common.errors import BadRequest, TooLarge
from backend.messaging.models import Message
from backend.messaging.selectors import message_dict
from backend.rooms.access import readable_rooms_q
from backend.rooms.models import Room

from .text import highlight, query_words

QUERY_MAX = 200


@dataclass(frozen=True)
class SearchFilters:
    room: int | None = None
    author: int | None = None
    after: datetime | None = None
    before: datetime | None = None
    has_document: bool | None = None


def _readable_messages(user: User) -> QuerySet[Message]:
    rooms = Room.objects.filter(readable_rooms_q(user)).values("pk")
    return Message.objects.filter(room_id__in=rooms, deleted_at__isnull=True)


def _match_postgres(rows: QuerySet[Message], query: str) -> QuerySet[Message]:
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    vector = SearchVector("search_text", config="preau_french")
    search = SearchQuery(query, config="preau_french", search_type="websearch")
    return rows.annotate(document=vector, rank=SearchRank(vector, search)).filter(document=search)


def _match_sqlite(rows: QuerySet[Message], words: list[tuple[str, ...]]) -> QuerySet[Message]:
    # FTS5 syntax built from our own stems only (alphanumerics), each quoted.
    expression = " AND ".join("(" + " OR ".join(f'"{key}"' for key in keys) + ")" for keys in words)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rowid, bm25(search_message_fts) FROM search_message_fts "
            "WHERE search_message_fts MATCH %s ORDER BY bm25(search_message_fts) LIMIT 5000",
            [expression],
        )
        scores = {row[0]: -row[1] for row in cursor.fetchall()}
    from django.db.models import Case, When

    if not scores:
        return rows.none().annotate(rank=Value(0.0, output_field=FloatField()))
    return rows.filter(pk__in=list(scores)).annotate(
        rank=Case(
            *[When(pk=pk, then=Value(score)) for pk, score in scores.items()],
            default=Value(0.0),
            output_field=FloatField(),
        )
    )


def search_for(
    *, user: User, q: str, filters: SearchFilters, limit: int = 20, offset: int = 0
) -> dict[str, Any]:
    q = (q or "").strip()
    if len(q) > QUERY_MAX:
        raise TooLarge(
            _("La recherche est trop longue (%(n)d caractères au plus).") % {"n": QUERY_MAX}
        )
    words = query_words(q)
    if not words:
        raise BadRequest(_("Indiquez au moins un mot à chercher."), reason="empty_query")
    rows = _readable_messages(user)
    if filters.room is not None:
        rows = rows.filter(room_id=filters.room)
    if filters.author is not None:
        rows = rows.filter(author_id=filters.author)
    if filters.after is not None:
        rows = rows.filter(created_at__gte=filters.after)
    if filters.before is not None:
        rows = rows.filter(created_at__lt=filters.before)
    if filters.has_document is True:
        rows = rows.exclude(documents=[])
    elif filters.has_document is False:
        rows = rows.filter(documents=[])
    if connection.vendor == "postgresql":
        rows = _match_postgres(rows, q)
    else:
        rows = _match_sqlite(rows, words)
    total = rows.count()
    page = list(
        rows.select_related("author", "room")
        .prefetch_related("attachments")
        .order_by(F("rank").desc(), "-created_at", "-pk")[offset : offset + limit]
    )
    from backend.rooms.selectors import direct_names_for

    names = direct_names_for(user=user, room_ids=[m.room_id for m in page if m.room.direct_key])
    results = []
    for message in page:
        snippet, ranges = highlight(message.search_text, q)
        results.append(
            {
                "message": message_dict(message),
                "room": {
                    "id": message.room_id,
                    "name": names.get(message.room_id) or message.room.name,
                },
                "rank": round(float(message.rank), 6),
                "snippet": snippet,
                "highlights": ranges,
            }
        )
    return {"query": q, "total": total, "results": results, "engine": _engine()}


def _engine() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite-fts5"
