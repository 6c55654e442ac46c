"""REST endpoints for password reset and change, and one's sessions."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import logout, update_session_auth_hash
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import StrictStr

from backend.common.api import AUTH, AUTH_ENROL, ERRORS, StrictIn, positive_id
from backend.common.errors import TooLarge
from backend.common.http import client_ip

from . import otp, passwords, sessions
from .models import UserSession

router = Router(tags=["sécurité du compte"])


class StatusOut(Schema):
    status: str
    message: str


class ResetIn(StrictIn):
    email: StrictStr


@router.post(
    "/password-reset",
    response={202: StatusOut, **ERRORS},
    auth=None,
    summary="Demander un lien de réinitialisation du mot de passe",
)
def password_reset(request: HttpRequest, payload: ResetIn) -> Status:
    if len(payload.email) > 254:
        raise TooLarge()
    passwords.password_reset_request(email=payload.email, ip=client_ip(request))
    return Status(
        202,
        {
            "status": "reset_sent",
            "message": _(
                "Si un compte existe pour cette adresse, un lien de réinitialisation vient d'y "
                "être envoyé."
            ),
        },
    )


class ResetConfirmIn(StrictIn):
    token: StrictStr
    password: StrictStr


@router.post(
    "/password-reset/confirm",
    response={200: StatusOut, **ERRORS},
    auth=None,
    summary="Choisir un nouveau mot de passe avec le lien reçu",
)
def password_reset_confirm(request: HttpRequest, payload: ResetConfirmIn) -> dict:
    passwords.password_reset_confirm(
        token=payload.token, password=payload.password, ip=client_ip(request)
    )
    return {
        "status": "password_changed",
        "message": _("Mot de passe changé ; vos autres sessions ont été fermées."),
    }


class PasswordChangeIn(StrictIn):
    old_password: StrictStr
    new_password: StrictStr


@router.post(
    "/me/password",
    response={200: StatusOut, **ERRORS},
    auth=AUTH,
    summary="Changer mon mot de passe (ferme mes autres sessions)",
)
def password_change(request: HttpRequest, payload: PasswordChangeIn) -> dict:
    old_key = request.session.session_key if request.user.is_authenticated else None
    user = passwords.password_change(
        user=request.auth,
        old_password=payload.old_password,
        new_password=payload.new_password,
        keep_session_key=old_key,
        ip=client_ip(request),
    )
    if old_key:
        update_session_auth_hash(request, user)  # this session stays logged in, under a new key
        sessions.user_session_rekey(old_key=old_key, new_key=request.session.session_key)
    return {
        "status": "password_changed",
        "message": _("Mot de passe changé ; vos autres sessions ont été fermées."),
    }


class SessionOut(Schema):
    id: int
    created_at: datetime
    last_seen_at: datetime
    user_agent: str
    ip: str | None
    current: bool


@router.get(
    "/sessions",
    response={200: list[SessionOut], **ERRORS},
    auth=AUTH,
    summary="Mes sessions ouvertes",
)
def session_list(request: HttpRequest) -> list[dict]:
    current = request.session.session_key
    return [
        {
            "id": row.pk,
            "created_at": row.created_at,
            "last_seen_at": row.last_seen_at,
            "user_agent": row.user_agent,
            "ip": row.ip,
            "current": row.session_key == current,
        }
        for row in UserSession.objects.filter(user=request.auth)
    ]


class EndedOut(Schema):
    ended: int


@router.post(
    "/sessions/logout-all",
    response={200: EndedOut, **ERRORS},
    auth=AUTH,
    summary="Me déconnecter partout (jetons inchangés)",
)
def session_logout_all(request: HttpRequest) -> dict:
    ended = sessions.sessions_logout_all(user=request.auth, ip=client_ip(request))
    if request.user.is_authenticated and request.session.session_key:
        logout(request)
    return {"ended": ended}


# After /sessions/logout-all: paths match in order, and {session_id} would take it.
@router.delete(
    "/sessions/{session_id}",
    response={204: None, **ERRORS},
    auth=AUTH,
    summary="Fermer une de mes sessions (et ses connexions temps réel)",
)
def session_revoke(request: HttpRequest, session_id: int) -> Status:
    sessions.session_revoke(
        user=request.auth,
        session_id=positive_id(session_id, "session_id"),
        ip=client_ip(request),
    )
    return Status(204, None)


class OtpStatusOut(Schema):
    enabled: bool
    required: bool


class OtpEnrolmentOut(Schema):
    secret: str
    otpauth_uri: str
    qr_svg: str  # the otpauth URI as a QR code, a data:image/svg+xml URI for an <img>


class OtpConfirmIn(StrictIn):
    code: StrictStr


class PasswordIn(StrictIn):
    password: StrictStr


@router.get(
    "/me/2fa",
    response={200: OtpStatusOut, **ERRORS},
    auth=AUTH_ENROL,
    summary="État de ma double authentification",
)
def otp_status(request: HttpRequest) -> dict:
    return otp.otp_status(user=request.auth)


@router.post(
    "/me/2fa",
    response={201: OtpEnrolmentOut, **ERRORS},
    auth=AUTH_ENROL,
    summary="Commencer l'activation de la double authentification (secret à scanner)",
)
def otp_enrol(request: HttpRequest) -> Status:
    enrolment = otp.otp_enrol_start(user=request.auth)
    return Status(
        201,
        {
            "secret": enrolment.secret,
            "otpauth_uri": enrolment.otpauth_uri,
            "qr_svg": otp.otp_qr_svg_data_uri(enrolment.otpauth_uri),
        },
    )


@router.post(
    "/me/2fa/confirm",
    response={200: OtpStatusOut, **ERRORS},
    auth=AUTH_ENROL,
    summary="Confirmer l'activation avec un code de l'application",
)
def otp_confirm(request: HttpRequest, payload: OtpConfirmIn) -> dict:
    otp.otp_enrol_confirm(user=request.auth, code=payload.code, ip=client_ip(request))
    if request.user.is_authenticated and request.session.session_key:
        request.session[otp.OTP_SESSION_KEY] = True
    return otp.otp_status(user=request.auth)


@router.delete(
    "/me/2fa",
    response={204: None, **ERRORS},
    auth=AUTH,
    summary="Désactiver la double authentification (mot de passe demandé)",
)
def otp_disable(request: HttpRequest, payload: PasswordIn) -> Status:
    otp.otp_disable(user=request.auth, password=payload.password, ip=client_ip(request))
    return Status(204, None)
