"""ASGI protocol routing: HTTP through Django, /ws/v1/ through the realtime consumer."""

from __future__ import annotations

from typing import Any

from channels.routing import ProtocolTypeRouter, URLRouter
from django.urls import path


def build_application(http_app: Any) -> Any:
    from .consumers import Connection

    return ProtocolTypeRouter(
        {
            "http": http_app,
            "websocket": URLRouter([path("ws/v1/", Connection.as_asgi())]),
        }
    )
