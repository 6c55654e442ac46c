"""Two-factor authentication with TOTP codes (django-otp's TOTPDevice).

Optional for agents; when the operator sets ``PREAU_STAFF_2FA=required``, platform staff must
enrol and give a code to use the admin. django-otp's own OTPMiddleware is not used: it sets
``user.is_verified`` as a method, which is our User's email-verified field.
"""

from __future__ import annotations

from base64 import b32encode
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms import CharField
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_otp.plugins.otp_totp.models import TOTPDevice

from backend.audit.services import audit_record
from backend.common.errors import BadRequest, Conflict, Forbidden, TooLarge

from .models import User

# Set in the session when the login gave a valid code.
OTP_SESSION_KEY = "preau_otp_verified"
CODE_MAX = 16


def otp_required_for(user: User) -> bool:
    return settings.PREAU_STAFF_2FA == "required" and user.is_staff


def otp_missing_for(user: User) -> bool:
    """The operator requires 2FA of this person, who has no confirmed device yet."""
    return otp_required_for(user) and otp_device_for(user) is None


def otp_qr_svg_data_uri(otpauth_uri: str) -> str:
    """The otpauth URI as a QR code: an SVG ``data:`` URI made here, with no outside service."""
    import segno

    return segno.make(otpauth_uri, error="m").svg_data_uri(scale=5, border=4)


def otp_device_for(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def otp_verify(*, device: TOTPDevice, code: str) -> bool:
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit() or len(code) > CODE_MAX:
        return False
    return bool(device.verify_token(code))


@dataclass(frozen=True)
class Enrolment:
    secret: str
    otpauth_uri: str


@transaction.atomic
def otp_enrol_start(*, user: User) -> Enrolment:
    """A new secret to scan; it takes effect once a code from it is confirmed."""
    if otp_device_for(user) is not None:
        raise Conflict(
            _("La double authentification est déjà activée ; désactivez-la d'abord."),
            reason="otp_enabled",
        )
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice.objects.create(user=user, name="TOTP", confirmed=False)
    return Enrolment(
        secret=b32encode(device.bin_key).decode().rstrip("="), otpauth_uri=device.config_url
    )


@transaction.atomic
def otp_enrol_confirm(*, user: User, code: str, ip: str | None = None) -> None:
    if len(code) > CODE_MAX:
        raise TooLarge(_("Code trop long."))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        raise BadRequest(_("Aucune activation en cours."), reason="no_enrolment")
    if not otp_verify(device=device, code=code):
        raise BadRequest(_("Code incorrect."), reason="bad_otp")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(action="otp.enabled", actor=user, target=f"user:{user.pk}", ip=ip)


@transaction.atomic
def otp_disable(*, user: User, password: str, ip: str | None = None) -> None:
    if len(password) > 1024:
        raise TooLarge(_("Le mot de passe est trop long."))
    if not user.check_password(password):
        raise BadRequest(_("Mot de passe incorrect."), reason="wrong_password")
    if otp_required_for(user):
        raise Forbidden(
            _("La double authentification est obligatoire pour l'équipe de la plateforme."),
            reason="otp_required_for_staff",
        )
    deleted, _rows = TOTPDevice.objects.filter(user=user).delete()
    if deleted:
        audit_record(action="otp.disabled", actor=user, target=f"user:{user.pk}", ip=ip)


def otp_status(*, user: User) -> dict[str, bool]:
    return {"enabled": otp_device_for(user) is not None, "required": otp_required_for(user)}


# --- the admin -------------------------------------------------------------------------------


class AdminLoginForm(AdminAuthenticationForm):
    """The admin login, with the same failure limits as the API and a code when enrolled."""

    otp_token = CharField(
        label=gettext_lazy("Code de double authentification"), required=False, max_length=16
    )

    def clean(self) -> dict[str, Any]:
        from backend.common.http import client_ip

        from .login import login_failure_record, login_throttle_check

        email = (self.cleaned_data.get("username") or "").strip().lower()
        ip = client_ip(self.request) if self.request is not None else None
        try:
            login_throttle_check(email=email, ip=ip)
        except Exception as exc:
            raise ValidationError(str(getattr(exc, "message", exc))) from None
        try:
            cleaned = super().clean()
        except ValidationError:
            login_failure_record(email=email, ip=ip)
            raise
        user = self.get_user()
        device = otp_device_for(user)
        if device is None and otp_required_for(user):
            raise ValidationError(
                _(
                    "La double authentification est obligatoire pour l'équipe : activez-la "
                    "depuis votre compte avant d'ouvrir l'administration."
                )
            )
        if device is not None:
            if not otp_verify(device=device, code=self.cleaned_data.get("otp_token") or ""):
                login_failure_record(email=email, ip=ip)
                raise ValidationError(_("Code de double authentification incorrect."))
            if self.request is not None:
                self.request.session[OTP_SESSION_KEY] = True  # kept across login()'s cycle_key
        return cleaned


def admin_has_permission(site: Any, request: HttpRequest) -> bool:
    """The admin's own check, plus a code given at login when the operator requires one."""
    from django.contrib.admin import AdminSite

    if not AdminSite.has_permission(site, request):
        return False
    if otp_required_for(request.user) or otp_device_for(request.user) is not None:
        return bool(request.session.get(OTP_SESSION_KEY))
    return True


def install_admin_otp() -> None:
    import types

    from django.contrib import admin

    admin.site.login_form = AdminLoginForm
    admin.site.login_template = "admin/preau_login.html"
    admin.site.has_permission = types.MethodType(admin_has_permission, admin.site)  # type: ignore[method-assign]
