from django.apps import AppConfig


class DirectConfig(AppConfig):
    name = "backend.direct"
    label = "direct"
    verbose_name = "Messages directs"
