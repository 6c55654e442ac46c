"""Browser sessions: idle timeout, absolute lifetime, the list of one's sessions, ending them.

Timestamps live in the session itself (checked on every request, and by the socket handshake)
and in ``UserSession`` (listed by the API, used to end a person's sessions everywhere).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from backend.common.http import client_ip, user_agent

from .models import User, UserSession

STARTED = "preau_started"
LAST_SEEN = "preau_last_seen"
# Activity refreshes the stored timestamps at most this often (one write a minute, not per call).
TOUCH_EVERY = 60


def session_is_current(session: Any, now: float | None = None) -> bool:
    """False once the session has been idle too long or has lived past its absolute lifetime."""
    now = time.time() if now is None else now
    started = session.get(STARTED)
    last_seen = session.get(LAST_SEEN)
    if started is not None and now - started > settings.PREAU_SESSION_MAX_AGE:
        return False
    if last_seen is not None and now - last_seen > settings.PREAU_SESSION_IDLE_SECONDS:
        return False
    return True


def _store(session_key: str) -> Any:
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key)


def user_sessions_end(*, user: User, keep_session_key: str | None = None) -> int:
    """Delete the user's sessions (all, or all but one) and close their sockets after commit."""
    from realtime import publish

    rows = UserSession.objects.filter(user=user)
    if keep_session_key:
        rows = rows.exclude(session_key=keep_session_key)
    keys = list(rows.values_list("session_key", flat=True))
    for key in keys:
        _store(key).delete()
    rows.delete()
    user_id = user.pk
    if keep_session_key is None:
        transaction.on_commit(lambda: publish.session_ended(user_id=user_id, session_key=None))
    else:
        for key in keys:
            transaction.on_commit(
                lambda key=key: publish.session_ended(user_id=user_id, session_key=key)
            )
    return len(keys)


def user_session_rekey(*, old_key: str | None, new_key: str | None) -> None:
    """The session kept its owner but changed key (password change cycles it)."""
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=new_key)


class SessionActivityMiddleware:
    """Ends idle or too-old sessions and records activity. After AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and request.session.session_key:
            if not session_is_current(request.session):
                key = request.session.session_key
                logout(request)
                UserSession.objects.filter(session_key=key).delete()
        response = self.get_response(request)
        self._track(request)
        return response

    def _track(self, request: HttpRequest) -> None:
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is None or not user.is_authenticated or session is None:
            return
        key = session.session_key
        if not key:
            return
        now = time.time()
        if STARTED not in session:
            session[STARTED] = now
        if now - session.get(LAST_SEEN, 0) < TOUCH_EVERY:
            return
        session[LAST_SEEN] = now  # saved by SessionMiddleware, outside this one
        updated = UserSession.objects.filter(session_key=key).update(last_seen_at=timezone.now())
        if not updated:
            UserSession.objects.create(
                user=user,
                session_key=key,
                user_agent=user_agent(request),
                ip=client_ip(request),
            )


@transaction.atomic
def sessions_logout_all(*, user: User, ip: str | None = None) -> int:
    """End every browser session of the user and their sockets. Tokens are left alone."""
    from backend.audit.services import audit_record

    ended = user_sessions_end(user=user)
    audit_record(action="sessions.logout_all", actor=user, target=f"user:{user.pk}", ip=ip)
    return ended


def user_session_end(*, session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


@transaction.atomic
def session_revoke(*, user: User, session_id: int, ip: str | None = None) -> None:
    """End one of the user's own sessions and its sockets; another's is "not found"."""
    from backend.audit.services import audit_record
    from backend.common.errors import NotFound
    from realtime import publish

    row = UserSession.objects.select_for_update().filter(pk=session_id, user=user).first()
    if row is None:
        raise NotFound()
    key = row.session_key
    _store(key).delete()
    row.delete()
    user_id = user.pk
    transaction.on_commit(lambda: publish.session_ended(user_id=user_id, session_key=key))
    audit_record(action="session.revoked", actor=user, target=f"user:{user.pk}", ip=ip)
