"""Addresses read from what an agent pastes or uploads: a list, a CSV file or a vCard file.

Everything here is pure: it reads bytes or text and returns entries, stores nothing and logs
nothing (an address outside every registered domain must leave no trace anywhere).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass

import filetype
from django.utils.translation import gettext as _

from backend.common.errors import BadRequest, TooLarge

FILE_MAX_BYTES = 512 * 1024
TEXT_MAX_CHARS = 100_000
ENTRIES_MAX = 500  # distinct addresses (and unreadable entries) one import may hold
ENTRY_SHOWN_MAX = 254  # an unreadable entry is echoed back at most this long

# Separators between addresses in a pasted list: commas, semicolons, line breaks, tabs.
_SEPARATORS = ",;\n\r\t"
_ANGLE = re.compile(r"<([^<>]*)>")


@dataclass(frozen=True)
class Entries:
    """What a source held: candidate addresses (in order, as written) and unreadable parts."""

    addresses: list[str]
    unreadable: list[str]


def _split_outside_quotes(text: str) -> list[str]:
    """Split on separators, except inside "quoted names" and <angle brackets>."""
    parts, current, quoted, angled = [], [], False, False
    for char in text:
        if char == '"' and not angled:
            quoted = not quoted
        elif char == "<" and not quoted:
            angled = True
        elif char == ">" and not quoted:
            angled = False
        if char in _SEPARATORS and not quoted and not angled:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return parts


def _candidates(chunk: str) -> tuple[list[str], str | None]:
    """The addresses in one chunk (``Name <addr>``, ``mailto:addr``, ``addr addr``), or the
    chunk itself as unreadable when it holds none."""
    chunk = chunk.strip()
    if not chunk:
        return [], None
    found = [m.strip() for m in _ANGLE.findall(chunk) if m.strip()]
    if not found:
        words = [w.strip("\"'()[]") for w in chunk.split()]
        found = [w for w in words if "@" in w]
    found = [a[7:] if a.lower().startswith("mailto:") else a for a in found]
    if not found:
        return [], chunk[:ENTRY_SHOWN_MAX]
    return found, None


def entries_from_text(text: str) -> Entries:
    """A pasted list: any separators, ``Name <addr>`` forms, quoted names."""
    if len(text) > TEXT_MAX_CHARS:
        raise TooLarge(
            _("La liste dépasse %(n)s caractères ; elle n'a pas été lue.") % {"n": "100 000"},
            reason="too_many_characters",
        )
    addresses: list[str] = []
    unreadable: list[str] = []
    for chunk in _split_outside_quotes(text):
        found, bad = _candidates(chunk)
        addresses.extend(found)
        if bad is not None:
            unreadable.append(bad)
    return Entries(addresses=addresses, unreadable=unreadable)


# --- files -----------------------------------------------------------------------------------


def file_too_large_message() -> str:
    return _("Le fichier dépasse %(n)s Kio ; il n'a pas été lu.") % {"n": FILE_MAX_BYTES // 1024}


def decode(data: bytes) -> str:
    """Text from an uploaded file: UTF-8 (with or without BOM), else Latin-1 (Windows-1252).

    Refuses what is not text: a known binary type (spreadsheet, PDF, image…) or NUL bytes.
    """
    if len(data) > FILE_MAX_BYTES:
        raise TooLarge(file_too_large_message(), reason="file_too_large")
    if not data.strip():
        raise BadRequest(_("Le fichier est vide."), reason="empty_file")
    kind = filetype.guess(data[:8192])
    if kind is not None or b"\x00" in data:
        raise BadRequest(
            _(
                "Ce fichier n'est pas un fichier texte : déposez un fichier CSV (enregistré "
                "depuis votre tableur au format CSV) ou un fichier vCard (.vcf)."
            ),
            reason="not_text",
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def is_vcard(text: str) -> bool:
    return text.lstrip().upper().startswith("BEGIN:VCARD")


def entries_from_vcard(text: str) -> Entries:
    """Every EMAIL of every card."""
    import vobject

    addresses: list[str] = []
    try:
        for card in vobject.readComponents(text, ignoreUnreadable=True):
            if card.name.upper() != "VCARD":
                continue
            for email in card.contents.get("email", []):
                value = email.value if isinstance(email.value, str) else ""
                found, _bad = _candidates(value)
                addresses.extend(found)
    except Exception:  # vobject raises many kinds of parse errors
        raise BadRequest(
            _("Ce fichier vCard est illisible ; exportez-le de nouveau depuis votre carnet."),
            reason="bad_vcard",
        ) from None
    if not addresses:
        raise BadRequest(
            _("Aucune adresse électronique dans ce fichier vCard."), reason="no_addresses"
        )
    return Entries(addresses=addresses, unreadable=[])


def _fold(header: str) -> str:
    text = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z]", "", text)


def _email_column_by_header(header: list[str]) -> int | None:
    folded = [_fold(cell) for cell in header]
    for i, name in enumerate(folded):  # e-mail, email, courriel, adresse mail…
        if "mail" in name or "courriel" in name:
            return i
    for i, name in enumerate(folded):  # « adresse », « adresse électronique »
        if name == "adresse" or name.startswith("adresseelectronique"):
            return i
    return None


def _dialect(sample: str) -> str:
    first = sample.split("\n", 1)[0]
    counts = {d: first.count(d) for d in ";,\t"}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def entries_from_csv(text: str) -> Entries:
    """The email column, found by its header or else by its content; ``;`` or ``,``."""
    try:
        rows = [row for row in csv.reader(io.StringIO(text), delimiter=_dialect(text)) if row]
    except csv.Error:
        raise BadRequest(_("Ce fichier CSV est illisible."), reason="bad_csv") from None
    if not rows:
        raise BadRequest(_("Le fichier est vide."), reason="empty_file")
    column = _email_column_by_header(rows[0])
    body = rows[1:]
    if column is None:
        width = max(len(row) for row in rows)
        hits = [sum(1 for row in rows if i < len(row) and "@" in row[i]) for i in range(width)]
        if not any(hits):
            raise BadRequest(
                _(
                    "Aucune colonne d'adresses électroniques trouvée : nommez-la « email » ou "
                    "« courriel »."
                ),
                reason="no_email_column",
            )
        column = hits.index(max(hits))
        header_is_data = "@" in rows[0][column] if column < len(rows[0]) else False
        body = rows if header_is_data else rows[1:]
    addresses: list[str] = []
    unreadable: list[str] = []
    for row in body:
        cell = row[column].strip() if column < len(row) else ""
        if not cell:
            continue
        found = entries_from_text(cell)
        addresses.extend(found.addresses)
        unreadable.extend(found.unreadable)
    return Entries(addresses=addresses, unreadable=unreadable)


def entries_from_file(data: bytes) -> tuple[str, Entries]:
    """The kind of file (``csv`` or ``vcard``, told from its content) and its entries."""
    text = decode(data)
    if is_vcard(text):
        return "vcard", entries_from_vcard(text)
    return "csv", entries_from_csv(text)
