"""Wire encodings: JSON text frames, or MessagePack binary frames (``preau.v1.msgpack``).

An ``Outgoing`` frame is encoded at most once per encoding per process, however many local
sockets receive it.
"""

from __future__ import annotations

import json
from typing import Any

import msgpack
from django.utils.translation import gettext_lazy as _

SUBPROTOCOL_MSGPACK = "preau.v1.msgpack"
SUBPROTOCOL_JSON = "preau.v1.json"
MAX_FRAME_BYTES = 64 * 1024


def dumps_json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


class Outgoing:
    __slots__ = ("payload", "_raw", "_text", "_packed")

    def __init__(self, payload: dict[str, Any], raw: bytes | None = None) -> None:
        self.payload = payload
        self._raw = raw
        self._text: str | None = None
        self._packed: bytes | None = None

    @classmethod
    def from_frame(cls, payload: dict[str, Any]) -> Outgoing:
        return cls(payload)

    @property
    def seq(self) -> int | None:
        return self.payload.get("seq")

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = self._raw.decode() if self._raw is not None else dumps_json(self.payload)
        return self._text

    @property
    def packed(self) -> bytes:
        if self._packed is None:
            self._packed = msgpack.packb(self.payload, use_bin_type=True)
        return self._packed


class DecodeError(ValueError):
    def __init__(self, message: Any) -> None:
        self.message = message
        super().__init__(str(message))


def decode_frame(*, text: str | None, data: bytes | None, binary: bool) -> Any:
    """Decode one client frame in the connection's encoding."""
    if binary:
        if data is None:
            raise DecodeError(_("Cette connexion parle MessagePack : envoyez des trames binaires."))
        try:
            return msgpack.unpackb(data, raw=False, strict_map_key=False)
        except Exception as exc:
            raise DecodeError(_("La trame n'est pas du MessagePack valide.")) from exc
    if text is None:
        raise DecodeError(_("Cette connexion parle JSON : envoyez des trames texte."))
    try:
        return json.loads(text)
    except ValueError as exc:
        raise DecodeError(_("La trame n'est pas du JSON valide.")) from exc
