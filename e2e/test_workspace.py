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


def quiet_pair(server):
    """A pair of the demo's active program with no meetings yet (the demo leaves one in eight
    without): its mentee's and mentor's emails and names, read from the server's database."""
    import sqlite3
    db = sqlite3.connect(str(pathlib.Path(server.workdir) / "trellis.sqlite"))
    row = db.execute("""
        SELECT e.email, e.name, r.email, r.name FROM mentorships m
        JOIN users e ON e.id = m.mentee_id JOIN users r ON r.id = m.mentor_id
        WHERE NOT EXISTS (SELECT 1 FROM meetings g WHERE g.mentorship_id = m.id)
          AND e.email <> ? ORDER BY m.created_at LIMIT 1""", (PARTICIPANT,)).fetchone()
    db.close()
    assert row, "the demo has a pair without meetings"
    return row


def test_first_meeting_agenda_notes_action_items_and_calendar(demo_server, browser):
    import datetime
    import icalendar
    import requests

    base = demo_server.url
    mentee_email, mentee_name, mentor_email, mentor_name = quiet_pair(demo_server)
    mentee_ctx = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    mentee = mentee_ctx.new_page()
    sign_in(mentee, base, mentee_email, PASSWORD)
    mentee.goto(base + "/mentoring")
    mentee.get_by_role("link", name=re.compile("Your mentor:")).click()
    workspace = mentee.url
    expect(mentee.get_by_text("Propose your first meeting: as the mentee, you take the initiative.")).to_be_visible()

    # The mentee proposes the first meeting, in Berlin time, three days from now at 14:00.
    day = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    mentee.get_by_role("link", name="Propose a meeting").first.click()
    check_accessibility(mentee, "65-meeting-propose")
    mentee.get_by_label("Starts").fill(f"{day}T15:00")
    mentee.get_by_label("Ends").fill(f"{day}T14:00")
    mentee.get_by_label("Time zone").select_option("Europe/Berlin")
    mentee.get_by_role("button", name="Propose the meeting").click()
    expect(mentee.locator("#ends_at-error")).to_contain_text("The meeting ends before it starts")
    check_accessibility(mentee, "66-meeting-propose-problem")
    mentee.get_by_label("Starts").fill(f"{day}T14:00")
    mentee.get_by_label("Ends").fill(f"{day}T15:00")
    mentee.get_by_label("Place or link").fill("Room 4, floor 2; by the window")
    mentee.get_by_role("button", name="Propose the meeting").click()
    expect(mentee.get_by_role("status").first).to_contain_text("Proposed.")
    meeting_url = mentee.url.split("?")[0]

    # Her agenda item, a shared note, a private note and an action item of hers.
    mentee.get_by_label("Kind").select_option("question")
    mentee.get_by_label("Add to the agenda").fill("How do you prepare for a promotion conversation?")
    mentee.get_by_role("button", name="Add", exact=True).click()
    expect(mentee.get_by_role("status").first).to_contain_text("Added to the agenda.")
    mentee.get_by_label("Add a note").fill("Shared: we start with the promotion question.")
    mentee.get_by_role("button", name="Save the note").click()
    mentee.get_by_label("Add a note").fill("Private: I am not sure I want the lead role.")
    mentee.get_by_label("Only me (private)").check()
    mentee.get_by_role("button", name="Save the note").click()
    expect(mentee.get_by_role("status").first).to_contain_text("Private note saved: only you can read it.")
    mentee.get_by_role("textbox", name="Action item").fill("Draft my promotion case")
    mentee.get_by_label("Due").fill((datetime.date.today() + datetime.timedelta(days=2)).isoformat())
    mentee.get_by_role("button", name="Add the action item").click()
    expect(mentee.get_by_role("status").first).to_contain_text("Action item added.")
    check_accessibility(mentee, "67-meeting")
    phone_screenshot(mentee, "phone-67-meeting")

    # The mentor is asked to answer, accepts, adds his topic; he reads the shared note only.
    mentor_ctx = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    mentor = mentor_ctx.new_page()
    sign_in(mentor, base, mentor_email, PASSWORD)
    mentor.goto(workspace)
    expect(mentor.get_by_text(re.compile(f"{re.escape(mentee_name)} proposed a meeting on"))).to_be_visible()
    mentor.goto(meeting_url)
    expect(mentor.get_by_text("Shared: we start with the promotion question.")).to_be_visible()
    assert "not sure I want the lead role" not in mentor.content()
    mentor.get_by_role("button", name="Accept this time").click()
    expect(mentor.get_by_role("status").first).to_contain_text("Accepted")
    mentor.get_by_label("Add to the agenda").fill("Your update on the migration")
    mentor.get_by_role("button", name="Add", exact=True).click()
    expect(mentor.locator("ul.agenda li")).to_contain_text(["How do you prepare for a promotion conversation?", "Your update on the migration"])

    # The .ics file parses in a mainstream implementation with the same time and summary.
    ics = mentor.request.get(meeting_url + "/calendar.ics")
    assert ics.ok and ics.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(ics.body())
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == 1
    event = events[0]
    berlin = datetime.datetime.fromisoformat(f"{day}T14:00").replace(tzinfo=__import__("zoneinfo").ZoneInfo("Europe/Berlin"))
    assert event.decoded("DTSTART") == berlin
    assert event.decoded("DTEND") - event.decoded("DTSTART") == datetime.timedelta(hours=1)
    assert str(event["SUMMARY"]) == f"Mentoring: {mentor_name} and {mentee_name}"
    assert str(event["LOCATION"]) == "Room 4, floor 2; by the window"
    assert str(event["STATUS"]) == "CONFIRMED" and int(event["SEQUENCE"]) == 1
    uid = str(event["UID"])

    # A second meeting, proposed by the mentor: her open action item is on its agenda by itself.
    mentor.goto(workspace + "/meetings/new")
    later = (datetime.date.today() + datetime.timedelta(days=10)).isoformat()
    mentor.get_by_label("Starts").fill(f"{later}T10:00")
    mentor.get_by_label("Ends").fill(f"{later}T10:30")
    mentor.get_by_role("button", name="Propose the meeting").click()
    second_url = mentor.url.split("?")[0]
    mentee.goto(second_url)
    expect(mentee.get_by_role("heading", name="Carried over: open action items")).to_be_visible()
    expect(mentee.get_by_text("Draft my promotion case")).to_be_visible()
    check_accessibility(mentee, "68-meeting-carried-over")
    mentee.goto(workspace + "/meetings")
    check_accessibility(mentee, "69-meetings")

    # Her calendar feed: subscribed to without a session, it holds both meetings.
    mentee.goto(base + "/settings")
    mentee.get_by_role("button", name="Make a feed address").click()
    feed_url = mentee.locator("#feed-url").inner_text().strip()
    feed = requests.get(feed_url, timeout=10)
    assert feed.status_code == 200
    feed_calendar = icalendar.Calendar.from_ical(feed.content)
    feed_events = {str(e["UID"]): e for e in feed_calendar.walk("VEVENT")}
    assert uid in feed_events and len(feed_events) == 2
    assert feed_events[uid].decoded("DTSTART") == berlin
    assert str(feed_events[uid]["SUMMARY"]) == f"Mentoring: {mentor_name} and {mentee_name}"
    # Replaced, the old address stops working.
    mentee.get_by_role("button", name="Replace the address").click()
    assert requests.get(feed_url, timeout=10).status_code == 404

    # The program manager cannot open the meeting.
    manager_ctx = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    manager = manager_ctx.new_page()
    sign_in(manager, base, ADMIN, PASSWORD)
    assert manager.goto(meeting_url).status == 404
    assert "promotion" not in manager.content()
    for ctx in (mentee_ctx, mentor_ctx, manager_ctx):
        ctx.close()


