"""Programs in the browser, on the demo organisation: a manager creates a bulk program, enrols people
from a CSV, runs matching, locks one pair, excludes another, re-runs and publishes; in a self-select
program a mentee asks a mentor, the mentor accepts, and a second mentee's request to the now-full
mentor is declined automatically and they are shown their next choices; in a preference program
both sides rank, and a stable match is run, explained and published. axe-core on every page, and
phone-width screenshots of the result, the inbox and a shortlist."""
import csv
import io
import pathlib
import re

from playwright.sync_api import expect

from conftest import ARTIFACTS
from helpers import check_accessibility, sign_in

PASSWORD = "trellis-demo"
ADMIN = "morgan.lee@larkspur.example"


def demo_people(context, base):
    """The demo organisation as its program manager exports it (the context stays signed in as them)."""
    page = context.new_page()
    sign_in(page, base, ADMIN, PASSWORD)
    response = page.request.get(base + "/admin/export/people.csv")
    assert response.ok
    rows = list(csv.DictReader(io.StringIO(response.text().lstrip("\ufeff"))))
    page.close()
    return rows


def phone_screenshot(page, name):
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(pathlib.Path(ARTIFACTS) / f"{name}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def create_program(page, base, name, mode_label):
    page.goto(base + "/programs")
    page.get_by_role("link", name="New program").click()
    check_accessibility(page, "40-program-new")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Purpose").fill("Grow together across teams.")
    page.get_by_label(mode_label).check()
    page.get_by_role("button", name="Create program").click()
    expect(page.get_by_role("heading", name=re.compile(name))).to_be_visible()


def enrol_csv(page, base, tmp_path, rows, filename):
    page.get_by_role("link", name="Participants").click()
    path = pathlib.Path(tmp_path) / filename
    path.write_text("email,role,capacity\n" + "".join(f"{e},{r},{c}\n" for e, r, c in rows), encoding="utf-8")
    page.get_by_label("CSV file", exact=True).set_input_files(str(path))
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name=f"Enrol {len(rows)} people?")).to_be_visible()
    check_accessibility(page, "42-enrol-preview")
    page.get_by_role("button", name=f"Enrol {len(rows)} people").click()
    expect(page.get_by_role("status").first).to_contain_text("Enrolled")
    check_accessibility(page, "43-participants")


