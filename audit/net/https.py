"""HTTPS GET to a host whose address the audit resolved itself (MTA-STS policy fetch).

The connection goes to an address found through the audit's resolver, while SNI, the
`Host` header and certificate verification use the real host name: the lab (or a
`--nameserver` chosen by the user) then decides where the request goes, exactly as it does
for SMTP. Redirects are never followed (RFC 8461 §3.3) and the body is size-capped.
"""

from __future__ import annotations

import ipaddress
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from urllib3.util.ssl_match_hostname import CertificateError as NameMismatch

from rgpd_audit.errors import CheckError

if TYPE_CHECKING:
    from requests.adapters import _HostParams, _PoolKwargs

    class _PinnedPoolKwargs(_PoolKwargs):
        """The stubs list only the keys requests fills; urllib3 takes any pool key."""

        server_hostname: str
        assert_hostname: str


_CHUNK = 4096


class CertificateRejected(CheckError):
    """The server's certificate failed verification for the host name asked for."""

    def __init__(self, message: str) -> None:
        super().__init__("tls", message)


class HostNotFound(CheckError):
    """The host name does not exist in DNS, or has no address: a fact, not an outage."""

    def __init__(self, message: str) -> None:
        super().__init__("dns", message)


@dataclass(frozen=True)
class HttpsResponse:
    """What the server answered; `truncated` when the body exceeded the size cap."""

    url: str
    address: str
    status: int
    content_type: str | None
    location: str | None
    body: bytes
    truncated: bool


class _PinnedAddressAdapter(HTTPAdapter):
    """Connects to the address in the URL but speaks TLS to `hostname` (SNI and checks).

    `build_connection_pool_key_attributes` is the hook requests documents for per-request
    TLS settings (2.32+); urllib3 then sends SNI and matches the certificate on the name.
    """

    def __init__(self, hostname: str, context: ssl.SSLContext) -> None:
        self._hostname = hostname
        self._context = context
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["ssl_context"] = self._context
        super().init_poolmanager(*args, **kwargs)

    def build_connection_pool_key_attributes(
        self, request: requests.PreparedRequest, verify: Any, cert: Any = None
    ) -> tuple[_HostParams, _PinnedPoolKwargs]:
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(
            request, verify, cert
        )
        pinned: _PinnedPoolKwargs = {
            **pool_kwargs,
            "server_hostname": self._hostname,
            "assert_hostname": self._hostname,
        }
        return host_params, pinned


def https_get(
    url: str,
    addresses: Sequence[str],
    *,
    port: int,
    timeout: float,
    ca_file: Path | None,
    max_bytes: int,
) -> HttpsResponse:
    """GET `url` from the first of `addresses` that accepts a connection.

    Trust: the system's authorities plus `ca_file`. Raises `CertificateRejected` when the
    certificate does not verify, `CheckError` when no address answers in `timeout`.
    """
    parts = urlsplit(url)
    hostname = parts.hostname or ""
    path = parts.path or "/"
    if parts.scheme != "https" or not hostname:
        raise ValueError(f"URL https:// attendue : {url}")
    if not addresses:
        raise HostNotFound(f"{hostname} n'a aucune adresse IP")
    context = ssl.create_default_context()
    if ca_file is not None:
        context.load_verify_locations(cafile=str(ca_file))
    last: CheckError | None = None
    for address in addresses:
        try:
            return _get_one(url, hostname, path, address, port, timeout, context, max_bytes)
        except CertificateRejected:
            raise
        except CheckError as exc:
            last = exc
    assert last is not None
    raise last


def _get_one(
    url: str,
    hostname: str,
    path: str,
    address: str,
    port: int,
    timeout: float,
    context: ssl.SSLContext,
    max_bytes: int,
) -> HttpsResponse:
    host_in_url = f"[{address}]" if ipaddress.ip_address(address).version == 6 else address
    target = f"https://{host_in_url}:{port}{path}"
    with requests.Session() as session:
        # Proxies from the environment would send the request elsewhere than the address
        # the audit resolved.
        session.trust_env = False
        session.mount("https://", _PinnedAddressAdapter(hostname, context))
        started = time.monotonic()
        try:
            response = session.get(
                target,
                headers={
                    "Host": hostname if port == 443 else f"{hostname}:{port}",
                    # Compressed bodies would defeat the size cap (a small gzip can expand).
                    "Accept-Encoding": "identity",
                },
                timeout=(timeout, timeout),
                allow_redirects=False,
                stream=True,
            )
            with response:
                body, truncated = _read_capped(response, max_bytes, started + timeout)
        except requests.exceptions.SSLError as exc:
            verify_error = _verify_error(exc)
            if verify_error is not None:
                raise CertificateRejected(
                    f"certificat de {hostname} refusé ({address}) : {verify_error}"
                ) from None
            raise CheckError(
                "tls", f"négociation TLS avec {hostname} ({address}) : {exc}"
            ) from None
        except requests.exceptions.Timeout:
            raise CheckError("timeout", f"{hostname} ({address}) ne répond pas à temps") from None
        except requests.exceptions.RequestException as exc:
            raise CheckError(
                "connection", f"connexion HTTPS à {hostname} ({address}) impossible : {exc}"
            ) from None
    return HttpsResponse(
        url=url,
        address=address,
        status=response.status_code,
        content_type=response.headers.get("Content-Type"),
        location=response.headers.get("Location"),
        body=body,
        truncated=truncated,
    )


def _read_capped(
    response: requests.Response, max_bytes: int, deadline: float
) -> tuple[bytes, bool]:
    # read1 returns whatever has arrived: a server trickling one byte at a time is then
    # stopped at the deadline, where iter_content would wait for a full chunk each time.
    body = bytearray()
    try:
        while chunk := response.raw.read1(_CHUNK):
            body += chunk
            if len(body) > max_bytes:
                return bytes(body[:max_bytes]), True
            if time.monotonic() > deadline:
                raise requests.exceptions.ReadTimeout("corps de réponse trop lent")
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise requests.exceptions.ReadTimeout(str(exc)) from None
    except urllib3.exceptions.HTTPError as exc:
        raise requests.exceptions.ConnectionError(str(exc)) from None
    return bytes(body), False


def _verify_error(exc: BaseException) -> str | None:
    """The certificate verification message buried in requests' exception chain, if any."""
    seen: set[int] = set()
    pending: list[BaseException] = [exc]
    while pending:
        current = pending.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ssl.SSLCertVerificationError):
            return current.verify_message or str(current)
        # With assert_hostname, urllib3 matches the name itself and raises its own error.
        if isinstance(current, NameMismatch):
            return f"le certificat ne nomme pas ce serveur ({current})"
        pending += [e for e in (current.__cause__, current.__context__) if e is not None]
        pending += [a for a in current.args if isinstance(a, BaseException)]
        # urllib3's MaxRetryError keeps the underlying error in `reason`.
        reason = getattr(current, "reason", None)
        if isinstance(reason, BaseException):
            pending.append(reason)
    return None
