"""Webinar services: every write, whatever the entry point (REST, socket, CLI)."""

from .bridge import qa_text, question_promote, question_to_chat
from .feeds import FeedResult, feed_token_revoke, feed_token_rotate, feed_url
from .questions import (
    QuestionResult,
    question_answer,
    question_answer_state,
    question_ask,
    question_edit,
    question_flags,
    question_highlight,
    question_merge,
    question_moderate,
)
from .votes import VoteResult, question_vote
from .webinars import (
    WebinarResult,
    attendance_peak_record,
    host_set,
    registration_set,
    webinar_create,
    webinar_transition,
    webinar_update,
)

__all__ = [
    "FeedResult",
    "feed_token_revoke",
    "feed_token_rotate",
    "feed_url",
    "QuestionResult",
    "VoteResult",
    "WebinarResult",
    "attendance_peak_record",
    "host_set",
    "qa_text",
    "question_answer",
    "question_answer_state",
    "question_ask",
    "question_edit",
    "question_flags",
    "question_highlight",
    "question_merge",
    "question_moderate",
    "question_promote",
    "question_to_chat",
    "question_vote",
    "registration_set",
    "webinar_create",
    "webinar_transition",
    "webinar_update",
]