def test_goal_with_two_milestones_reached_and_celebrated(demo_server, browser):
    import datetime

    base = demo_server.url
    mentee_email, mentee_name, mentor_email, mentor_name = quiet_pair(demo_server)
    mentee_ctx = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    mentee = mentee_ctx.new_page()
    sign_in(mentee, base, mentee_email, PASSWORD)
    mentee.goto(base + "/mentoring")
    mentee.get_by_role("link", name=re.compile("Your mentor:")).click()
    workspace = mentee.url
    expect(mentee.get_by_text("Set your first goal: what do you want to be able to do by the end?")).to_be_visible()
    mentee.get_by_role("link", name="Set a goal").click()
    check_accessibility(mentee, "70-goals")

    # A target date in the past is refused beside its field; then the goal is set.
    mentee.get_by_role("textbox", name=re.compile(r"^Goal")).fill("Lead a design review on my own")
    mentee.get_by_label("Target date").fill((datetime.date.today() - datetime.timedelta(days=1)).isoformat())
    mentee.get_by_role("button", name="Set the goal").click()
    expect(mentee.locator("#target_on-error")).to_contain_text("The target date is before today")
    mentee.get_by_label("Target date").fill((datetime.date.today() + datetime.timedelta(days=30)).isoformat())
    mentee.get_by_role("button", name="Set the goal").click()
    expect(mentee.get_by_role("status").first).to_contain_text("Goal set.")
    goal_url = mentee.url.split("?")[0]
    for step in ["Watch two reviews run well", "Run one on my own"]:
        mentee.get_by_label("Add a milestone").fill(step)
        mentee.get_by_role("button", name="Add the milestone").click()
        expect(mentee.get_by_role("status").first).to_contain_text("Milestone added.")
    mentee.get_by_role("button", name="Mark reached: Watch two reviews run well").click()
    expect(mentee.locator(".goal-progress span")).to_have_text("50%")
    mentee.get_by_role("button", name="Mark reached: Run one on my own").click()
    mentee.get_by_role("button", name="The goal is reached").click()
    expect(mentee.get_by_role("status").first).to_contain_text("Goal reached: congratulations!")
    expect(mentee.locator(".goal-progress span")).to_have_text("100%")
    check_accessibility(mentee, "71-goal-reached")
    phone_screenshot(mentee, "phone-71-goal")

    # The mentor is told, and congratulates; it shows on both timelines.
    mentor_ctx = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    mentor = mentor_ctx.new_page()
    sign_in(mentor, base, mentor_email, PASSWORD)
    mentor.goto(base + "/notifications")
    expect(mentor.get_by_role("heading", name="A goal reached: Lead a design review on my own")).to_be_visible()
    mentor.goto(goal_url)
    mentor.get_by_label("Write a congratulation").fill("You did it: well deserved.")
    mentor.get_by_role("button", name="Send").click()
    expect(mentor.get_by_role("status").first).to_contain_text("Congratulation sent.")
    mentee.goto(workspace)
    expect(mentee.get_by_text(f"{mentor_name} sent congratulations on Lead a design review on my own.")).to_be_visible()
    expect(mentee.get_by_text("You reached a goal: Lead a design review on my own.")).to_be_visible()
    for ctx in (mentee_ctx, mentor_ctx):
        ctx.close()


