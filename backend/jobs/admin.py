from django.contrib import admin

from .models import JobOffer


@admin.register(JobOffer)
class JobOfferAdmin(admin.ModelAdmin):
    list_display = ("title", "organisation", "commune", "category", "field", "closes_on")
    list_filter = ("category", "field")
    search_fields = ("title", "organisation__name")
    raw_id_fields = ("organisation", "commune", "departement", "region", "author")
    readonly_fields = ("created_at", "updated_at")
