"""Staff's view of moderation across rooms (read-only: acting goes through the services)."""

from django.contrib import admin

from .models import Ban, Report


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Report)
class ReportAdmin(_ReadOnly):
    list_display = ["created_at", "room", "message_id", "reporter", "status", "handled_by"]
    list_filter = ["status"]
    list_select_related = ["room", "reporter", "handled_by"]
    search_fields = ["reason", "note", "reporter__email"]


@admin.register(Ban)
class BanAdmin(_ReadOnly):
    list_display = ["created_at", "room", "user", "banned_by"]
    list_select_related = ["room", "user", "banned_by"]
    search_fields = ["user__email", "room__name"]
