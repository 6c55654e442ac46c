from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "backend.common"
    label = "common"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from . import checks  # noqa: F401 - registers the configuration checks
        from .metrics import install_query_timer

        connection_created.connect(install_query_timer, dispatch_uid="preau-query-timer")
