"""ASGI protocol routing. The WebSocket endpoint is added by the realtime layer."""

from __future__ import annotations

from typing import Any

from channels.routing import ProtocolTypeRouter


def build_application(http_app: Any) -> Any:
    return ProtocolTypeRouter({"http": http_app})
