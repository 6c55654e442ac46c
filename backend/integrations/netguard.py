"""Outgoing HTTP to URLs chosen by bot owners, without letting them reach our own network.

A URL is checked when it is saved and again before every delivery, after DNS resolution, and
the request then goes to the very address that was checked (no second look-up an attacker's
DNS could answer differently). Loopback, private, link-local, multicast and reserved
addresses are refused unless the operator allows their network
(``PREAU["OUTGOING_ALLOWED_NETWORKS"]``). Redirects are never followed.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from backend.common.errors import BadRequest, TooLarge

URL_MAX = 2048
RESPONSE_MAX_BYTES = 64 * 1024

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeTarget(BadRequest):
    """The URL is malformed, not http(s), or resolves to an address we do not call."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [
        ipaddress.ip_network(n, strict=False)
        for n in settings.PREAU.get("OUTGOING_ALLOWED_NETWORKS", [])
    ]


def address_allowed(address: IPAddress) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    if any(address in network for network in _allowed_networks()):
        return True
    return address.is_global and not address.is_multicast


def check_url(url: str) -> None:
    """Refuse a URL that is not plain http(s) (no credentials); no DNS look-up."""
    if not isinstance(url, str) or not url.strip():
        raise UnsafeTarget(_("« url » doit être une adresse http ou https."), reason="bad_url")
    if len(url) > URL_MAX:
        raise TooLarge(_("L'adresse dépasse 2 048 caractères."))
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise UnsafeTarget(_("Cette adresse est mal formée."), reason="bad_url") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeTarget(_("Seules les adresses http et https sont acceptées."), reason="bad_url")
    if parts.username is not None or parts.password is not None:
        raise UnsafeTarget(_("L'adresse ne doit pas contenir d'identifiants."), reason="bad_url")
    if port == 0:
        raise UnsafeTarget(_("Cette adresse est mal formée."), reason="bad_url")


def resolve(url: str) -> Target:
    """Check ``url``, resolve its host, and refuse it unless every address is allowed."""
    check_url(url)
    parts = urlsplit(url.strip())
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise UnsafeTarget(
            _("Le nom « %(h)s » ne se résout pas.") % {"h": host}, reason="unresolvable_host"
        ) from None
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
    if not addresses or not all(address_allowed(a) for a in addresses):
        raise UnsafeTarget(
            _("Cette adresse mène à un réseau privé ou local : elle est refusée."),
            reason="private_address",
        )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return Target(scheme=parts.scheme, host=host, port=port, path=path, address=str(addresses[0]))


@dataclass(frozen=True)
class Response:
    status: int
    content_type: str
    body: bytes


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to an address already checked, with SNI and certificate checks on the name."""

    def __init__(self, address: str, port: int, *, server_name: str, timeout: float) -> None:
        super().__init__(address, port, timeout=timeout, context=ssl.create_default_context())
        self._server_name = server_name

    def connect(self) -> None:
        sock = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self._server_name)  # type: ignore[attr-defined]


def post(target: Target, *, body: bytes, headers: dict[str, str], timeout: float) -> Response:
    """POST ``body`` to the checked address; the whole exchange is bounded by ``timeout``.

    Raises ``OSError`` (including ``TimeoutError``) or ``http.client.HTTPException``.
    """
    deadline = time.monotonic() + timeout
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = _PinnedHTTPSConnection(
            target.address, target.port, server_name=target.host, timeout=timeout
        )
    else:
        connection = http.client.HTTPConnection(target.address, target.port, timeout=timeout)
    default_port = 443 if target.scheme == "https" else 80
    host_header = target.host if ":" not in target.host else f"[{target.host}]"
    if target.port != default_port:
        host_header = f"{host_header}:{target.port}"
    try:
        connection.request(
            "POST",
            target.path,
            body=body,
            headers={**headers, "Host": host_header, "Connection": "close"},
        )
        response = connection.getresponse()
        chunks: list[bytes] = []
        size = 0
        while size <= RESPONSE_MAX_BYTES:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("response too slow")
            if connection.sock is not None:
                connection.sock.settimeout(remaining)
            chunk = response.read1(16 * 1024)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return Response(
            status=response.status,
            content_type=response.getheader("Content-Type", "") or "",
            body=b"".join(chunks)[: RESPONSE_MAX_BYTES + 1],
        )
    finally:
        connection.close()
