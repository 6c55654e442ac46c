"""The full-text index of fiches, the same way as messages' (backend/search): PostgreSQL's
``preau_french`` configuration over ``search_text`` in the scaled mode, an FTS5 table of
Python-computed French stems in the embedded mode."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.db.models import Case, F, FloatField, QuerySet, Value, When

from backend.search.text import index_text, query_words

from .models import Fiche


def fiche_text(fiche: Fiche) -> str:
    parts = [fiche.title, fiche.summary]
    parts += [d.get("title", "") for d in fiche.documents or []]
    parts += [d.get("description", "") for d in fiche.documents or []]
    return "\n".join(p for p in parts if p)


def fiche_index(fiche: Fiche) -> None:
    fiche.search_text = fiche_text(fiche)
    Fiche.objects.filter(pk=fiche.pk).update(search_text=fiche.search_text)
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM fiches_fiche_fts WHERE rowid = %s", [fiche.pk])
        cursor.execute(
            "INSERT INTO fiches_fiche_fts (rowid, content) VALUES (%s, %s)",
            [fiche.pk, index_text(fiche.search_text)],
        )


def fiches_matching(rows: QuerySet[Fiche], q: str) -> QuerySet[Fiche]:
    """``rows`` that match every word of ``q`` (French stems, accents ignored), with a rank."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector("search_text", config="preau_french")
        search = SearchQuery(q, config="preau_french", search_type="websearch")
        return rows.annotate(document=vector, rank=SearchRank(vector, search)).filter(
            document=search
        )
    words = query_words(q)
    expression = " AND ".join("(" + " OR ".join(f'"{key}"' for key in keys) + ")" for keys in words)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rowid, bm25(fiches_fiche_fts) FROM fiches_fiche_fts "
            "WHERE fiches_fiche_fts MATCH %s ORDER BY bm25(fiches_fiche_fts) LIMIT 5000",
            [expression],
        )
        scores = {row[0]: -row[1] for row in cursor.fetchall()}
    if not scores:
        return rows.none().annotate(rank=Value(0.0, output_field=FloatField()))
    rank: Any = Case(
        *[When(pk=pk, then=Value(score)) for pk, score in scores.items()],
        default=Value(0.0),
        output_field=FloatField(),
    )
    return rows.filter(pk__in=list(scores)).annotate(rank=rank)


def by_rank(rows: QuerySet[Fiche]) -> QuerySet[Fiche]:
    return rows.order_by(F("rank").desc(), "-updated_at", "-pk")