def test_bulk_program_from_csv_to_published_pairs(demo_server, context, tmp_path):
    base = demo_server.url
    people = demo_people(context, base)
    mentors = [p for p in people if p["role"] == "mentor" and p["capacity"]][:4]
    mentees = [p for p in people if p["role"] == "mentee"][:8]
    page = context.new_page()  # signed in as the program manager by demo_people
    create_program(page, base, "Spring pilot", "Matched by the program manager")
    check_accessibility(page, "41-program-draft")

    # A bad file names every bad row and enrols nobody.
    page.get_by_role("link", name="Participants").click()
    bad = pathlib.Path(tmp_path) / "bad.csv"
    bad.write_text("email,role,capacity\nnobody@larkspur.example,mentee,\n" + f"{mentees[0]['email']},boss,\n", encoding="utf-8")
    page.get_by_label("CSV file", exact=True).set_input_files(str(bad))
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("heading", name="Nobody was enrolled")).to_be_visible()
    expect(page.get_by_text("Nobody in Trellis has this email")).to_be_visible()
    check_accessibility(page, "44-enrol-problems")
    page.get_by_role("link", name="Spring pilot").click()

    enrol_csv(page, base, tmp_path, [(m["email"], "mentor", "1") for m in mentors] + [(m["email"], "mentee", "") for m in mentees], "pilot.csv")
    page.get_by_role("link", name="Spring pilot").click()
    page.get_by_role("button", name="Open enrolment").click()
    page.get_by_role("button", name="Close enrolment and start matching").click()
    expect(page.get_by_text("Run matching, review the proposed pairs, then publish them.")).to_be_visible()
    check_accessibility(page, "45-program-matching")

    page.get_by_role("button", name="Run matching").click()
    # The run page refreshes itself until the server's worker has run it.
    expect(page.get_by_role("heading", name="Result")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("proven the best total")).to_be_visible()
    check_accessibility(page, "46-run-result")
    phone_screenshot(page, "47-run-result-phone")

    # Lock the first proposed pair and exclude the second.
    lock = page.get_by_role("button", name=re.compile("^Lock ")).first
    locked_label = lock.get_attribute("aria-label")
    lock.click()
    expect(page.get_by_role("status").first).to_contain_text("are locked together")
    page.get_by_role("button", name=re.compile("^Never pair ")).nth(1).click()
    expect(page.get_by_role("status").first).to_contain_text("will never be paired")
    expect(page.get_by_text("This run is out of date")).to_be_visible()
    check_accessibility(page, "48-run-reviewed")

    page.get_by_role("button", name="Run matching again").first.click()
    expect(page.get_by_role("heading", name="Matching run 2")).to_be_visible()
    expect(page.get_by_role("heading", name="Result")).to_be_visible(timeout=60_000)
    locked_pair = locked_label.removeprefix("Lock ")
    expect(page.get_by_text("Locked").first).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Publish \d+ pairs?$")).click()
    expect(page.get_by_role("status").first).to_contain_text("Published")
    expect(page.get_by_text("Active").first).to_be_visible()
    check_accessibility(page, "49-program-active")
    assert locked_pair  # e.g. "Ava Smith with Noah Jones"

    # Compare the two runs.
    page.goto(base + "/programs")
    page.get_by_role("link", name="Spring pilot").click()
    page.get_by_role("link", name="all runs").click()
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_text("mentees with another mentor")).to_be_visible()
    check_accessibility(page, "50-run-compare")


def test_self_select_request_accept_and_automatic_decline(demo_server, context, tmp_path):
    base = demo_server.url
    people = demo_people(context, base)
    mentor = next(p for p in people if p["role"] == "mentor" and p["capacity"] and p["department"] == "Engineering")
    mentees = [p for p in people if p["role"] == "mentee" and p["department"] not in ("Engineering", "")][:2]
    page = context.new_page()  # signed in as the program manager by demo_people
    create_program(page, base, "Choose your mentor", "Mentees choose their mentor")
    enrol_csv(page, base, tmp_path, [(mentor["email"], "mentor", "1")] + [(m["email"], "mentee", "") for m in mentees], "choose.csv")
    page.get_by_role("link", name="Choose your mentor").click()
    page.get_by_role("button", name="Open enrolment").click()
    page.get_by_role("button", name="Close enrolment and start matching").click()

    def as_person(email):
        ctx = context.browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
        p = ctx.new_page()
        sign_in(p, base, email, PASSWORD)
        return p

    first, second = as_person(mentees[0]["email"]), as_person(mentees[1]["email"])
    for index, mentee in enumerate([first, second]):
        mentee.goto(base + "/programs")
        mentee.get_by_role("link", name="Choose your mentor").click()
        mentee.get_by_role("link", name="Find a mentor").click()
        expect(mentee.get_by_role("heading", name="Find a mentor")).to_be_visible()
        if index == 0:
            check_accessibility(mentee, "51-find-a-mentor")
        mentee.locator(".program-card h2 a").first.click()
        expect(mentee.get_by_role("heading", name="Why this mentor")).to_be_visible()
        if index == 0:
            check_accessibility(mentee, "52-mentor")
        mentee.get_by_label(re.compile("^A note to")).fill("I would like to learn how you plan your work.")
        mentee.get_by_role("button", name=re.compile("^Ask ")).click()
        expect(mentee.get_by_role("status").first).to_contain_text("Your request was sent")

    mentor_page = as_person(mentor["email"])
    mentor_page.goto(base + "/notifications")
    expect(mentor_page.get_by_role("heading", name=re.compile("asks you to be their mentor")).first).to_be_visible()
    check_accessibility(mentor_page, "53-notifications")
    mentor_page.goto(base + "/mentoring")
    mentor_page.get_by_role("link", name="answer").first.click()
    expect(mentor_page.get_by_role("heading", name="Your requests")).to_be_visible()
    check_accessibility(mentor_page, "54-inbox")
    phone_screenshot(mentor_page, "55-inbox-phone")
    first_name = mentees[0]["name"]
    mentor_page.get_by_role("button", name=f"Accept {first_name}").click()
    expect(mentor_page.get_by_role("status").first).to_contain_text("You are now full")

    # The second mentee's request was declined kindly; they see their next choices.
    second.goto(base + "/notifications")
    expect(second.get_by_role("heading", name=re.compile("is now full"))).to_be_visible()
    second.get_by_role("button", name=re.compile("^Open: .* is now full")).click()
    expect(second.get_by_role("heading", name="Find a mentor")).to_be_visible()
    expect(second.get_by_text("Full").first).to_be_visible()
    check_accessibility(second, "56-next-choices")

    first.goto(base + "/mentoring")
    expect(first.get_by_role("link", name=re.compile("^Your mentor:"))).to_be_visible()
    first.get_by_role("link", name=re.compile("^Your mentor:")).click()
    expect(first.get_by_role("heading", name="Why you were matched")).to_be_visible()
    check_accessibility(first, "57-mentorship")
    for p in (first, second, mentor_page):
        p.context.close()


