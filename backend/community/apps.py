from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "backend.community"
    label = "community"
    verbose_name = "Communauté"
