"""The ``preau`` command: Django's management commands under a shorter name.

``preau org add …`` is ``python manage.py org add …``.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["preau", *sys.argv[1:]])


if __name__ == "__main__":
    main()
