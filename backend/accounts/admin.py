from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from backend.common.errors import PreauError

from . import services
from .models import ApiToken, DomainRequest, Organisation, OrganisationDomain, User


def run_action(
    model_admin: admin.ModelAdmin,
    request: HttpRequest,
    queryset: QuerySet,
    action: Callable[[Model], Any],
    done_message: str,
) -> None:
    """Apply one service call per selected object; log each success in the admin history."""
    done = 0
    for obj in queryset:
        try:
            action(obj)
        except PreauError as exc:
            model_admin.message_user(request, f"{obj} : {exc.message}", messages.WARNING)
            continue
        model_admin.log_change(request, obj, done_message)
        done += 1
    model_admin.message_user(request, _("%(n)d élément(s) traité(s).") % {"n": done})


class OrganisationDomainInline(admin.TabularInline):
    model = OrganisationDomain
    extra = 1


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "insee_code"]
    list_filter = ["kind"]
    search_fields = ["name", "insee_code", "domains__domain"]
    inlines = [OrganisationDomainInline]


@admin.register(OrganisationDomain)
class OrganisationDomainAdmin(admin.ModelAdmin):
    list_display = ["domain", "organisation", "covers_subdomains"]
    list_filter = ["covers_subdomains", "organisation__kind"]
    search_fields = ["domain", "organisation__name"]
    autocomplete_fields = ["organisation"]


@admin.register(DomainRequest)
class DomainRequestAdmin(admin.ModelAdmin):
    list_display = ["domain", "organisation_name", "email", "status", "created_at"]
    list_filter = ["status", "organisation_kind"]
    search_fields = ["domain", "organisation_name", "email"]
    date_hierarchy = "created_at"
    readonly_fields = ["email", "domain", "status", "created_at", "reviewed_at", "reviewed_by"]
    actions = ["approve", "reject"]

    @admin.action(description=_("Accepter les demandes sélectionnées (ajoute le domaine)"))
    def approve(self, request: HttpRequest, queryset: QuerySet[DomainRequest]) -> None:
        self._review(request, queryset, services.domain_request_approve)

    @admin.action(description=_("Refuser les demandes sélectionnées"))
    def reject(self, request: HttpRequest, queryset: QuerySet[DomainRequest]) -> None:
        self._review(request, queryset, services.domain_request_reject)

    def _review(self, request: HttpRequest, queryset: QuerySet[DomainRequest], action) -> None:  # type: ignore[no-untyped-def]
        """The service emails the requester once the review is committed."""
        run_action(
            self,
            request,
            queryset,
            lambda req: action(request_id=req.pk, reviewer=request.user),
            action.__name__,
        )


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "name",
        "organisation",
        "is_verified",
        "is_active",
        "is_staff",
        "is_bot",
    ]
    list_filter = ["is_verified", "is_active", "is_staff", "is_bot", "organisation__kind"]
    search_fields = ["email", "name", "organisation__name", "bot_owner__email"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
    raw_id_fields = ["bot_owner"]
    actions = ["deactivate", "make_staff"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profil"), {"fields": ("name", "job_title", "organisation", "language")}),
        (
            _("Statut"),
            {
                "fields": (
                    "is_verified",
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "is_bot",
                    "bot_owner",
                )
            },
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "name", "password1", "password2")}),
    )
    filter_horizontal = ()

    @admin.action(description=_("Désactiver les agents sélectionnés (ferme leurs connexions)"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        run_action(
            self,
            request,
            queryset,
            lambda user: services.user_deactivate(actor=request.user, user_id=user.pk),
            "deactivated",
        )

    @admin.action(description=_("Faire entrer dans l'équipe de la plateforme"))
    def make_staff(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        run_action(
            self,
            request,
            queryset,
            lambda user: services.user_make_staff(actor=request.user, user_id=user.pk),
            "made staff",
        )

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            # Unticking "actif" is a deactivation too: the open sockets must close.
            services.user_closed(user_id=obj.pk)


class RevokedFilter(admin.SimpleListFilter):
    title = _("état")
    parameter_name = "revoked"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("no", _("Actif")), ("yes", _("Révoqué"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(revoked_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(revoked_at__isnull=True)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "name", "user", "kind", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["kind", RevokedFilter]
    search_fields = ["user__email", "user__name", "prefix", "name"]
    list_select_related = ["user"]
    readonly_fields = ["digest", "prefix", "user", "kind", "created_at", "last_used_at"]
    actions = ["revoke"]

    @admin.action(description=_("Révoquer les jetons sélectionnés (effet immédiat)"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        run_action(
            self,
            request,
            queryset,
            lambda token: services.token_revoke(actor=request.user, token_id=token.pk),
            "revoked",
        )
