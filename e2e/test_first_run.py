"""A new organisation: first-run setup, profile editing, CSV import through the web, and finding
the imported people in the directory — with axe-core on every page."""
import pathlib
import re

from playwright.sync_api import expect

from helpers import check_accessibility, sign_in

PASSWORD = "a calm and long passphrase"

CSV = (
    "\ufeffemail,name,role,department,manager_email,timezone,languages,expertise,development_areas,interests,values,capacity,meeting_frequency,years_experience\n"
    "ines.moreau@example.org,Inès Moreau,mentee,Research,kwame.mensah@example.org,Europe/Paris,French;English,,\"Public speaking;Writing\",\"Climbing, bouldering\",Curiosity,,biweekly,3\n"
    "kwame.mensah@example.org,Kwame Mensah,mentor,Research,,Africa/Accra,English;Twi,Statistics;Public speaking,,Chess,Integrity,2,monthly,16\n"
)


def test_first_run_setup_profile_import_and_directory(server, context, tmp_path):
    page = context.new_page()
    base = server.url

    # An empty database: everyone is sent to setup.
    page.goto(base + "/")
    expect(page).to_have_url(re.compile(r"/setup$"))
    expect(page.get_by_role("heading", name="Welcome to Trellis")).to_be_visible()
    check_accessibility(page, "01-setup")

    # Bad input is named beside the field and kept.
    page.get_by_label("Your name").fill("Noor Haddad")
    page.get_by_label("Email").fill("noor@")
    page.locator("#password").fill("short")
    page.get_by_label("Password again").fill("short")
    page.get_by_role("button", name="Create account and sign in").click()
    expect(page.locator("#email-error")).to_contain_text("is not an email address")
    expect(page.get_by_label("Your name")).to_have_value("Noor Haddad")
    check_accessibility(page, "02-setup-errors")

    page.get_by_label("Email").fill("noor@example.org")
    page.locator("#password").fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account and sign in").click()
    expect(page.get_by_role("heading", name="Welcome, Noor")).to_be_visible()
    check_accessibility(page, "03-dashboard")

    # Sign out and back in.
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/sign-in$"))
    check_accessibility(page, "04-sign-in")
    sign_in(page, base, "noor@example.org", PASSWORD)
    expect(page.get_by_role("heading", name="Welcome, Noor")).to_be_visible()

    # Edit the profile.
    page.get_by_role("link", name="My profile").click()
    page.get_by_role("link", name="Edit your profile").click()
    check_accessibility(page, "05-profile-edit")
    page.get_by_label("Headline").fill("Program manager · mentoring")
    page.get_by_label("Department").fill("People")
    page.get_by_label("Time zone").select_option("Asia/Dubai")
    page.get_by_label("I would like to").select_option("mentor")
    page.get_by_label("Mentees I can take").fill("2")
    page.get_by_label("Video call").check()
    page.get_by_label("Expertise").fill("Coaching, program design, coaching")
    page.get_by_label("Languages").fill("Arabic, English")
    page.get_by_label("Years of experience").fill("75")
    page.get_by_role("button", name="Save profile").click()
    expect(page.locator("#years_experience-error")).to_contain_text("from 0 to 60")
    expect(page.get_by_label("Headline")).to_have_value("Program manager · mentoring")
    page.get_by_label("Years of experience").fill("12")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("status").first).to_contain_text("Profile saved.")
    expect(page.get_by_role("heading", name="Noor Haddad")).to_be_visible()
    expect(page.locator(".tags").first).to_contain_text("Coaching")
    check_accessibility(page, "06-profile")

    # Import a CSV through the web: upload, preview, confirm.
    csv_path = pathlib.Path(tmp_path) / "people.csv"
    csv_path.write_text(CSV, encoding="utf-8")
    page.get_by_role("link", name="Import").click()
    check_accessibility(page, "07-import")
    page.get_by_label("CSV file").set_input_files(str(csv_path))
    page.get_by_role("button", name="Preview import").click()
    expect(page.get_by_role("heading", name="Preview: 2 people")).to_be_visible()
    expect(page.get_by_role("cell", name="Inès Moreau")).to_be_visible()
    check_accessibility(page, "08-import-preview")
    page.get_by_role("button", name="Import 2 people").click()
    expect(page.get_by_role("status").first).to_contain_text("2 created, 0 updated, 0 unchanged")
    check_accessibility(page, "09-import-done")

    # A bad file is refused with every problem listed.
    bad_path = pathlib.Path(tmp_path) / "bad.csv"
    bad_path.write_text(CSV.replace("Africa/Accra", "Africa/Atlantis").replace(",mentee,", ",apprentice,"), encoding="utf-8")
    page.goto(base + "/admin/import")
    page.get_by_label("CSV file").set_input_files(str(bad_path))
    page.get_by_role("button", name="Preview import").click()
    expect(page.get_by_role("heading", name="Nothing was imported")).to_be_visible()
    expect(page.get_by_role("cell", name="Africa/Atlantis", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="apprentice", exact=True)).to_be_visible()
    check_accessibility(page, "10-import-problems")

    # Find the imported people in the directory, by skill and by filter.
    page.get_by_role("link", name="Directory").click()
    page.get_by_label("Name or skill").fill("public speaking")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Inès Moreau")).to_be_visible()
    expect(page.get_by_role("link", name="Kwame Mensah")).to_be_visible()
    check_accessibility(page, "11-directory")
    page.get_by_label("Mentoring").select_option("mentor")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Kwame Mensah")).to_be_visible()
    expect(page.get_by_role("link", name="Inès Moreau")).to_have_count(0)
    page.get_by_role("link", name="Kwame Mensah").click()
    expect(page.get_by_role("heading", name="Kwame Mensah")).to_be_visible()
    expect(page.get_by_text("Inès Moreau")).to_be_visible()  # his report
    check_accessibility(page, "12-person")

    # People admin: invite the imported person; the link lets them choose a password.
    page.get_by_role("link", name="People", exact=True).click()
    check_accessibility(page, "13-admin-people")
    page.get_by_role("button", name="Invitation link for Inès Moreau").click()
    link = page.locator("#created-link").inner_text().strip()
    invitee = context.browser.new_context(bypass_csp=True).new_page()
    invitee.goto(link)
    expect(invitee.get_by_role("heading", name="Welcome, Inès Moreau")).to_be_visible()
    check_accessibility(invitee, "14-invite")
    invitee.locator("#password").fill("ines chooses a password")
    invitee.get_by_label("New password again").fill("ines chooses a password")
    invitee.get_by_role("button", name="Save password and sign in").click()
    expect(invitee.get_by_role("heading", name="Welcome, Inès")).to_be_visible()
    # A participant has no admin pages.
    expect(invitee.get_by_role("link", name="Import")).to_have_count(0)
    invitee.goto(base + "/admin/people")
    expect(invitee.get_by_role("heading", name="Not allowed")).to_be_visible()
    invitee.context.close()

    # Settings: a personal API token, shown once.
    page.get_by_role("link", name="Settings").click()
    page.get_by_label("Token name").fill("reporting script")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("#new-token")).to_contain_text("trl_")
    check_accessibility(page, "15-settings")


def test_keyboard_and_phone(server, browser):
    ctx = browser.new_context(bypass_csp=True, viewport={"width": 375, "height": 740}, is_mobile=True)
    page = ctx.new_page()
    page.goto(server.url + "/sign-in")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # Nothing overflows the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    check_accessibility(page, "16-phone-sign-in")
    ctx.close()


def test_pages_keep_to_the_content_security_policy(server, browser):
    ctx = browser.new_context()  # no CSP bypass here
    page = ctx.new_page()
    problems = []
    page.on("console", lambda message: problems.append(message.text) if "Content Security Policy" in message.text else None)
    for path in ["/sign-in", "/setup", "/static/app.css"]:
        page.goto(server.url + path)
    sign_in(page, server.url, "noor@example.org", PASSWORD)
    for path in ["/", "/people", "/settings", "/admin/people", "/admin/import"]:
        page.goto(server.url + path)
        page.wait_for_load_state("networkidle")
    assert problems == []
    ctx.close()
