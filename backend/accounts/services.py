"""Writes for organisations, agents, domain requests and tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from backend.common.errors import BadRequest, Conflict, NotFound, TooLarge

from .models import ApiToken, DomainRequest, Organisation, OrganisationDomain, User

TOKEN_PREFIX = "preau_"
_VERIFY_SALT = "preau.accounts.verify-email"


# --- helpers ---------------------------------------------------------------------------------


def normalize_email(email: str) -> str:
    email = (email or "").strip()
    if len(email) > 254:
        raise TooLarge(_("L'adresse électronique est trop longue."))
    try:
        validate_email(email)
    except DjangoValidationError:
        raise BadRequest(_("Adresse électronique invalide."), reason="invalid_email") from None
    return email.lower()


def normalize_domain(domain: str) -> str:
    domain = (domain or "").strip().lower().rstrip(".")
    if domain.startswith("@"):
        domain = domain[1:]
    labels = domain.split(".")
    valid = (
        0 < len(domain) <= 253
        and len(labels) >= 2
        and all(0 < len(label) <= 63 for label in labels)
        and all(c.isalnum() or c == "-" for label in labels for c in label)
    )
    if not valid:
        raise BadRequest(_("Nom de domaine invalide : %(d)s") % {"d": domain}, reason="bad_domain")
    return domain


def organisation_for_email(email: str) -> Organisation | None:
    """The organisation whose registered domain covers this address, most specific first."""
    domain = email.rsplit("@", 1)[-1].lower()
    labels = domain.split(".")
    candidates = [".".join(labels[i:]) for i in range(len(labels) - 1)]
    rows = OrganisationDomain.objects.filter(domain__in=candidates).select_related("organisation")
    by_domain = {row.domain: row for row in rows}
    for candidate in candidates:
        row = by_domain.get(candidate)
        if row is None:
            continue
        if candidate == domain or row.covers_subdomains:
            return row.organisation
    return None


def _check_password(password: str, user: User | None = None) -> None:
    if len(password or "") > 1024:
        raise TooLarge(_("Le mot de passe est trop long."))
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        # Each broken rule also on its own, for a form to list them.
        raise BadRequest(
            " ".join(exc.messages), reason="weak_password", problems=list(exc.messages)
        ) from None


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if len(name) > 150:
        raise TooLarge(_("Le nom est trop long (150 caractères au plus)."))
    return name


def _domain_not_registered(email: str) -> BadRequest:
    domain = email.rsplit("@", 1)[-1]
    return BadRequest(
        _(
            "Le domaine %(domain)s n'est rattaché à aucune organisation inscrite sur Préau. "
            "Vous pouvez demander son ajout."
        )
        % {"domain": domain},
        reason="domain_not_registered",
        domain=domain,
    )


# --- organisations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class OrganisationResult:
    organisation: Organisation


@transaction.atomic
def organisation_add(
    *,
    name: str,
    domains: list[str],
    covers_subdomains: bool = False,
    kind: str = Organisation.Kind.OTHER,
    insee_code: str = "",
) -> OrganisationResult:
    name = (name or "").strip()
    if not name:
        raise BadRequest(_("Le nom de l'organisation est obligatoire."))
    if len(name) > 200:
        raise TooLarge(_("Le nom de l'organisation est trop long."))
    if kind not in Organisation.Kind.values:
        raise BadRequest(_("Type d'organisation inconnu : %(k)s") % {"k": kind})
    clean = [normalize_domain(d) for d in domains]
    taken = list(
        OrganisationDomain.objects.filter(domain__in=clean).values_list("domain", flat=True)
    )
    if taken:
        raise Conflict(_("Domaine déjà rattaché : %(d)s") % {"d": ", ".join(taken)})
    organisation = Organisation.objects.create(name=name, kind=kind, insee_code=insee_code)
    for domain in dict.fromkeys(clean):
        OrganisationDomain.objects.create(
            organisation=organisation, domain=domain, covers_subdomains=covers_subdomains
        )
    return OrganisationResult(organisation=organisation)


# --- agents ----------------------------------------------------------------------------------


@transaction.atomic
def user_add(
    *,
    email: str,
    password: str,
    name: str = "",
    staff: bool = False,
    job_title: str = "",
    validate: bool = True,
) -> User:
    """Create a verified agent (administration path: CLI, demo)."""
    email = normalize_email(email)
    organisation = organisation_for_email(email)
    if organisation is None:
        raise _domain_not_registered(email)
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict(_("Un compte existe déjà pour %(e)s.") % {"e": email})
    if validate:
        _check_password(password)
    user = User(
        email=email,
        name=_check_name(name) or email.split("@", 1)[0],
        organisation=organisation,
        job_title=job_title,
        is_verified=True,
        is_staff=staff,
    )
    user.set_password(password)
    user.save()
    _audit("account.created", actor=None, target=f"user:{user.pk}", reason="staff" if staff else "")
    return user


@dataclass(frozen=True)
class SignupResult:
    created: bool


def signup(*, email: str, password: str, name: str, job_title: str = "") -> SignupResult:
    """Register an agent; it becomes usable once its address is verified.

    The caller always gets the same answer for a new address and for one that already has an
    account (no account enumeration); the owner of an existing account is told by email instead.
    """
    email = normalize_email(email)
    if organisation_for_email(email) is None:
        raise _domain_not_registered(email)
    name = _check_name(name)
    if not name:
        raise BadRequest(_("Le nom affiché est obligatoire."), reason="name_required")
    if len(job_title or "") > 150:
        raise TooLarge(_("La fonction est trop longue (150 caractères au plus)."))
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        if existing.is_verified or existing.is_bot:
            _send_already_registered(existing)
            return SignupResult(created=False)
        # An unverified account may be claimed again: refresh it and send a new link.
        _check_password(password, existing)
        existing.name = name
        existing.job_title = job_title
        existing.set_password(password)
        existing.save(update_fields=["name", "job_title", "password"])
        _send_verification(existing)
        return SignupResult(created=False)
    user = User(email=email, name=name, job_title=job_title, is_verified=False)
    _check_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        raise Conflict(_("Un compte existe déjà pour cette adresse.")) from None
    _audit("account.signup", actor=None, target=f"user:{user.pk}")
    _send_verification(user)
    return SignupResult(created=True)


def _password_fingerprint(user: User) -> str:
    # Keyed with SECRET_KEY: the signed payload is readable, the hash must not be.
    return salted_hmac(_VERIFY_SALT, user.password).hexdigest()[:20]


def verification_token(user: User) -> str:
    """A link that activates the account with the password chosen when it was sent, only.

    Signing up again before verifying replaces the password; links sent before then stop
    working, so whoever re-submits the form cannot have an earlier link activate an account
    with their password.
    """
    return signing.dumps(
        {"u": user.pk, "e": user.email, "p": _password_fingerprint(user)}, salt=_VERIFY_SALT
    )


def verification_url(user: User) -> str:
    return f"{settings.PREAU_BASE_URL}/verify/{verification_token(user)}"


def _send_verification(user: User) -> None:
    send_mail(
        subject=_("Préau — confirmez votre adresse"),
        message=_(
            "Bonjour %(name)s,\n\nPour activer votre compte Préau, ouvrez ce lien "
            "(valable 3 jours) :\n%(url)s\n\nSi vous n'êtes pas à l'origine de cette "
            "inscription, ignorez ce message."
        )
        % {"name": user.name, "url": verification_url(user)},
        from_email=None,
        recipient_list=[user.email],
    )


def _send_already_registered(user: User) -> None:
    send_mail(
        subject=_("Préau — vous avez déjà un compte"),
        message=_(
            "Bonjour,\n\nQuelqu'un (peut-être vous) a demandé à créer un compte Préau avec "
            "cette adresse, qui en a déjà un. Connectez-vous sur %(url)s ou réinitialisez "
            "votre mot de passe. Aucun nouveau compte n'a été créé."
        )
        % {"url": settings.PREAU_BASE_URL},
        from_email=None,
        recipient_list=[user.email],
    )


@transaction.atomic
def email_verify(*, token: str) -> User:
    if len(token or "") > 512:
        raise TooLarge(_("Lien de vérification invalide."))
    if not token:
        raise BadRequest(_("Lien de vérification invalide."), reason="bad_token")
    try:
        data = signing.loads(
            token, salt=_VERIFY_SALT, max_age=settings.PREAU["VERIFICATION_MAX_AGE"]
        )
    except signing.SignatureExpired:
        raise BadRequest(
            _("Ce lien a expiré ; inscrivez-vous à nouveau."), reason="expired"
        ) from None
    except signing.BadSignature:
        raise BadRequest(_("Lien de vérification invalide."), reason="bad_token") from None
    user = User.objects.select_for_update().filter(pk=data.get("u"), email=data.get("e")).first()
    if user is None:
        raise BadRequest(_("Lien de vérification invalide."), reason="bad_token")
    if user.is_verified:
        return user
    if not constant_time_compare(data.get("p", ""), _password_fingerprint(user)):
        raise BadRequest(
            _("Ce lien a été remplacé par un plus récent ; utilisez le dernier reçu."),
            reason="bad_token",
        )
    organisation = organisation_for_email(user.email)
    if organisation is None:
        raise _domain_not_registered(user.email)
    user.organisation = organisation
    user.is_verified = True
    user.save(update_fields=["organisation", "is_verified"])
    _audit("account.verified", actor=user, target=f"user:{user.pk}")
    return user


# --- domain requests -------------------------------------------------------------------------


@transaction.atomic
def domain_request_file(
    *, email: str, organisation_name: str, organisation_kind: str = "other", message: str = ""
) -> DomainRequest:
    email = normalize_email(email)
    domain = normalize_domain(email.rsplit("@", 1)[-1])
    organisation_name = (organisation_name or "").strip()
    if not organisation_name:
        raise BadRequest(_("Indiquez le nom de votre organisation."), reason="name_required")
    if len(organisation_name) > 200:
        raise TooLarge(_("Le nom de l'organisation est trop long."))
    if len(message or "") > 2000:
        raise TooLarge(_("Le message est trop long (2 000 caractères au plus)."))
    if organisation_kind not in Organisation.Kind.values:
        raise BadRequest(_("Type d'organisation inconnu."))
    if organisation_for_email(email) is not None:
        raise Conflict(_("Ce domaine est déjà accepté : vous pouvez vous inscrire."))
    pending = DomainRequest.objects.filter(
        domain=domain, email=email, status=DomainRequest.Status.PENDING
    ).first()
    if pending is not None:
        return pending
    return DomainRequest.objects.create(
        email=email,
        domain=domain,
        organisation_name=organisation_name,
        organisation_kind=organisation_kind,
        message=message,
    )


@transaction.atomic
def domain_request_approve(*, request_id: int, reviewer: User) -> DomainRequest:
    req = DomainRequest.objects.select_for_update().filter(pk=request_id).first()
    if req is None:
        raise NotFound()
    if req.status != DomainRequest.Status.PENDING:
        raise Conflict(_("Cette demande a déjà été traitée."))
    registered = OrganisationDomain.objects.filter(domain=req.domain).first()
    organisation = registered.organisation if registered else req.organisation
    if organisation is None:
        organisation = Organisation.objects.create(
            name=req.organisation_name, kind=req.organisation_kind
        )
    if registered is None:
        OrganisationDomain.objects.create(organisation=organisation, domain=req.domain)
    req.organisation = organisation
    req.status = DomainRequest.Status.APPROVED
    req.reviewed_at = timezone.now()
    req.reviewed_by = reviewer
    req.save()
    _audit("domain.approved", actor=reviewer, target=f"domain_request:{req.pk}", reason=req.domain)
    transaction.on_commit(
        lambda: send_mail(
            subject=_("Préau — votre domaine a été ajouté"),
            message=_(
                "Bonne nouvelle : le domaine %(d)s est désormais accepté. "
                "Vous pouvez vous inscrire sur %(url)s."
            )
            % {"d": req.domain, "url": settings.PREAU_BASE_URL},
            from_email=None,
            recipient_list=[req.email],
        )
    )
    return req


@transaction.atomic
def domain_request_reject(*, request_id: int, reviewer: User) -> DomainRequest:
    req = DomainRequest.objects.select_for_update().filter(pk=request_id).first()
    if req is None:
        raise NotFound()
    if req.status != DomainRequest.Status.PENDING:
        raise Conflict(_("Cette demande a déjà été traitée."))
    req.status = DomainRequest.Status.REJECTED
    req.reviewed_at = timezone.now()
    req.reviewed_by = reviewer
    req.save()
    _audit("domain.rejected", actor=reviewer, target=f"domain_request:{req.pk}", reason=req.domain)
    transaction.on_commit(
        lambda: send_mail(
            subject=_("Préau — demande d'ajout de domaine"),
            message=_(
                "Votre demande d'ajout du domaine %(d)s n'a pas été retenue. "
                "Vous pouvez répondre à ce message pour en savoir plus."
            )
            % {"d": req.domain},
            from_email=None,
            recipient_list=[req.email],
        )
    )
    return req


# --- tokens ----------------------------------------------------------------------------------


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class TokenResult:
    token: str
    record: ApiToken


def _token_issue(*, user: User, kind: str, name: str, audited: bool = True) -> TokenResult:
    """``audited=False`` when the calling action writes its own single audit entry."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken.objects.create(
        user=user, kind=kind, name=name[:100], digest=token_digest(token), prefix=token[:12]
    )
    if audited:
        owner = user.bot_owner if user.is_bot else user
        _audit("token.created", actor=owner, target=f"token:{record.pk}", reason=f"user:{user.pk}")
    return TokenResult(token=token, record=record)


