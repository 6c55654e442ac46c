from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    class Kind(models.TextChoices):
        COMMUNE = "commune", _("Commune")
        EPCI = "epci", _("EPCI (intercommunalité)")
        DEPARTEMENT = "departement", _("Département")
        REGION = "region", _("Région")
        SDIS = "sdis", _("SDIS")
        CENTRE_DE_GESTION = "centre_de_gestion", _("Centre de gestion")
        CNFPT = "cnfpt", _("CNFPT")
        ETAT = "etat", _("Service de l'État")
        ASSOCIATION = "association", _("Association")
        OTHER = "other", _("Autre")

    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=32, choices=Kind.choices, default=Kind.OTHER)
    insee_code = models.CharField(_("code INSEE"), max_length=10, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationDomain(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="domains")
    # Stored lower-case: domains match case-insensitively.
    domain = models.CharField(_("domaine"), max_length=253, unique=True)
    covers_subdomains = models.BooleanField(_("couvre les sous-domaines"), default=False)

    class Meta:
        verbose_name = _("domaine de messagerie")
        verbose_name_plural = _("domaines de messagerie")
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain


class DomainRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        APPROVED = "approved", _("Acceptée")
        REJECTED = "rejected", _("Refusée")

    email = models.EmailField(_("adresse du demandeur"))
    domain = models.CharField(_("domaine"), max_length=253)
    organisation_name = models.CharField(_("organisation déclarée"), max_length=200)
    organisation_kind = models.CharField(
        _("type d'organisation"),
        max_length=32,
        choices=Organisation.Kind.choices,
        default=Organisation.Kind.OTHER,
    )
    message = models.TextField(_("message"), blank=True, max_length=2000)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation rattachée"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text=_("Laisser vide pour créer l'organisation déclarée à l'acceptation."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("demande d'ajout de domaine")
        verbose_name_plural = _("demandes d'ajout de domaine")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.domain} ({self.get_status_display()})"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        user = self.model(email=email.strip().lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True, is_verified=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """An agent (or a bot, which is a user with ``is_bot`` and an owner)."""

    # Stored lower-case (the services normalise); the Lower() constraint guards other writers.
    email = models.EmailField(_("adresse électronique"), max_length=254, unique=True)
    name = models.CharField(_("nom affiché"), max_length=150)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    job_title = models.CharField(_("fonction"), max_length=150, blank=True)
    is_verified = models.BooleanField(_("adresse vérifiée"), default=False)
    is_active = models.BooleanField(_("actif"), default=True)
    is_staff = models.BooleanField(_("équipe de la plateforme"), default=False)
    is_bot = models.BooleanField(_("robot"), default=False)
    bot_owner = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="bots"
    )
    language = models.CharField(max_length=8, default="fr")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        verbose_name = _("agent")
        verbose_name_plural = _("agents")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def is_agent(self) -> bool:
        """A verified, active human or bot that may use the service."""
        return self.is_active and (self.is_verified or self.is_bot)


class ApiToken(models.Model):
    class Kind(models.TextChoices):
        PERSONAL = "personal", _("Personnel")
        BOT = "bot", _("Robot")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="tokens")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.PERSONAL)
    name = models.CharField(max_length=100, blank=True)
    # Only a SHA-256 digest is stored; the token itself is shown once.
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=16)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Set when a bot token is rotated: the old token keeps working until then (grace period).
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user.email})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class LoginFailure(models.Model):
    """A failed login, kept for the throttling window only.

    The account is named by a keyed digest of the address typed, so that addresses of people
    who have no account (typos, guesses) are not stored.
    """

    account = models.CharField(max_length=64, db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"login failure {self.account[:8]} from {self.ip}"


class UserSession(models.Model):
    """A browser session of an agent, so that one can list and end one's sessions.

    The key is as secret as in django_session (which stores it too); the API never shows it.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="web_sessions")
    session_key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now)
    user_agent = models.CharField(max_length=300, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("session")
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"session {self.pk} of {self.user_id}"
