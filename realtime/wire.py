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
# ASGI scope extension through which `preau serve` lets the fan-out write prepared frames.
DIRECT_WRITE = "preau.direct_write"


def dumps_json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


def frame_bytes(opcode: int, payload: bytes) -> bytes:
    """A complete, unmasked, unfragmented server frame (RFC 6455 §5.2): the same for every socket."""
    n = len(payload)
    if n < 126:
        head = bytes((0x80 | opcode, n))
    elif n < 65536:
        head = bytes((0x80 | opcode, 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 127)) + n.to_bytes(8, "big")
    return head + payload


class Outgoing:
    __slots__ = ("payload", "_raw", "_text", "_packed", "_text_frame", "_packed_frame")

    def __init__(self, payload: dict[str, Any], raw: bytes | None = None) -> None:
        self.payload = payload
        self._raw = raw
        self._text: str | None = None
        self._packed: bytes | None = None
        self._text_frame: bytes | None = None
        self._packed_frame: bytes | None = None

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

    @property
    def text_frame(self) -> bytes:
        """The JSON text frame, header included, built once for every local socket."""
        if self._text_frame is None:
            data = self._raw if self._raw is not None else self.text.encode()
            self._text_frame = frame_bytes(0x1, data)
        return self._text_frame

    @property
    def packed_frame(self) -> bytes:
        if self._packed_frame is None:
            self._packed_frame = frame_bytes(0x2, self.packed)
        return self._packed_frame


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
