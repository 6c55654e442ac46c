"""Who may see a webinar or a question, and who may act on it.

``access_*`` raise the same ``NotFound`` for "does not exist" and "may not know it exists";
``Forbidden`` only when the thing is visible but the action is not allowed.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from backend.accounts.models import User
from backend.common.errors import Forbidden, NotFound
from backend.rooms.access import can_read, membership_of

from .models import Host, Question, Webinar
from .states import ROLES


def host_of(*, user: User, webinar_id: int) -> Host | None:
    return Host.objects.filter(webinar_id=webinar_id, user=user).first()


def _visible(*, actor: User, webinar: Webinar, host: Host | None) -> bool:
    if not actor.is_agent:
        return False
    if host is not None:
        return True
    membership = membership_of(user=actor, room_id=webinar.room_id)
    return can_read(user=actor, room=webinar.room, membership=membership)


def access_webinar(*, actor: User, webinar_id: int) -> tuple[Webinar, Host | None]:
    """A webinar whose room the actor may read (or that the actor hosts)."""
    webinar = Webinar.objects.select_related("room").filter(pk=webinar_id).first()
    if webinar is None:
        raise NotFound()
    host = host_of(user=actor, webinar_id=webinar.pk)
    if not _visible(actor=actor, webinar=webinar, host=host):
        raise NotFound()
    return webinar, host


def require_role(*, host: Host | None, action: str) -> Host:
    if host is None:
        raise Forbidden(_("Seuls les animateurs du webinaire peuvent faire cela."))
    if host.role not in ROLES[action]:
        raise Forbidden(_("Seuls les modérateurs du webinaire peuvent faire cela."))
    return host


def question_visible(*, actor: User, question: Question, host: Host | None) -> bool:
    """A published question is public; a pending or dismissed one is its asker's and the hosts'."""
    if host is not None:
        return True
    if question.moderation == Question.Moderation.PUBLISHED:
        return True
    return question.author_id == actor.pk


def access_question(*, actor: User, question_id: int) -> tuple[Question, Webinar, Host | None]:
    question = (
        Question.objects.select_related("webinar__room", "author").filter(pk=question_id).first()
    )
    if question is None:
        raise NotFound()
    webinar, host = access_webinar(actor=actor, webinar_id=question.webinar_id)
    if not question_visible(actor=actor, question=question, host=host):
        raise NotFound()
    return question, webinar, host
