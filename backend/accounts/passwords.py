"""Password reset and change. Both end the person's other sessions and their sockets."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from backend.audit.models import AuditEntry
from backend.audit.services import audit_record
from backend.common.errors import BadRequest, TooLarge

from .models import User
from .services import _check_password, normalize_email

_RESET_SALT = "preau.accounts.password-reset"


def _fingerprint(user: User) -> str:
    # Changes with the password, so a link works once and dies with any later change.
    return salted_hmac(_RESET_SALT, f"{user.pk}:{user.password}").hexdigest()[:20]


RESET_EMAILS_PER_HOUR = 3


def _recent_reset_requests(user: User) -> int:
    return AuditEntry.objects.filter(
        action="password.reset_requested",
        target=f"user:{user.pk}",
        created_at__gte=timezone.now() - timedelta(hours=1),
    ).count()


def password_reset_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "p": _fingerprint(user)}, salt=_RESET_SALT)


def password_reset_request(*, email: str, ip: str | None = None) -> None:
    """Email a reset link if the address has an account; the caller learns nothing either way."""
    try:
        email = normalize_email(email)
    except BadRequest:
        return
    user = User.objects.filter(email=email, is_active=True, is_bot=False).first()
    if user is None or not user.has_usable_password():
        return
    if _recent_reset_requests(user) >= RESET_EMAILS_PER_HOUR:
        return  # nobody fills an agent's mailbox with reset links; the answer stays the same
    url = f"{settings.PREAU_BASE_URL}/reset/{password_reset_token(user)}"
    send_mail(
        subject=_("Préau — réinitialisation du mot de passe"),
        message=_(
            "Bonjour %(name)s,\n\nPour choisir un nouveau mot de passe Préau, ouvrez ce lien "
            "(valable %(minutes)s minutes, une seule fois) :\n%(url)s\n\nSi vous n'avez rien "
            "demandé, ignorez ce message : votre mot de passe reste inchangé."
        )
        % {
            "name": user.name,
            "url": url,
            "minutes": settings.PASSWORD_RESET_MAX_AGE // 60,
        },
        from_email=None,
        recipient_list=[user.email],
    )
    audit_record(action="password.reset_requested", actor=user, target=f"user:{user.pk}", ip=ip)


def _invalid_link() -> BadRequest:
    return BadRequest(_("Lien de réinitialisation invalide ou expiré."), reason="bad_token")


def sessions_end_all(*, user: User, keep_session_key: str | None = None) -> int:
    """Delete the user's sessions (but one) and close their sockets after commit."""
    from .sessions import user_sessions_end

    return user_sessions_end(user=user, keep_session_key=keep_session_key)


@transaction.atomic
def password_reset_confirm(*, token: str, password: str, ip: str | None = None) -> User:
    if len(token or "") > 512:
        raise TooLarge(_("Lien de réinitialisation invalide."))
    try:
        data = signing.loads(token, salt=_RESET_SALT, max_age=settings.PASSWORD_RESET_MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        raise _invalid_link() from None
    user = User.objects.select_for_update().filter(pk=data.get("u"), is_active=True).first()
    if user is None or not constant_time_compare(data.get("p", ""), _fingerprint(user)):
        raise _invalid_link()
    _check_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    sessions_end_all(user=user)
    audit_record(action="password.reset", actor=user, target=f"user:{user.pk}", ip=ip)
    return user


def password_change(
    *,
    user: User,
    old_password: str,
    new_password: str,
    keep_session_key: str | None = None,
    ip: str | None = None,
) -> User:
    """Change a password knowing the old one; every other session and socket ends.

    Wrong old passwords count as failed logins (outside the transaction, so they stay counted).
    """
    from .login import login_failure_record, login_throttle_check

    if len(old_password) > 1024:
        raise TooLarge(_("Le mot de passe est trop long."))
    login_throttle_check(email=user.email, ip=ip)
    if not user.check_password(old_password):
        login_failure_record(email=user.email, ip=ip)
        raise BadRequest(_("L'ancien mot de passe est incorrect."), reason="wrong_password")
    _check_password(new_password, user)
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        sessions_end_all(user=user, keep_session_key=keep_session_key)
        audit_record(action="password.changed", actor=user, target=f"user:{user.pk}", ip=ip)
    return user
