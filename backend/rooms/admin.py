from django.contrib import admin

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


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
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
    list_filter = ["kind", "access", "theme"]
    search_fields = ["name", "territory__name", "organisation__name"]
    readonly_fields = ["last_seq", "created_at"]
    inlines = [MembershipInline]
