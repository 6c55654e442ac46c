"""Webinars held in a room, their hosts, registrations, questions, votes and moderation log.

A question has two independent axes (moderation and answer) plus flags; the allowed moves on
each axis are in ``states.py`` and applied only by the services.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

QUESTION_MAX_LENGTH = 2000  # the hardest limit a webinar may set


class Webinar(models.Model):
    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Programmé")
        LIVE = "live", _("En direct")
        ENDED = "ended", _("Terminé")

    room = models.ForeignKey("rooms.Room", on_delete=models.CASCADE, related_name="webinars")
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    state = models.CharField(max_length=16, choices=State.choices, default=State.SCHEDULED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    # Settings, changed by moderators at any time.
    intake_open = models.BooleanField(default=True)
    anonymous_allowed = models.BooleanField(default=True)
    premoderation = models.BooleanField(default=True)
    max_length = models.PositiveIntegerField(default=500)
    # The one question shown on the presenter screen ("à l'écran").
    highlighted = models.ForeignKey(
        "Question", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    peak_attendance = models.PositiveIntegerField(default=0)
    # The room message under which the Q&A lives on once the webinar has ended.
    thread_root = models.ForeignKey(
        "messaging.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("webinaire")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="webinar_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(max_length__gte=1) & Q(max_length__lte=QUESTION_MAX_LENGTH),
                name="webinar_max_length_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Host(models.Model):
    class Role(models.TextChoices):
        SPEAKER = "speaker", _("Intervenant")
        MODERATOR = "moderator", _("Modérateur")

    webinar = models.ForeignKey(Webinar, on_delete=models.CASCADE, related_name="hosts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=16, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["webinar", "user"], name="webinar_host_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} hosts {self.webinar_id} ({self.role})"


class Registration(models.Model):
    webinar = models.ForeignKey(Webinar, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["webinar", "user"], name="webinar_registration_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} registered to {self.webinar_id}"


class Question(models.Model):
    class Moderation(models.TextChoices):
        PENDING = "pending", _("En attente")
        PUBLISHED = "published", _("Publiée")
        DISMISSED = "dismissed", _("Écartée")

    class Answer(models.TextChoices):
        OPEN = "open", _("Sans réponse")
        ANSWERING = "answering", _("Réponse en cours")
        ANSWERED = "answered", _("Répondue")

    webinar = models.ForeignKey(Webinar, on_delete=models.CASCADE, related_name="questions")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    # The asker's own words when a host has edited the question.
    original_body = models.TextField(blank=True, default="")
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    edited_at = models.DateTimeField(null=True, blank=True)
    anonymous = models.BooleanField(default=False)
    moderation = models.CharField(max_length=16, choices=Moderation.choices)
    dismiss_reason = models.CharField(max_length=500, blank=True, default="")
    answer_state = models.CharField(max_length=16, choices=Answer.choices, default=Answer.OPEN)
    answer = models.TextField(blank=True, default="")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    pinned = models.BooleanField(default=False)
    labels = models.JSONField(default=list, blank=True)
    # Distinct voters, kept by the vote services in the voter's transaction.
    votes = models.PositiveIntegerField(default=0)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )
    # The chat message this question was promoted from, if any.
    message = models.ForeignKey(
        "messaging.Message", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["webinar", "moderation"])]

    def __str__(self) -> str:
        return f"question {self.pk} of webinar {self.webinar_id}"


class Vote(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="vote_set")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # The last word against a double vote, whatever the concurrency.
        constraints = [
            models.UniqueConstraint(fields=["question", "user"], name="webinar_vote_unique")
        ]

    def __str__(self) -> str:
        return f"vote of {self.user_id} on {self.question_id}"


class ModerationAction(models.Model):
    """Who did what to which question, when and why; read by hosts only."""

    webinar = models.ForeignKey(Webinar, on_delete=models.CASCADE, related_name="actions")
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.CASCADE, related_name="actions"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=32)
    reason = models.CharField(max_length=500, blank=True, default="")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} on webinar {self.webinar_id}"


class FeedToken(models.Model):
    """The secret in a user's calendar feed URL (``/webinars/feed/<secret>.ics``).

    Calendar clients carry no session cookie, so the URL is the credential. Only a SHA-256 digest
    is stored (the URL is shown once); rotating replaces the row, so the old URL stops at once.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webinar_feed"
    )
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("lien d'agenda secret")

    def __str__(self) -> str:
        return f"calendar feed {self.prefix}… of {self.user_id}"
