"""French text normalisation shared by indexing, querying and highlighting.

A word is lower-cased, then reduced to two keys: its Snowball stem with accents removed, and
the stem of the word with accents removed. ``réunions``, ``réunion`` and ``reunion`` share a
key, and so do ``collectivités``, ``collectivité`` and ``collectivites``.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

WORD = re.compile(r"\w+", re.UNICODE)
_stemmer = snowballstemmer.stemmer("french")


def unaccent(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=50_000)
def word_keys(word: str) -> tuple[str, ...]:
    word = word.casefold()
    keys = {unaccent(_stemmer.stemWord(word)), _stemmer.stemWord(unaccent(word))}
    return tuple(sorted(k for k in keys if k))


def index_text(text: str) -> str:
    """The text an FTS5 index stores: every key of every word."""
    return " ".join(key for m in WORD.finditer(text) for key in word_keys(m.group()))


def query_words(query: str) -> list[tuple[str, ...]]:
    """Each query word as its keys (a document must match one key of every word)."""
    return [word_keys(m.group()) for m in WORD.finditer(query)][:20]


def highlight(text: str, query: str, *, width: int = 240) -> tuple[str, list[list[int]]]:
    """A snippet of ``text`` around the first match and the [start, end) ranges to highlight."""
    wanted = {key for keys in query_words(query) for key in keys}
    spans = [
        (m.start(), m.end()) for m in WORD.finditer(text) if wanted & set(word_keys(m.group()))
    ]
    if not spans:
        snippet = text[:width]
        return snippet + ("…" if len(text) > width else ""), []
    start = max(0, spans[0][0] - width // 3)
    end = min(len(text), start + width)
    prefix = "…" if start > 0 else ""
    snippet = prefix + text[start:end] + ("…" if end < len(text) else "")
    offset = len(prefix) - start
    ranges = [[s + offset, e + offset] for s, e in spans if s >= start and e <= end]
    return snippet, ranges
