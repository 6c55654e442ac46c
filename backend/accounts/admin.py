from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from backend.common.errors import PreauError

from . import services
from .models import ApiToken, DomainRequest, Organisation, OrganisationDomain, User


class OrganisationDomainInline(admin.TabularInline):
    model = OrganisationDomain
    extra = 1


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "insee_code"]
    list_filter = ["kind"]
    search_fields = ["name", "insee_code", "domains__domain"]
    inlines = [OrganisationDomainInline]


@admin.register(DomainRequest)
class DomainRequestAdmin(admin.ModelAdmin):
    list_display = ["domain", "organisation_name", "email", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["domain", "organisation_name", "email"]
    readonly_fields = ["email", "domain", "status", "created_at", "reviewed_at", "reviewed_by"]
    actions = ["approve", "reject"]

    @admin.action(description=_("Accepter les demandes sélectionnées (ajoute le domaine)"))
    def approve(self, request: HttpRequest, queryset: QuerySet[DomainRequest]) -> None:
        self._review(request, queryset, services.domain_request_approve)

    @admin.action(description=_("Refuser les demandes sélectionnées"))
    def reject(self, request: HttpRequest, queryset: QuerySet[DomainRequest]) -> None:
        self._review(request, queryset, services.domain_request_reject)

    def _review(self, request: HttpRequest, queryset: QuerySet[DomainRequest], action) -> None:  # type: ignore[no-untyped-def]
        done = 0
        for req in queryset:
            try:
                action(request_id=req.pk, reviewer=request.user)
                done += 1
            except PreauError as exc:
                self.message_user(request, f"{req.domain} : {exc.message}", messages.WARNING)
        self.message_user(request, _("%(n)d demande(s) traitée(s).") % {"n": done})


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
    search_fields = ["email", "name", "organisation__name"]
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


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["prefix", "user", "kind", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["kind"]
    search_fields = ["user__email", "prefix", "name"]
    readonly_fields = ["digest", "prefix", "user", "kind", "created_at", "last_used_at"]
