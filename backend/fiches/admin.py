"""Staff read fiches here and may remove one (e.g. on a complaint); edits go through the app,
which keeps the revision history."""

from django.contrib import admin

from .models import Fiche


@admin.register(Fiche)
class FicheAdmin(admin.ModelAdmin):
    list_display = ("title", "source_room", "validated_at", "published_at", "updated_at")
    list_filter = ("theme",)
    search_fields = ("title",)
    readonly_fields = [f.name for f in Fiche._meta.fields]

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
