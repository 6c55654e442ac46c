"""REST endpoints for sessions, sign-up, domain requests and personal tokens."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import login, logout
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict, StrictStr

from backend.common.api import AUTH, AUTH_ENROL, ERRORS, StrictIn, positive_id
from backend.common.errors import Forbidden, TooLarge
from backend.common.http import client_ip

from . import profile, services
from .login import login_check
from .models import ApiToken, User
from .otp import OTP_SESSION_KEY
from .sessions import user_session_end

router = Router(tags=["comptes"])


class OrganisationRef(Schema):
    id: int
    name: str
    kind: str


class MeOut(Schema):
    id: int
    email: str
    name: str
    job_title: str
    organisation: OrganisationRef | None
    is_staff: bool
    is_bot: bool


def me_dict(user: User) -> dict:
    org = user.organisation
    return {
        "id": user.pk,
        "email": user.email,
        "name": user.name,
        "job_title": user.job_title,
        "organisation": {"id": org.pk, "name": org.name, "kind": org.kind} if org else None,
        "is_staff": user.is_staff,
        "is_bot": user.is_bot,
    }


class LoginIn(StrictIn):
    email: StrictStr
    password: StrictStr
    otp: StrictStr | None = None  # the two-factor code, once asked for (reason otp_required)


@router.post("/session", response={200: MeOut, **ERRORS}, auth=None, summary="Se connecter")
def session_login(request: HttpRequest, payload: LoginIn) -> dict:
    result = login_check(
        request=request, email=payload.email, password=payload.password, otp=payload.otp
    )
    login(request, result.user)
    if result.otp_verified:
        request.session[OTP_SESSION_KEY] = True
    return me_dict(result.user)


@router.delete(
    "/session", response={204: None, **ERRORS}, auth=AUTH_ENROL, summary="Se déconnecter"
)
def session_logout(request: HttpRequest) -> Status:
    from realtime import publish

    user_id = request.user.pk
    key = request.session.session_key
    logout(request)
    user_session_end(session_key=key)
    if key:
        publish.session_ended(user_id=user_id, session_key=key)
    return Status(204, None)


@router.get("/me", response={200: MeOut, **ERRORS}, auth=AUTH_ENROL, summary="Mon compte")
def me(request: HttpRequest) -> dict:
    return me_dict(request.auth)


class ProfileIn(StrictIn):
    # A field the profile cannot change (email, organisation) is refused, not ignored.
    model_config = ConfigDict(strict=True, extra="forbid")

    name: StrictStr | None = None
    job_title: StrictStr | None = None


@router.patch(
    "/me",
    response={200: MeOut, **ERRORS},
    auth=AUTH,
    summary="Modifier mon profil (nom affiché, fonction)",
)
def me_update(request: HttpRequest, payload: ProfileIn) -> dict:
    if request.auth.is_bot:
        raise Forbidden(_("Le profil d'un robot se modifie depuis celui de son responsable."))
    user = profile.profile_update(user=request.auth, name=payload.name, job_title=payload.job_title)
    return me_dict(user)


class EraseIn(StrictIn):
    password: StrictStr


@router.delete(
    "/me",
    response={204: None, **ERRORS},
    auth=AUTH,
    summary="Supprimer mon compte (mot de passe demandé ; irréversible)",
)
def me_erase(request: HttpRequest, payload: EraseIn) -> Status:
    from backend.privacy.services import account_erase

    account_erase(user=request.auth, password=payload.password, ip=client_ip(request))
    if request.user.is_authenticated and request.session.session_key:
        request.session.flush()
    return Status(204, None)


class SignupIn(StrictIn):
    email: StrictStr
    password: StrictStr
    name: StrictStr
    job_title: StrictStr = ""


class StatusOut(Schema):
    status: str
    message: str


@router.post("/signup", response={202: StatusOut, **ERRORS}, auth=None, summary="S'inscrire")
def signup(request: HttpRequest, payload: SignupIn) -> Status:
    services.signup(
        email=payload.email,
        password=payload.password,
        name=payload.name,
        job_title=payload.job_title,
    )
    return Status(
        202,
        {
            "status": "verification_sent",
            "message": _(
                "Si cette adresse peut être utilisée, un lien de confirmation vient d'y être envoyé."
            ),
        },
    )


class VerifyIn(StrictIn):
    token: StrictStr


@router.post(
    "/signup/verify", response={200: MeOut, **ERRORS}, auth=None, summary="Confirmer l'adresse"
)
def signup_verify(request: HttpRequest, payload: VerifyIn) -> dict:
    return me_dict(services.email_verify(token=payload.token))


class DomainRequestIn(StrictIn):
    email: StrictStr
    organisation_name: StrictStr
    organisation_kind: StrictStr = "other"
    message: StrictStr = ""


class DomainRequestOut(Schema):
    id: int
    domain: str
    status: str


@router.post(
    "/domain-requests",
    response={201: DomainRequestOut, **ERRORS},
    auth=None,
    summary="Demander l'ajout d'un domaine",
)
def domain_request(request: HttpRequest, payload: DomainRequestIn) -> Status:
    req = services.domain_request_file(
        email=payload.email,
        organisation_name=payload.organisation_name,
        organisation_kind=payload.organisation_kind,
        message=payload.message,
    )
    return Status(201, {"id": req.pk, "domain": req.domain, "status": req.status})


class TokenIn(StrictIn):
    name: StrictStr = ""


class TokenOut(Schema):
    id: int
    kind: str
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    expires_at: datetime | None = None


class TokenCreatedOut(TokenOut):
    token: str


def _token_dict(record: ApiToken) -> dict:
    return {
        "id": record.pk,
        "kind": record.kind,
        "name": record.name,
        "prefix": record.prefix,
        "created_at": record.created_at,
        "last_used_at": record.last_used_at,
        "revoked_at": record.revoked_at,
        "expires_at": record.expires_at,
    }


@router.post(
    "/tokens",
    response={201: TokenCreatedOut, **ERRORS},
    auth=AUTH,
    summary="Créer un jeton personnel (affiché une seule fois)",
)
def token_create(request: HttpRequest, payload: TokenIn) -> Status:
    if request.auth.is_bot:
        raise Forbidden(_("Un robot ne crée pas de jeton personnel."))
    if len(payload.name) > 100:
        raise TooLarge()
    result = services.token_create(user=request.auth, name=payload.name)
    return Status(201, {**_token_dict(result.record), "token": result.token})


@router.get("/tokens", response={200: list[TokenOut], **ERRORS}, auth=AUTH, summary="Mes jetons")
def token_list(request: HttpRequest) -> list[dict]:
    return [_token_dict(t) for t in ApiToken.objects.filter(user=request.auth)]


@router.delete(
    "/tokens/{token_id}", response={204: None, **ERRORS}, auth=AUTH, summary="Révoquer un jeton"
)
def token_revoke(request: HttpRequest, token_id: int) -> Status:
    services.token_revoke(actor=request.auth, token_id=positive_id(token_id, "token_id"))
    return Status(204, None)
