"""Shared steps: accessibility checks on every page visited, screenshots, sign-in."""
import pathlib

from axe_playwright_python.sync_playwright import Axe

from conftest import ARTIFACTS

_axe = Axe()
visited: list[str] = []


def check_accessibility(page, name: str):
    """Runs axe-core on the page; fails on any serious or critical violation; saves a screenshot."""
    results = _axe.run(page)
    violations = [v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]
    page.screenshot(path=str(pathlib.Path(ARTIFACTS) / f"{name}.png"), full_page=True)
    visited.append(page.url)
    details = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(n["target"][0] for n in v["nodes"][:3])
        for v in violations
    )
    assert not violations, f"accessibility problems on {page.url}:\n{details}"


def sign_in(page, base: str, email: str, password: str):
    page.goto(base + "/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