@transaction.atomic
def token_create(*, user: User, name: str = "") -> TokenResult:
    if not user.is_agent:
        raise BadRequest(_("Ce compte n'est pas actif."))
    return _token_issue(user=user, kind=ApiToken.Kind.PERSONAL, name=name)


def token_authenticate(token: str) -> User | None:
    """The active user behind a token, or None. Revoked tokens stop working at once."""
    if not token or len(token) > 200 or not token.startswith(TOKEN_PREFIX):
        return None
    now = timezone.now()
    record = (
        ApiToken.objects.select_related("user", "user__organisation")
        .filter(digest=token_digest(token), revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .first()
    )
    if record is None or not record.user.is_agent:
        return None
    if record.last_used_at is None or (now - record.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
    record.user.auth_token_id = record.pk  # type: ignore[attr-defined]
    record.user.auth_token_expires_at = record.expires_at  # type: ignore[attr-defined]
    return record.user


@transaction.atomic
def token_revoke(*, actor: User, token_id: int) -> ApiToken:
    record = ApiToken.objects.select_for_update().select_related("user").filter(pk=token_id).first()
    allowed = record is not None and (
        actor.is_staff or record.user_id == actor.pk or record.user.bot_owner_id == actor.pk
    )
    if not allowed:
        raise NotFound()
    if record.revoked_at is None:
        record.revoked_at = timezone.now()
        record.save(update_fields=["revoked_at"])
        _audit("token.revoked", actor=actor, target=f"token:{record.pk}")
        from realtime import publish

        user_id, token_pk = record.user_id, record.pk
        transaction.on_commit(lambda: publish.token_revoked(user_id=user_id, token_id=token_pk))
    return record


# --- bots ------------------------------------------------------------------------------------


@transaction.atomic
def bot_create(*, name: str, owner: User, description: str = "") -> TokenResult:
    """A bot owned by an agent; its description is kept as its ``job_title`` (« fonction »)."""
    name = _check_name(name)
    if not name:
        raise BadRequest(_("Le nom du robot est obligatoire."))
    description = (description or "").strip()
    if len(description) > 150:
        raise TooLarge(_("La description est trop longue (150 caractères au plus)."))
    if not owner.is_agent or owner.is_bot:
        raise BadRequest(_("Le propriétaire doit être un agent actif."))
    bot = User(
        email=f"bot-{secrets.token_hex(6)}@bots.preau.invalid",
        name=name,
        job_title=description,
        organisation=owner.organisation,
        is_bot=True,
        is_verified=True,
        bot_owner=owner,
    )
    bot.set_unusable_password()
    bot.save()
    result = _token_issue(user=bot, kind=ApiToken.Kind.BOT, name=name, audited=False)
    _audit("bot.created", actor=owner, target=f"user:{bot.pk}", reason=f"token:{result.record.pk}")
    return result


@transaction.atomic
def bot_token_rotate(*, bot: User, grace_seconds: int, actor: User | None = None) -> TokenResult:
    """A new token for a bot; its current tokens keep working for ``grace_seconds``.

    The grace period lets a deployment switch to the new token without a gap; tokens already
    due to expire sooner keep their earlier expiry.
    """
    if not bot.is_bot:
        raise BadRequest(_("Seul le jeton d'un robot se renouvelle ainsi."))
    until = timezone.now() + timedelta(seconds=max(0, grace_seconds))
    live = ApiToken.objects.select_for_update().filter(user=bot, revoked_at__isnull=True)
    expiring = live.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=until))
    token_ids = list(expiring.values_list("pk", flat=True))
    expiring.update(expires_at=until)
    if token_ids:
        from realtime import publish

        bot_id, at = bot.pk, until.timestamp()
        transaction.on_commit(
            lambda: publish.token_expiring(user_id=bot_id, token_ids=token_ids, at=at)
        )
    result = _token_issue(user=bot, kind=ApiToken.Kind.BOT, name=bot.name, audited=False)
    _audit(
        "token.rotated",
        actor=actor or bot.bot_owner,
        target=f"user:{bot.pk}",
        reason=f"token:{result.record.pk}",
    )
    return result


