"""The city's identity provider for the tests: a real OpenID Connect provider (the certified
`oidc-provider` package from npm, run by node from tests/accounts/oidc_provider.mjs), and a
person's browser going through its sign-in page with `requests`, as a browser would."""

import json
import os
import re
import shutil
import subprocess
import threading
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

HERE = Path(__file__).parent
PACKAGE = HERE.parent.parent / "node_modules" / "oidc-provider"
REGISTRY = "http://localhost"  # the test client's own address
CLIENT_ID = "city-data-registry"
CLIENT_SECRET = "a-client-secret-the-provider-issued-for-the-registry"

ACCOUNTS = {
    "dana": {
        "password": "dana-city-pass",
        "email": "dana.coordinator@riverton.example",
        "name": "Dana Coordinator",
        "groups": ["All staff", "Open data team"],
    },
    "pat": {
        "password": "pat-city-pass",
        "email": "pat.steward@riverton.example",
        "name": "Pat Steward",
        "groups": ["All staff", "Public Works data stewards"],
    },
    "lee": {
        "password": "lee-city-pass",
        "email": "lee.clerk@riverton.example",
        "name": "Lee Clerk",
        "groups": ["All staff"],
    },
    "sam": {
        "password": "sam-city-pass",
        "email": "sam.auditor@riverton.example",
        "name": "Sam Auditor",
        "groups": ["Internal audit"],
    },
    "max": {  # an address no mail could reach
        "password": "max-city-pass",
        "email": "max.without.a.domain",
        "name": "Max Clerk",
        "groups": ["Internal audit"],
    },
    "kim": {  # an address the provider does not mark verified
        "password": "kim-city-pass",
        "email": "kim.auditor@riverton.example",
        "name": "Kim Auditor",
        "groups": ["Internal audit"],
        "verified": False,
    },
}

GROUP_ROLES = "\n".join(
    [
        "Open data team | Open data coordinator",
        "Public Works data stewards | Data steward | PW",
        "Internal audit | auditor",
    ]
)


class CityProvider:
    def __init__(self, registry: str = REGISTRY) -> None:
        settings = {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "redirect_uris": [f"{registry}/sign-in/city/return"],
            "accounts": ACCOUNTS,
        }
        node = shutil.which("node")
        self.process = subprocess.Popen(  # noqa: S603 - node running our own script
            [node, str(HERE / "oidc_provider.mjs")],
            env={**os.environ, "OIDC_TEST_SETTINGS": json.dumps(settings)},
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(self.process.stdout.readline()))
        reader.start()
        reader.join(timeout=30)
        if not line or not line[0].strip():
            self.process.kill()
            raise RuntimeError("The test OpenID provider did not start within 30 seconds.")
        self.issuer = json.loads(line[0])["issuer"]

    def settings(self, **changes) -> dict:
        """The registry's settings page, filled in for this provider."""
        return {
            "enabled": "y",
            "label": "City of Riverton account",
            "issuer": self.issuer,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "scopes": "openid email profile groups",
            "groups_claim": "groups",
            "group_roles": GROUP_ROLES,
            **changes,
        }

    def set_enabled(self, login: str, enabled: bool) -> None:
        action = "enable" if enabled else "disable"
        answer = requests.post(f"{self.issuer}/admin/accounts/{login}/{action}", timeout=10)
        answer.raise_for_status()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def start_provider(registry: str = REGISTRY) -> CityProvider:
    """The provider, for a registry at that address, or a skip where node or the package is
    missing (CI requires it: REGISTRY_REQUIRE_OIDC=1)."""
    missing = None
    if shutil.which("node") is None:
        missing = "node is not installed"
    elif not PACKAGE.is_dir():
        missing = "the npm package oidc-provider is not installed (npm ci)"
    if missing:
        if os.environ.get("REGISTRY_REQUIRE_OIDC"):
            pytest.fail(f"The OpenID Connect tests must run here, but {missing}.")
        pytest.skip(missing)
    return CityProvider(registry)


class Browser:
    """A person's browser: the registry through Flask's test client, the provider over HTTP."""

    def __init__(self, client) -> None:
        self.client = client
        self.web = requests.Session()  # keeps the provider's own cookies, as a browser does

    def _registry(self, url: str):
        return self.client.get(url.removeprefix(REGISTRY))

    def _follow(self, answer):
        """Follows the provider's redirects until it shows a page or sends the person back."""
        while answer.status_code in (302, 303):
            location = urljoin(answer.url, answer.headers["Location"])
            if location.startswith(REGISTRY):
                return None, self._registry(location)
            answer = self.web.get(location, allow_redirects=False, timeout=10)
        return answer, None

    def sign_in(self, login: str | None, password: str | None = None, *, start="/sign-in/city"):
        """Starts at the registry and signs in at the provider (when it asks); returns the
        registry's answer on the way back, or the provider's page when it stays there."""
        start_answer = self.client.get(start)
        assert start_answer.status_code == 302, start_answer.get_data(as_text=True)[:300]
        location = start_answer.headers["Location"]
        assert location.startswith(self.issuer_of(location))
        page, back = self._follow(self.web.get(location, allow_redirects=False, timeout=10))
        if back is not None:
            return back
        assert "action=" in page.text, (page.status_code, page.text[:800])
        action = re.search(r'action="([^"]+)"', page.text).group(1)
        account = ACCOUNTS.get(login, {})
        form = {"login": login, "password": password or account.get("password", "")}
        submitted = self.web.post(
            urljoin(page.url, action), data=form, allow_redirects=False, timeout=10
        )
        page, back = self._follow(submitted)
        return back if back is not None else page

    @staticmethod
    def issuer_of(url: str) -> str:
        return re.match(r"https?://[^/]+", url).group(0)
