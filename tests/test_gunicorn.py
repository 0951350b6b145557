"""The production server as README runs it: gunicorn from the checkout, with its settings."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gunicorn_server(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "REGISTRY_DATABASE_URL": f"sqlite:///{tmp_path}/registry.sqlite3",
        "REGISTRY_BIND": f"127.0.0.1:{port}",
        "REGISTRY_WORKERS": "1",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "registry:create_app()"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=1)  # noqa: S310 - loopback
            break
        except OSError:
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=10)


def test_gunicorn_names_no_server_or_version(gunicorn_server):
    with urllib.request.urlopen(f"{gunicorn_server}/healthz", timeout=5) as response:  # noqa: S310
        assert response.status == 200 and response.headers.get("Server") is None
