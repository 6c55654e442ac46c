"""One's own profile: the display name and job title an agent shows to others."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from backend.common.errors import BadRequest, TooLarge

from .models import User

NAME_MAX = 150
JOB_TITLE_MAX = 150


@transaction.atomic
def profile_update(*, user: User, name: str | None = None, job_title: str | None = None) -> User:
    """Change the given fields (None leaves one alone); the organisation follows the address."""
    fields: list[str] = []
    if name is not None:
        name = name.strip()
        if len(name) > NAME_MAX:
            raise TooLarge(
                _("Le nom affiché est trop long (%(max)s caractères au plus).") % {"max": NAME_MAX},
                field="name",
            )
        if not name:
            raise BadRequest(
                _("Le nom affiché est obligatoire."), reason="name_required", field="name"
            )
        user.name = name
        fields.append("name")
    if job_title is not None:
        job_title = job_title.strip()
        if len(job_title) > JOB_TITLE_MAX:
            raise TooLarge(
                _("La fonction est trop longue (%(max)s caractères au plus).")
                % {"max": JOB_TITLE_MAX},
                field="job_title",
            )
        user.job_title = job_title
        fields.append("job_title")
    if fields:
        User.objects.filter(pk=user.pk).update(**{f: getattr(user, f) for f in fields})
    return user
