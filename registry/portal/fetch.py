"""Reading a portal over HTTP, carefully: only the registered host, no redirect to another host,
no private or local address unless the coordinator allowed it for that portal, a timeout on
every read and a size limit on every answer. A refusal says why, in words."""

import ipaddress
import json
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests

TIMEOUT_SECONDS = 20
MAX_BYTES = 20 * 1024 * 1024
MAX_REDIRECTS = 3
USER_AGENT = "CityDataRegistry/1 (portal check)"


class PortalUnreadable(Exception):
    """The portal could not be read; the message says why, for the coordinator's page."""


@dataclass(frozen=True)
class Reach:
    """Where a portal may be read: its host, and whether private addresses are allowed."""

    host: str
    allow_private: bool

    @classmethod
    def of(cls, url: str, allow_private: bool) -> "Reach":
        return cls((urlsplit(url).hostname or "").lower(), allow_private)


def public_only(host: str) -> None:
    """Refuses a host that resolves to a private or local address, saying so."""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError as error:
        raise PortalUnreadable(f"The address {host} does not resolve ({error}).") from None
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            raise PortalUnreadable(
                f"{host} is a private or local address ({ip}); the coordinator may allow "
                "private addresses for a portal on the city's own network."
            )


def _checked(url: str, reach: Reach) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PortalUnreadable(f"{url} is not a web address.")
    if parts.hostname.lower() != reach.host:
        raise PortalUnreadable(
            f"The portal sent the registry to {parts.hostname}, another host than the one "
            f"registered ({reach.host}); it was not followed."
        )
    if not reach.allow_private:
        public_only(parts.hostname)
    return url


def _body(answer: requests.Response, url: str) -> bytes:
    declared = answer.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > MAX_BYTES:
        raise PortalUnreadable(f"{url} is larger than {MAX_BYTES // 1024 // 1024} MB.")
    chunks, size = [], 0
    for chunk in answer.iter_content(64 * 1024):
        size += len(chunk)
        if size > MAX_BYTES:
            raise PortalUnreadable(f"{url} is larger than {MAX_BYTES // 1024 // 1024} MB.")
        chunks.append(chunk)
    return b"".join(chunks)


def get(url: str, reach: Reach) -> tuple[int, bytes]:
    """The answer's status and body, following redirects on the same host only."""
    for _ in range(MAX_REDIRECTS + 1):
        _checked(url, reach)
        try:
            answer = requests.get(
                url,
                timeout=TIMEOUT_SECONDS,
                allow_redirects=False,
                stream=True,
                headers={"User-Agent": USER_AGENT, "Accept": "application/json, */*"},
            )
        except requests.Timeout:
            raise PortalUnreadable(f"{url} did not answer within {TIMEOUT_SECONDS} s.") from None
        except requests.RequestException as error:
            raise PortalUnreadable(
                f"{url} could not be reached ({type(error).__name__})."
            ) from None
        with answer:
            if answer.is_redirect and answer.headers.get("Location"):
                url = urljoin(url, answer.headers["Location"])
                continue
            try:
                return answer.status_code, _body(answer, url)
            except requests.RequestException:
                raise PortalUnreadable(f"{url} stopped answering half-way.") from None
    raise PortalUnreadable(f"{url} redirected more than {MAX_REDIRECTS} times.")


def get_json(url: str, reach: Reach):
    status, body = get(url, reach)
    if status != 200:
        raise PortalUnreadable(f"{url} answered {status}.")
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        raise PortalUnreadable(f"{url} did not answer JSON.") from None
