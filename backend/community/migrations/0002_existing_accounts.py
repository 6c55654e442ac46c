"""Accounts that predate levels keep what they could do: they start at level 2."""

from django.conf import settings
from django.db import migrations


def grant(apps, schema_editor):  # type: ignore[no-untyped-def]
    User = apps.get_model("accounts", "User")
    PointEntry = apps.get_model("community", "PointEntry")
    Standing = apps.get_model("community", "Standing")
    amount = settings.PREAU["LEVEL_THRESHOLDS"][1]
    users = User.objects.filter(is_active=True, is_verified=True, is_bot=False)
    for user_id in users.values_list("pk", flat=True).iterator():
        PointEntry.objects.create(
            user_id=user_id, kind="grant", amount=amount, source="existing-account"
        )
        Standing.objects.update_or_create(
            user_id=user_id, defaults={"points": amount, "level": 2}
        )


class Migration(migrations.Migration):
    dependencies = [("community", "0001_initial")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
