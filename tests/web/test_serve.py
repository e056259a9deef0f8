"""`kartoteka serve` as a user runs it: a real uvicorn server on a free port of this machine, stopped with
Ctrl-C (SIGINT). Needs no service beyond the store: the OpenAPI document and an error answer are enough."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str, process: subprocess.Popen, limit: float = 120.0) -> bytes:
    """The body at url once the server answers (the server starts in a few seconds on a quiet machine)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server stopped: {process.stderr.read() if process.stderr else ''}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return bytes(response.read())
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise AssertionError(f"no answer from {url} within {limit} s")


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_answers_and_stops_on_ctrl_c(empty_url, workers):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "kartoteka", "-d", empty_url, "serve", "--port", str(port),
                                "--workers", str(workers)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        document = json.loads(wait_for(f"http://127.0.0.1:{port}/api/v1/openapi.json", process))
        assert "/api/v1/search" in document["paths"]
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/nothing", timeout=5)
        assert missing.value.code == 404
        assert json.loads(missing.value.read())["error"]["code"] == "web.not_found"
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, stderr
    assert f"at http://127.0.0.1:{port}/" in stderr
    assert stderr.rstrip().endswith("stopped")


def test_serve_refuses_a_store_that_is_not_there(tmp_path):
    done = subprocess.run([sys.executable, "-m", "kartoteka", "-d", str(tmp_path / "none.sqlite"), "serve",
                           "--port", str(free_port())], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "serving" not in done.stderr and "none.sqlite" in done.stderr


def _sign_in_as_nobody(base: str, name: str, headers: dict[str, str]) -> int:
    """A failed sign-in through the login form (its CSRF cookie and token), sent with `headers`: the status."""
    with urllib.request.urlopen(urllib.request.Request(f"{base}/login", headers=headers), timeout=30) as form:
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.read().decode()).group(1)  # type: ignore[union-attr]
        cookie = form.headers["Set-Cookie"].split(";", 1)[0]
    body = urllib.parse.urlencode({"name": name, "password": "wrong", "csrf_token": token}).encode()
    request = urllib.request.Request(f"{base}/login", data=body, headers={**headers, "Cookie": cookie})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    return refused.value.code


@pytest.mark.parametrize(("trusted", "seen_from", "hsts"), [("127.0.0.1", "203.0.113.9", True),
                                                              ("192.0.2.1", "127.0.0.1", False)])
def test_the_client_address_and_scheme_come_from_a_trusted_proxy_only(tmp_path, trusted, seen_from, hsts):
    url = f"sqlite:///{tmp_path / 'proxy.sqlite'}"
    subprocess.run([sys.executable, "-m", "kartoteka", "-d", url, "init"], check=True, capture_output=True,
                   timeout=120)
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "kartoteka", "-d", url, "serve", "--port", str(port),
                                "--forwarded-allow-ips", trusted], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    base = f"http://127.0.0.1:{port}"
    proxied = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    try:
        wait_for(f"{base}/api/v1/openapi.json", process)
        with urllib.request.urlopen(urllib.request.Request(f"{base}/api/v1/openapi.json", headers=proxied),
                                    timeout=30) as answer:
            assert ("Strict-Transport-Security" in answer.headers) is hsts
        assert _sign_in_as_nobody(base, "nobody", {"X-Forwarded-For": "203.0.113.9"}) == 401
    finally:
        process.send_signal(signal.SIGINT)
        process.communicate(timeout=60)
    audit = subprocess.run([sys.executable, "-m", "kartoteka", "-d", url, "audit", "--json", "--action",
                            "login_failed"], check=True, capture_output=True, text=True, timeout=120)
    entries = json.loads(audit.stdout)["entries"]
    assert [(entry["who"], entry["client"]) for entry in entries] == [("nobody", seen_from)]


def test_a_worker_keeps_what_it_warmed_up_out_of_the_garbage_collectors_walk(portal_url):
    # A full collection walks every tracked object: with the warmed-up names tables in sight it stopped a worker for
    # about 0.9 s at full scale. The app's start-up moves them to the permanent generation.
    import gc

    from tests.web.conftest import client_of

    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        for client in client_of(portal_url):
            assert client.get("/").status_code == 200
            assert gc.get_freeze_count() > 10_000
    finally:
        gc.unfreeze()  # this test process goes on with other apps