def test_feedback_thanks_journal_and_the_managers_numbers(demo_server, browser):
    """Feedback with its gentle structure and a thank-you note go to the other person and onto
    both timelines; the journal is its author's alone; the program manager reads the pair's
    numbers on the program's pairs page and none of their words."""
    base = demo_server.url
    mentee_email, mentee_name, mentor_email, mentor_name = quiet_pair(demo_server)
    mentee_ctx = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    mentee = mentee_ctx.new_page()
    sign_in(mentee, base, mentee_email, PASSWORD)
    mentee.goto(base + "/mentoring")
    mentee.get_by_role("link", name=re.compile("Your mentor:")).click()
    workspace = mentee.url
    program_url = base + mentee.locator("p.lead a[href^='/programs/']").get_attribute("href")

    # Feedback needs what worked or what could be better: an empty one is refused beside its field.
    mentee.get_by_role("link", name="Feedback and thanks").click()
    check_accessibility(mentee, "72-feedback")
    mentee.get_by_role("button", name="Send").click()
    expect(mentee.locator("#worked-error")).to_contain_text("Write what worked, what could be better, or both.")
    mentee.get_by_label("What worked").fill("Your questions about the rollout plan made me rethink it.")
    mentee.get_by_label("What could be better").fill("Could we keep ten minutes for my questions at the end?")
    mentee.get_by_role("button", name="Send").click()
    expect(mentee.get_by_role("status").first).to_contain_text(f"Sent. {mentor_name} is told.")

    # The journal: private, with the seed's prompts.
    mentee.goto(workspace + "/journal")
    check_accessibility(mentee, "73-journal")
    mentee.get_by_role("textbox", name="Entry").fill("I noticed I hold back questions until the very end.")
    mentee.get_by_role("button", name="Save the entry").click()
    expect(mentee.get_by_role("status").first).to_contain_text("Saved. Only you can read it.")
    expect(mentee.get_by_text("I noticed I hold back questions until the very end.")).to_be_visible()

    # The mentor is told, reads the feedback, thanks back; neither reads the other's journal.
    mentor_ctx = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    mentor = mentor_ctx.new_page()
    sign_in(mentor, base, mentor_email, PASSWORD)
    mentor.goto(base + "/notifications")
    expect(mentor.get_by_role("heading", name=f"{mentee_name} sent you feedback")).to_be_visible()
    mentor.goto(workspace + "/feedback")
    expect(mentor.get_by_text("Could we keep ten minutes for my questions at the end?")).to_be_visible()
    mentor.get_by_role("textbox", name="What you are thankful for").fill("Thank you for preparing so well every time.")
    mentor.get_by_role("radio", name="Thank-you note").check()
    mentor.get_by_role("button", name="Send").click()
    expect(mentor.get_by_role("status").first).to_contain_text(f"Sent. {mentee_name} is told.")
    mentor.goto(workspace + "/journal")
    expect(mentor.get_by_text("No entries yet.")).to_be_visible()
    assert "hold back questions" not in mentor.content()
    mentee.goto(workspace)
    expect(mentee.get_by_text(f"{mentor_name} sent a thank-you note.")).to_be_visible()
    expect(mentee.get_by_text("You sent feedback.")).to_be_visible()

    # The program manager: the pair's row in numbers, none of their words; their workspace is closed.
    manager_ctx = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    manager = manager_ctx.new_page()
    sign_in(manager, base, ADMIN, PASSWORD)
    manager.goto(program_url)
    manager.get_by_role("link", name="Pairs and how they are going").click()
    expect(manager.get_by_role("heading", name="Pairs and how they are going")).to_be_visible()
    check_accessibility(manager, "74-program-pairs")
    row = manager.locator("tr", has_text=mentee_name)
    while row.count() == 0 and manager.get_by_role("link", name="Next").count() > 0:
        manager.get_by_role("link", name="Next").click()
        row = manager.locator("tr", has_text=mentee_name)
    expect(row).to_contain_text("1 feedback")
    expect(row).to_contain_text("1 thanks")
    expect(row).to_contain_text("Not written")
    phone_screenshot(manager, "phone-74-program-pairs")
    text = manager.content()
    for words in ["rollout plan", "ten minutes", "preparing so well", "hold back questions"]:
        assert words not in text, f"the manager's page shows the pair's words: {words}"
    assert manager.goto(workspace + "/feedback").status == 404
    assert manager.goto(workspace + "/journal").status == 404
    for ctx in (mentee_ctx, mentor_ctx, manager_ctx):
        ctx.close()