def test_preference_rankings_stable_match_and_publish(demo_server, context, tmp_path):
    """Mentees shortlist mentors, a mentor ranks the mentees who chose them, and the manager runs
    stable matching, asks why a pair was not made, and publishes."""
    base = demo_server.url
    people = demo_people(context, base)
    mentors = [p for p in people if p["role"] == "mentor" and p["capacity"] and p["department"] == "Engineering"][:2]
    mentees = [p for p in people if p["role"] == "mentee" and p["department"] not in ("Engineering", "")][:2]
    page = context.new_page()  # signed in as the program manager by demo_people
    create_program(page, base, "Rank your mentor", "Both sides rank, then a stable match")
    enrol_csv(page, base, tmp_path, [(m["email"], "mentor", "1") for m in mentors] + [(m["email"], "mentee", "") for m in mentees], "rank.csv")
    page.get_by_role("link", name="Rank your mentor").click()
    page.get_by_role("button", name="Open enrolment").click()
    expect(page.get_by_text("0 of 2 mentees have a shortlist")).to_be_visible()

    def as_person(email):
        ctx = context.browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
        p = ctx.new_page()
        sign_in(p, base, email, PASSWORD)
        return p

    # Both mentees shortlist both mentors; the first puts the second mentor first by moving them up.
    first_mentor, second_mentor = mentors[0]["name"], mentors[1]["name"]
    mentee_pages = [as_person(m["email"]) for m in mentees]
    for index, mentee in enumerate(mentee_pages):
        mentee.goto(base + "/programs")
        mentee.get_by_role("link", name="Rank your mentor").click()
        mentee.get_by_role("link", name="Rank your mentors").click()
        expect(mentee.get_by_role("heading", name="Your shortlist of mentors")).to_be_visible()
        if index == 0:
            check_accessibility(mentee, "58-shortlist-empty")
        for name in (first_mentor, second_mentor):
            mentee.get_by_role("button", name=f"Add {name} to your ranking").click()
            expect(mentee.get_by_role("status").first).to_contain_text("Added to your ranking")
        if index == 0:
            mentee.get_by_role("button", name=f"Move {second_mentor} up").click()
            expect(mentee.locator("ol.ranking h3").first).to_contain_text(second_mentor)
            check_accessibility(mentee, "59-shortlist")
            phone_screenshot(mentee, "60-shortlist-phone")

    # Each mentor ranks both mentees who chose them, in the order shown.
    for mentor in mentors:
        mentor_page = as_person(mentor["email"])
        mentor_page.goto(base + "/programs")
        mentor_page.get_by_role("link", name="Rank your mentor").click()
        mentor_page.get_by_role("link", name="Rank the mentees who chose you").click()
        expect(mentor_page.get_by_text("They put you").first).to_be_visible()
        for person in mentees:
            mentor_page.get_by_role("button", name=f"Add {person['name']} to your ranking").click()
            expect(mentor_page.get_by_role("status").first).to_contain_text("Added to your ranking")
        if mentor is mentors[0]:
            check_accessibility(mentor_page, "61-mentor-ranking")
        mentor_page.context.close()

    page.reload()
    expect(page.get_by_text("2 of 2 mentees have a shortlist")).to_be_visible()
    page.get_by_role("button", name="Close enrolment and start matching").click()
    expect(page.get_by_text("The rankings are closed: run stable matching")).to_be_visible()
    page.get_by_role("button", name="Run matching").click()
    expect(page.get_by_role("heading", name="Result")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("This match is stable")).to_be_visible()
    expect(page.get_by_text("of 2 mentees matched")).to_be_visible()
    check_accessibility(page, "62-stable-result")

    # Why not: the first mentee put the second mentor first; whoever they got, the page says who
    # would refuse whom for the other mentor.
    page.get_by_label("Why not this mentee…").fill(mentees[0]["email"])
    page.get_by_label("…with this mentor?").fill(mentors[0]["email"])
    page.get_by_role("button", name="Explain").click()
    expect(page.get_by_role("heading", name=re.compile("who would refuse whom|Their rankings"))).to_be_visible()
    check_accessibility(page, "63-stable-why-not")
    page.go_back()
    page.get_by_role("button", name=re.compile(r"^Publish \d+ pairs?$")).click()
    expect(page.get_by_role("status").first).to_contain_text("Published")
    for p in mentee_pages:
        p.context.close()


