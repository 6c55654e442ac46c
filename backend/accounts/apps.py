from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "backend.accounts"
    label = "accounts"
    verbose_name = _("Comptes et organisations")

    def ready(self) -> None:
        from .otp import install_admin_otp

        install_admin_otp()