def user_for_session(session_key: str | None) -> User | None:
    """The active agent logged in with this session, checking the session's auth hash."""
    if not session_key or len(session_key) > 64:
        return None
    from importlib import import_module

    from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
    from django.utils.crypto import constant_time_compare

    from .sessions import session_is_current

    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    if not session_is_current(session):
        return None
    user_id = session.get(SESSION_KEY)
    if user_id is None:
        return None
    user = User.objects.select_related("organisation").filter(pk=user_id).first()
    if user is None or not user.is_agent or user.is_bot:
        return None
    if not constant_time_compare(session.get(HASH_SESSION_KEY, ""), user.get_session_auth_hash()):
        return None
    return user


# --- administration --------------------------------------------------------------------------


def _staff_only(actor: User) -> None:
    if not (actor.is_active and actor.is_staff):
        raise NotFound()


@transaction.atomic
def user_deactivate(*, actor: User, user_id: int) -> User:
    """Staff: the account stops working at once, its open sockets are closed."""
    _staff_only(actor)
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFound()
    if user.pk == actor.pk:
        raise BadRequest(_("Vous ne pouvez pas désactiver votre propre compte."))
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        user_closed(user_id=user.pk)
        _audit("account.deactivated", actor=actor, target=f"user:{user.pk}")
    return user


def user_closed(*, user_id: int) -> None:
    """After commit, close every socket of a user who may act no more."""
    from realtime import publish

    transaction.on_commit(lambda: publish.user_deactivated(user_id=user_id))


@transaction.atomic
def user_make_staff(*, actor: User, user_id: int) -> User:
    """Staff: give an active, verified agent access to this administration."""
    _staff_only(actor)
    user = User.objects.select_for_update().filter(pk=user_id).first()
    if user is None:
        raise NotFound()
    if not user.is_agent or user.is_bot:
        raise BadRequest(_("Seul un agent actif et vérifié peut rejoindre l'équipe."))
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        _audit("account.made_staff", actor=actor, target=f"user:{user.pk}")
    return user


def _audit(action: str, *, actor: User | None, target: str, reason: str = "") -> None:
    from backend.audit.services import audit_record

    audit_record(action=action, actor=actor, target=target, reason=reason)
