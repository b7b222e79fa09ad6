"""Fixtures for the real-browser suite: a real `trellis serve` on a fresh SQLite database and
the system Chromium driven by Playwright."""
import os
import pathlib
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

import pytest
from playwright.sync_api import sync_playwright

ROOT = pathlib.Path(__file__).resolve().parent.parent
ARTIFACTS = pathlib.Path(os.environ.get("TRELLIS_E2E_ARTIFACTS", ROOT / "e2e" / "artifacts"))
CHROMIUM = os.environ.get("TRELLIS_CHROMIUM", "/usr/bin/chromium")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def trellis_binary() -> str:
    explicit = os.environ.get("TRELLIS_BIN")
    if explicit:
        return explicit
    return str(ROOT / ".build" / "debug" / "trellis")


class Server:
    def __init__(self, *args: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.workdir = tempfile.mkdtemp(prefix="trellis-e2e-")
        self.log_path = pathlib.Path(self.workdir) / "server.log"
        env = dict(os.environ)
        env.update({"PORT": str(self.port), "TRELLIS_BASE_URL": self.url, "TRELLIS_BCRYPT_COST": "8"})
        env.pop("DATABASE_URL", None)
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [trellis_binary(), "serve", *args], cwd=self.workdir, env=env,
            stdout=self.log, stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("trellis serve exited early:\n" + self.log_path.read_text())
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1)
                return
            except Exception:
                time.sleep(0.2)
        raise RuntimeError("trellis serve did not start:\n" + self.log_path.read_text())

    def output(self) -> str:
        return self.log_path.read_text()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        shutil.rmtree(self.workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def server():
    s = Server()
    yield s
    s.stop()


@pytest.fixture(scope="module")
def demo_server():
    s = Server("--demo")
    yield s
    s.stop()


@pytest.fixture(scope="session")
def browser():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def context(browser):
    # axe is injected with page.evaluate; bypassing CSP for that only affects injected code.
    # The CSP test below runs in a context without the bypass.
    ctx = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    yield ctx
    ctx.close()
