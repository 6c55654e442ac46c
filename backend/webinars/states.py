"""The allowed moves of a webinar and of a question's two axes, and who may make each.

Every service checks a move here before writing; the tests walk these tables exhaustively.
"""

from __future__ import annotations

from .models import Host, Question, Webinar

S = Webinar.State
M = Question.Moderation
A = Question.Answer

WEBINAR_MOVES: dict[str, tuple[str, str]] = {
    # action: (from, to)
    "start": (S.SCHEDULED, S.LIVE),
    "end": (S.LIVE, S.ENDED),
}

MODERATION_MOVES: dict[str, dict[str, str]] = {
    # action: {from: to}
    "approve": {M.PENDING: M.PUBLISHED},
    "dismiss": {M.PENDING: M.DISMISSED, M.PUBLISHED: M.DISMISSED},
    "restore": {M.DISMISSED: M.PUBLISHED},
}

ANSWER_MOVES: dict[str, set[tuple[str, str]]] = {
    # target state: allowed from
    A.ANSWERING: {A.OPEN},
    A.ANSWERED: {A.OPEN, A.ANSWERING},
    A.OPEN: {A.ANSWERING, A.ANSWERED},
}

MODERATOR = frozenset({Host.Role.MODERATOR})
ANY_HOST = frozenset({Host.Role.MODERATOR, Host.Role.SPEAKER})

# Which host roles may do what. Speakers answer and put a question on screen; only moderators
# decide what the audience sees (approve, dismiss, restore, edit, merge, pin, label), run the
# webinar (start, end, settings) and choose the hosts.
ROLES: dict[str, frozenset[str]] = {
    "start": MODERATOR,
    "end": MODERATOR,
    "settings": MODERATOR,
    "update": MODERATOR,
    "hosts": MODERATOR,
    "approve": MODERATOR,
    "dismiss": MODERATOR,
    "restore": MODERATOR,
    "edit": MODERATOR,
    "merge": MODERATOR,
    "pin": MODERATOR,
    "label": MODERATOR,
    "answer_state": ANY_HOST,
    "answer": ANY_HOST,
    "highlight": ANY_HOST,
    "promote": ANY_HOST,
    "to_chat": ANY_HOST,
    "log": ANY_HOST,
    "queue": ANY_HOST,
}
