from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "backend.home"
    label = "home"
    verbose_name = "Accueil"