def test_manager_enrols_from_the_directory_and_reads_the_demo_programs(demo_server, context):
    """The program manager enrols a department from the directory into the demo's enrolling
    program (preview first), and reads the self-select program's requests in numbers and the
    preference program's rankings in numbers."""
    base = demo_server.url
    page = context.new_page()
    sign_in(page, base, ADMIN, PASSWORD)
    page.goto(base + "/programs")
    page.get_by_role("link", name="Cross-office mentoring 2027").click()
    page.get_by_role("link", name="Participants").click()
    form = page.locator("section", has=page.get_by_role("heading", name="Enrol from the directory"))
    form.get_by_label("Department").select_option(index=1)
    form.get_by_label("Mentoring role on their profile").select_option("mentee")
    form.get_by_role("button", name="Find people").click()
    expect(page.get_by_role("heading", name=re.compile(r"^(Enrol \d+ (person|people) as mentees\?|Nobody to enrol)$"))).to_be_visible()
    check_accessibility(page, "64-enrol-from-directory")
    confirm = page.get_by_role("button", name=re.compile(r"^Enrol \d+ (person|people)$"))
    if confirm.count():
        confirm.click()
        expect(page.get_by_role("status").first).to_contain_text("Enrolled")

    page.goto(base + "/programs")
    page.get_by_role("link", name="Find your mentor: data and research").click()
    expect(page.get_by_role("heading", name="Requests")).to_be_visible()
    expect(page.get_by_text("Numbers only")).to_be_visible()
    check_accessibility(page, "65-self-select-figures")

    page.goto(base + "/programs")
    page.get_by_role("link", name="Product and design mentoring, rankings open").click()
    expect(page.get_by_text(re.compile(r"\d+ of \d+ mentees have a shortlist"))).to_be_visible()
    check_accessibility(page, "66-preference-program")
