from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import levels
from .models import PointEntry, Standing


@admin.register(PointEntry)
class PointEntryAdmin(admin.ModelAdmin):
    """The ledger is append-only: read it here, never edit it."""

    list_display = ("user", "kind", "amount", "source", "created_at")
    list_filter = ("kind",)
    search_fields = ("user__email", "user__name", "source")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Standing)
class StandingAdmin(admin.ModelAdmin):
    list_display = ("user", "points", "level", "referent")
    list_filter = ("level", "referent")
    search_fields = ("user__email", "user__name")
    readonly_fields = ("user", "points", "level", "referent", "updated_at")
    actions = ("grant_referent", "withdraw_referent")

    def _set(self, request, queryset, referent: bool) -> None:  # type: ignore[no-untyped-def]
        for standing in queryset:
            levels.referent_set(actor=request.user, user_id=standing.user_id, referent=referent)
        self.message_user(request, _("Niveaux mis à jour."), messages.SUCCESS)

    @admin.action(description=_("Nommer animateur référent"))
    def grant_referent(self, request, queryset):  # type: ignore[no-untyped-def]
        self._set(request, queryset, True)

    @admin.action(description=_("Retirer le niveau animateur référent"))
    def withdraw_referent(self, request, queryset):  # type: ignore[no-untyped-def]
        self._set(request, queryset, False)
