"""Issue #7 as a person sees it: phone-width pages checked with axe (scrollable tables reachable by
keyboard, the people table readable as cards), copy buttons for links shown once, and
`serve --port` giving working addresses."""
import os
import re
import socket
import subprocess
import tempfile
import time

from playwright.sync_api import expect

from conftest import free_port, trellis_binary
from helpers import check_accessibility, sign_in

PHONE = {"width": 390, "height": 844}


def demo_admin(demo_server):
    match = re.search(r"Program manager: (\S+)\s+password: (\S+)", demo_server.output())
    return match.group(1), match.group(2)


def test_admin_pages_at_phone_width(demo_server, browser):
    ctx = browser.new_context(bypass_csp=True, viewport=PHONE, is_mobile=True)
    page = ctx.new_page()
    email, password = demo_admin(demo_server)
    sign_in(page, demo_server.url, email, password)
    for path, name in [("/admin/people", "17-phone-people"), ("/admin/audit", "18-phone-audit"), ("/people", "19-phone-directory"), ("/settings", "20-phone-settings")]:
        page.goto(demo_server.url + path)
        check_accessibility(page, name)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
    # On a phone each person is a card: the link button is in view without scrolling sideways.
    page.goto(demo_server.url + "/admin/people")
    button = page.get_by_role("button", name=re.compile("(Invitation|Reset) link for")).first
    box = button.bounding_box()
    assert box and box["x"] + box["width"] <= PHONE["width"]
    # A scrollable table can be reached with the keyboard.
    page.goto(demo_server.url + "/admin/audit")
    region = page.get_by_role("region", name="Audit log")
    region.focus()
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Audit log"
    ctx.close()


def test_a_link_shown_once_has_a_copy_button(demo_server, browser):
    ctx = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=demo_server.url)
    page = ctx.new_page()
    email, password = demo_admin(demo_server)
    sign_in(page, demo_server.url, email, password)
    page.goto(demo_server.url + "/admin/people")
    page.get_by_role("button", name=re.compile("(Invitation|Reset) link for")).first.click()
    link = page.locator("#created-link").inner_text().strip()
    copy = page.get_by_role("button", name=re.compile("Copy the link for"))
    copy.click()
    expect(copy).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == link
    check_accessibility(page, "21-copy-link")
    ctx.close()


def test_serve_port_gives_working_addresses():
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="trellis-port-")
    env = {k: v for k, v in os.environ.items() if k not in ("PORT", "TRELLIS_BASE_URL", "DATABASE_URL")}
    process = subprocess.Popen([trellis_binary(), "serve", "--port", str(port)], cwd=workdir, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        deadline = time.time() + 120
        while time.time() < deadline:
            line = process.stdout.readline()
            lines.append(line)
            if "/setup" in line or process.poll() is not None:
                break
        output = "".join(lines)
        assert f"http://localhost:{port}/setup" in output, output
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_half_sent_request_is_closed_after_the_idle_timeout():
    """An anonymous client that opens connections and sends half a request cannot hold them."""
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="trellis-idle-")
    env = dict(os.environ, PORT=str(port), TRELLIS_IDLE_TIMEOUT="2", DATABASE_URL=os.path.join(workdir, "t.sqlite"))
    env.pop("TRELLIS_BASE_URL", None)
    process = subprocess.Popen([trellis_binary(), "serve"], cwd=workdir, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        idle = socket.create_connection(("127.0.0.1", port), timeout=10)
        idle.sendall(b"GET /sign-in HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        started = time.time()
        closed = idle.recv(1024) == b""  # blocks until the server closes the connection
        assert closed and 1.5 <= time.time() - started < 9, time.time() - started
        # A whole request on a fresh connection is still answered.
        working = socket.create_connection(("127.0.0.1", port), timeout=10)
        working.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert working.recv(1024).startswith(b"HTTP/1.1 200")
    finally:
        process.terminate()
        process.wait(timeout=10)
