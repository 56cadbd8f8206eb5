"""Download of the list of certified hosts: bounded in time and size, errors in French."""

from __future__ import annotations

import http.client
import time
from collections.abc import Callable
from urllib.parse import urlsplit

#: The address commonly cited for the ANS list (fact sheet §4, unverified: it may be a web
#: page rather than a downloadable file, in which case `hds update --url` or `--file` is used).
DEFAULT_URL = "https://esante.gouv.fr/offres-services/hds/liste-des-hebergeurs-certifies"
MAX_BYTES = 20 * 1024 * 1024
CHUNK = 64 * 1024
MAX_REDIRECTS = 5

Progress = Callable[[int, int | None], None]


class DownloadError(Exception):
    """The list could not be downloaded; the message is in French."""


def download(
    url: str,
    *,
    timeout: float,
    deadline: float,
    max_bytes: int = MAX_BYTES,
    progress: Progress | None = None,
) -> bytes:
    """The body of `url` (HTTP 200 only).

    `timeout` bounds each network wait, `deadline` the whole transfer (a server trickling
    bytes cannot hold the command), `max_bytes` the body; `progress(received, total)` is
    called after each chunk, `total` being None when the server does not announce it.
    """
    # Imported here: requests is slow to import and only `hds update` downloads anything.
    import requests
    import urllib3.exceptions

    from rgpd_audit import __version__

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DownloadError(f"adresse « {url} » invalide (http:// ou https:// attendu)")
    started = time.monotonic()
    with requests.Session() as session:
        session.max_redirects = MAX_REDIRECTS
        try:
            with session.get(
                url,
                stream=True,
                timeout=timeout,
                headers={"User-Agent": f"rgpd-audit/{__version__}", "Accept-Encoding": "identity"},
            ) as response:
                if response.status_code != 200:
                    status = f"{response.status_code} {response.reason or ''}".rstrip()
                    raise DownloadError(f"le serveur a répondu {status}")
                total = _announced_length(response.headers.get("Content-Length"), max_bytes)
                body = bytearray()
                while chunk := response.raw.read1(CHUNK):
                    body += chunk
                    if len(body) > max_bytes:
                        raise DownloadError(_too_big(max_bytes))
                    if time.monotonic() - started > deadline:
                        raise DownloadError(
                            f"téléchargement trop long (plus de {deadline:.0f} s), interrompu"
                        )
                    if progress is not None:
                        progress(len(body), total)
        except requests.Timeout:
            raise DownloadError(f"pas de réponse du serveur en {timeout:g} s") from None
        except urllib3.exceptions.ReadTimeoutError:
            raise DownloadError(f"le serveur a cessé d'envoyer pendant {timeout:g} s") from None
        except requests.exceptions.SSLError as exc:
            raise DownloadError(f"échec de la connexion chiffrée (TLS) : {exc}") from None
        except requests.TooManyRedirects:
            raise DownloadError(f"plus de {MAX_REDIRECTS} redirections") from None
        except (requests.ConnectionError, urllib3.exceptions.ProtocolError) as exc:
            cause = _root_cause(exc)
            if isinstance(cause, http.client.IncompleteRead | urllib3.exceptions.IncompleteRead):
                raise DownloadError("téléchargement incomplet, connexion coupée") from None
            raise DownloadError(
                f"connexion impossible : {str(cause) or type(cause).__name__}"
            ) from None
        except requests.RequestException as exc:
            raise DownloadError(f"téléchargement impossible : {exc}") from None
    if total is not None and len(body) < total:
        raise DownloadError(f"téléchargement incomplet ({len(body)} octets sur {total})")
    return bytes(body)


def _announced_length(value: str | None, max_bytes: int) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    total = int(value)
    if total > max_bytes:
        raise DownloadError(_too_big(max_bytes))
    return total


def _too_big(max_bytes: int) -> str:
    return f"fichier trop volumineux (plus de {max_bytes // (1024 * 1024)} Mio)"


def _root_cause(exc: BaseException) -> BaseException:
    while exc.__context__ is not None and exc.__context__ is not exc:
        exc = exc.__context__
    return exc
