"""ASGI entry point: HTTP through Django, WebSocket through realtime's consumer."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

from realtime.routing import build_application  # noqa: E402

application = build_application(django_asgi_app)

from backend.integrations import worker  # noqa: E402

# Outgoing webhook deliveries and scheduled announcements run beside every server process.
worker.start()
