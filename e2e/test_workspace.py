"""The mentorship workspace in the browser, on the demo organisation a quarter into its active
program: the participant finds the agreement waiting for their signature, reads what changed,
signs; changes it (a new version both sign again), with bad dates refused beside their field;
their mentor signs the new version; the program manager cannot open the pair's agreement. axe on
every page, phone-width screenshots of the workspace and the agreement."""
import csv
import io
import pathlib
import re

from playwright.sync_api import expect

from conftest import ARTIFACTS
from helpers import check_accessibility, sign_in

PASSWORD = "trellis-demo"
ADMIN = "morgan.lee@larkspur.example"
PARTICIPANT = "sam.rivera@larkspur.example"


def phone_screenshot(page, name):
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(pathlib.Path(ARTIFACTS) / f"{name}.png"), full_page=True)
    # Nothing may scroll sideways on a phone.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{name}: the page is {width}px wide on a 390px phone"
    page.set_viewport_size({"width": 1280, "height": 900})


def emails_by_name(context, base):
    page = context.new_page()
    sign_in(page, base, ADMIN, PASSWORD)
    response = page.request.get(base + "/admin/export/people.csv")
    assert response.ok
    rows = list(csv.DictReader(io.StringIO(response.text().lstrip("\ufeff"))))
    page.close()
    return {row["name"]: row["email"] for row in rows}


def test_agreement_signed_changed_and_signed_again(demo_server, browser, context):
    base = demo_server.url
    emails = emails_by_name(context, base)
    context.clear_cookies()

    page = context.new_page()
    sign_in(page, base, PARTICIPANT, PASSWORD)
    page.goto(base + "/mentoring")
    page.get_by_role("link", name=re.compile("Your mentor:")).click()
    workspace_url = page.url
    mentor_name = re.search(r"^(.*) and Sam Rivera$", page.get_by_role("heading", level=1).inner_text()).group(1)
    expect(page.get_by_text("The agreement is waiting for your signature.")).to_be_visible()
    expect(page.get_by_role("heading", name="What happened")).to_be_visible()
    check_accessibility(page, "60-workspace")
    phone_screenshot(page, "phone-60-workspace")

    # The agreement: version 2 waits for Sam; what changed from version 1 is shown line by line.
    page.get_by_role("link", name="Open the agreement").click()
    expect(page.get_by_role("heading", name=re.compile("Version 2"))).to_be_visible()
    check_accessibility(page, "61-agreement")
    phone_screenshot(page, "phone-61-agreement")
    page.get_by_role("link", name="what changed from version 1").click()
    expect(page.get_by_role("heading", name="What changed from version 1 to version 2")).to_be_visible()
    expect(page.locator("ul.diff ins").first).to_be_visible()
    check_accessibility(page, "62-agreement-changes")
    page.get_by_role("link", name="The agreement").last.click()
    page.get_by_role("button", name="Sign version 2").click()
    expect(page.get_by_role("status").first).to_contain_text("Signed by both of you")

    # Sam changes it: a review date after the end is refused beside its field, nothing saved.
    page.get_by_role("link", name="Change the agreement").click()
    check_accessibility(page, "63-agreement-edit")
    ends = page.get_by_label("End date").input_value()
    page.get_by_label("Review date").fill("2999-01-01")
    page.get_by_role("button", name="Save as version 3").click()
    expect(page.locator("#review_on-error")).to_contain_text("The review date must be on or before the end date")
    check_accessibility(page, "64-agreement-edit-problem")
    page.get_by_label("Review date").fill(ends)
    page.get_by_label("Boundaries").fill("No calls outside working hours.\nWe swap reading notes once a month.")
    page.get_by_role("button", name="Save as version 3").click()
    expect(page.get_by_role("status").first).to_contain_text("Saved.")
    expect(page.get_by_role("heading", name=re.compile("Version 3"))).to_be_visible()
    expect(page.get_by_role("button", name="Sign version 3")).to_be_visible()
    page.get_by_role("button", name="Sign version 3").click()
    expect(page.get_by_text(f"Waiting for {mentor_name} to sign the agreement.")).to_be_visible()

    # The mentor is told, reads the change and signs: version 3 is in force.
    mentor_context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    mentor = mentor_context.new_page()
    sign_in(mentor, base, emails[mentor_name], PASSWORD)
    mentor.goto(base + "/notifications")
    expect(mentor.get_by_role("heading", name="Sam Rivera proposed version 3 of your agreement")).to_be_visible()
    mentor.goto(workspace_url + "/agreement/changes?from=2&to=3")
    expect(mentor.locator("ul.diff ins")).to_contain_text(["We swap reading notes once a month."])
    mentor.goto(workspace_url + "/agreement")
    mentor.get_by_role("button", name="Sign version 3").click()
    expect(mentor.get_by_role("status").first).to_contain_text("Signed by both of you")
    mentor.goto(workspace_url)
    expect(mentor.get_by_text("Both signed: version 3 of the agreement is in force.")).to_be_visible()
    mentor_context.close()

    # The program manager sees the pair exists, never its agreement.
    manager_context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    manager = manager_context.new_page()
    sign_in(manager, base, ADMIN, PASSWORD)
    response = manager.goto(workspace_url + "/agreement")
    assert response.status == 404
    expect(manager.get_by_text("There is no such mentorship.")).to_be_visible()
    assert "reading notes" not in manager.content()
    manager_context.close()
