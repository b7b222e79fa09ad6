"""`serve --demo`: the printed sign-in details work; the API answers as its OpenAPI document says."""
import re

import jsonschema
import requests
from openapi_spec_validator import validate
from playwright.sync_api import expect

from helpers import check_accessibility, sign_in


def schema_of(document, name):
    # A root that carries the components, so that "#/components/..." references resolve.
    return {"$ref": f"#/components/schemas/{name}", "components": document["components"]}


def test_demo_prints_sign_in_details_that_work(demo_server, context):
    output = demo_server.output()
    match = re.search(r"Program manager: (\S+)\s+password: (\S+)", output)
    assert match, output
    email, password = match.group(1), match.group(2)
    page = context.new_page()
    sign_in(page, demo_server.url, email, password)
    expect(page.get_by_role("heading", name=re.compile("^Welcome"))).to_be_visible()
    expect(page.get_by_text("people", exact=True)).to_be_visible()
    check_accessibility(page, "20-demo-dashboard")
    page.goto(demo_server.url + "/people")
    expect(page.get_by_role("status").first).to_contain_text(re.compile(r"\d{3} people"))
    check_accessibility(page, "21-demo-directory")
    page.get_by_role("link", name="Next").click()
    expect(page.get_by_text("Page 2 of")).to_be_visible()
    page.locator(".person-card a").first.click()
    check_accessibility(page, "22-demo-person")
    page.goto(demo_server.url + "/admin/people")
    expect(page.get_by_text("Page 1 of 4")).to_be_visible()
    check_accessibility(page, "23-demo-admin-people")
    page.get_by_label("Name or email").fill("sam.rivera")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name=re.compile("1 person matches"))).to_be_visible()
    expect(page.get_by_role("link", name="Sam Rivera")).to_be_visible()


def test_profile_form_suggests_tags_in_use(demo_server, context):
    match = re.search(r"Participant:\s+(\S+)\s+password: (\S+)", demo_server.output())
    page = context.new_page()
    sign_in(page, demo_server.url, match.group(1), match.group(2))
    page.goto(demo_server.url + "/profile/edit")
    field = page.get_by_label("Expertise")
    field.fill("")
    field.press_sequentially("Kube", delay=20)
    suggestion = page.get_by_role("button", name="Add Kubernetes")
    expect(suggestion).to_be_visible()
    check_accessibility(page, "24-tag-suggestions")
    suggestion.click()
    expect(field).to_have_value("Kubernetes, ")
    expect(field).to_be_focused()


def test_api_matches_its_openapi_document(demo_server, context):
    base = demo_server.url
    document = requests.get(base + "/api/v1/openapi.json", timeout=10).json()
    validate(document)  # a valid OpenAPI 3.1 document

    page = context.new_page()
    match = re.search(r"Participant:\s+(\S+)\s+password: (\S+)", demo_server.output())
    sign_in(page, base, match.group(1), match.group(2))
    page.goto(base + "/settings")
    page.get_by_label("Token name").fill("e2e")
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token").inner_text().strip()
    headers = {"Authorization": f"Bearer {token}"}

    def check(path, schema, status=200, method="get", **kwargs):
        response = requests.request(method, base + path, headers=headers, timeout=10, **kwargs)
        assert response.status_code == status, response.text
        jsonschema.validate(response.json(), schema_of(document, schema))
        return response.json()

    me = check("/api/v1/me", "Me")
    check("/api/v1/me/profile", "PersonDetail")
    page_ = check("/api/v1/people?q=negotiation&per=5", "DirectoryPage")
    assert page_["items"]
    check(f"/api/v1/people/{page_['items'][0]['id']}", "PersonDetail")
    check("/api/v1/tags?kind=expertise", "TagList")
    check("/api/v1/people?per=500", "Error", status=422)
    check("/api/v1/tags?kind=nope", "Error", status=422)
    bad = check("/api/v1/me/profile", "Error", status=422, method="put", json={"timezone": "Moon/Base"})
    assert "timezone" in bad["fields"]
    saved = check("/api/v1/me/profile", "PersonDetail", method="put", json={"headline": "Learning in public", "timezone": "America/New_York", "mentoring_role": "mentee"})
    assert saved["headline"] == "Learning in public" and saved["name"] == me["name"]
    assert requests.get(base + "/api/v1/me", timeout=10).status_code == 401
