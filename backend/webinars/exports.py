"""The Q&A as CSV and as a Markdown report (readable as is, converts to ODT with pandoc)."""

from __future__ import annotations

import csv
import io

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from .models import Question, Webinar

# A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: str) -> str:
    return "'" + value if value.startswith(_FORMULA) else value


def _asker(question: Question) -> str:
    return _("Anonyme") if question.anonymous else question.author.name


def _when(value) -> str:  # type: ignore[no-untyped-def]
    if value is None:
        return ""
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def _state(question: Question) -> str:
    if question.merged_into_id:
        return _("Fusionnée")
    return str(Question.Moderation(question.moderation).label)


def to_csv(webinar: Webinar, questions: list[Question]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            _("Question"),
            _("Auteur"),
            _("Votes"),
            _("Étiquettes"),
            _("Modération"),
            _("Réponse (état)"),
            _("Réponse"),
            _("Répondu par"),
            _("Posée le"),
            _("Répondue le"),
        ]
    )
    for q in questions:
        writer.writerow(
            [
                _cell(q.body),
                _cell(_asker(q)),
                q.votes,
                _cell(", ".join(q.labels)),
                _state(q),
                str(Question.Answer(q.answer_state).label),
                _cell(q.answer),
                _cell(q.answered_by.name if q.answered_by else ""),
                _when(q.created_at),
                _when(q.answered_at),
            ]
        )
    return out.getvalue()


def _md(text: str) -> str:
    """Plain text in Markdown: every line quoted, markup characters escaped."""
    escaped = "".join("\\" + c if c in "\\`*_{}[]<>()#+-.!|" else c for c in text)
    return "\n".join("> " + line for line in escaped.splitlines() or [""])


def to_markdown(webinar: Webinar, questions: list[Question]) -> str:
    lines = [
        f"# {_md(webinar.title)[2:]}",
        "",
        _("Du %(start)s au %(end)s — %(state)s")
        % {
            "start": _when(webinar.starts_at),
            "end": _when(webinar.ends_at),
            "state": Webinar.State(webinar.state).label,
        },
        "",
        _("%(n)d questions") % {"n": len(questions)},
        "",
    ]
    for number, q in enumerate(questions, 1):
        lines += [
            f"## {number}. "
            + _("%(asker)s — %(votes)d votes") % {"asker": _asker(q), "votes": q.votes},
            "",
            _md(q.body),
            "",
            "- "
            + _("État : %(m)s, %(a)s")
            % {"m": _state(q), "a": Question.Answer(q.answer_state).label},
            "- " + _("Posée le %(when)s") % {"when": _when(q.created_at)},
        ]
        if q.labels:
            lines.append("- " + _("Étiquettes : %(l)s") % {"l": ", ".join(q.labels)})
        if q.answered_by:
            lines.append(
                "- "
                + _("Répondue par %(who)s le %(when)s")
                % {"who": q.answered_by.name, "when": _when(q.answered_at)}
            )
        if q.answer:
            lines += ["", _("**Réponse :**"), "", _md(q.answer)]
        lines.append("")
    return "\n".join(lines)
