from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from backend.accounts.admin import run_action
from backend.accounts.models import User
from backend.common.errors import PreauError

from . import services
from .models import Membership, Room, Territory, Theme


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ["name", "insee_code", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "insee_code"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


class ArchivedFilter(admin.SimpleListFilter):
    title = _("archivage")
    parameter_name = "archived"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("no", _("En service")), ("yes", _("Archivé"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(archived_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(archived_at__isnull=True)
        return queryset


class RoomAdminForm(forms.ModelForm):
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True, is_bot=False),
        required=False,
        label=_("Propriétaire"),
        help_text=_("Changer de propriétaire : l'ancien devient modérateur."),
        widget=ForeignKeyRawIdWidget(Room._meta.get_field("created_by").remote_field, admin.site),
    )

    class Meta:
        model = Room
        fields = "__all__"  # noqa: DJ007 - the admin shows every field of a room

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["owner"].initial = (
                Membership.objects.filter(room=self.instance, role=Membership.Role.OWNER)
                .values_list("user_id", flat=True)
                .first()
            )


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    form = RoomAdminForm
    list_display = [
        "name",
        "kind",
        "access",
        "theme",
        "territory",
        "organisation",
        "retention_days",
        "archived_at",
    ]
    list_filter = ["kind", "access", ArchivedFilter, "theme", "territory__level"]
    search_fields = ["name", "territory__name", "organisation__name"]
    list_select_related = ["theme", "territory", "organisation"]
    readonly_fields = ["last_seq", "created_at", "archived_at"]
    raw_id_fields = ["created_by"]
    inlines = [MembershipInline]
    actions = ["archive"]

    @admin.action(description=_("Archiver les salons sélectionnés"))
    def archive(self, request: HttpRequest, queryset: QuerySet[Room]) -> None:
        run_action(
            self,
            request,
            queryset,
            lambda room: services.room_archive(actor=request.user, room_id=room.pk),
            "archived",
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        owner = form.cleaned_data.get("owner")
        if change and owner is not None and "owner" in form.changed_data:
            try:
                services.room_owner_set(
                    actor=request.user, room_id=form.instance.pk, user_id=owner.pk
                )
            except PreauError as exc:
                self.message_user(request, str(exc.message), messages.ERROR)
