import Foundation
import SnapshotTesting
import Testing
@testable import TrellisServer
import TrellisCore
import VaporTesting

extension ServerTests {
    /// The main pages' HTML as text, compared with the copies in `__Snapshots__/PageSnapshotTests/`,
    /// so that a change to a page shows as a readable diff in review. Ids, tokens and times are
    /// replaced by placeholders first, so only the markup and the words are compared.
    ///
    /// After an intended change to a page, record the new copies with
    /// `SNAPSHOT_TESTING_RECORD=failed swift test --filter PageSnapshots`, read the diff, and commit.
    @Suite struct PageSnapshots {
        /// The page with what changes from run to run replaced by placeholders.
        static func normalized(_ html: String) -> String {
            var text = html
            text = text.replacing(/[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}/, with: "<id>")
            text = text.replacing(/name="csrf" value="[^"]*"/, with: "name=\"csrf\" value=\"<csrf>\"")
            text = text.replacing(/content="[A-Za-z0-9_-]{20,}"/, with: "content=\"<token>\"")
            text = text.replacing(/trl_[A-Za-z0-9_-]+/, with: "<api-token>")
            text = text.replacing(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/, with: "<time>")
            text = text.replacing(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/, with: "<time>")
            return text
        }

        /// A small organisation with fixed names, roles, departments and tags.
        static func seed(_ app: Application) async throws -> (admin: User, alice: User, bob: User) {
            let people = try await TestPeople.create(on: app)
            let profiles: [(User, ProfileDraft)] = [
                (people.alice, ProfileDraft(
                    name: "Alice Ahmed", headline: "Data scientist · forecasting", bio: "I like clean data & honest charts.",
                    department: "Data", yearsExperience: 6, timezone: "Europe/Berlin", mentoringRole: .both, capacityMentees: 2,
                    capacityHoursPerMonth: 4, meetingFrequency: .biweekly, communicationMethods: [.video, .chat],
                    careerGoals: "Lead a small team.", phone: "+49 30 1234", location: "Berlin", contactPrivate: true,
                    tags: [.expertise: ["SQL", "Forecasting"], .development: ["Public speaking"], .interest: ["Chess"], .value: ["Curiosity"], .language: ["English", "German"]]
                )),
                (people.bob, ProfileDraft(
                    name: "Bob Brown", headline: "Support engineer", department: "Support", timezone: "America/Chicago",
                    mentoringRole: .mentee, tags: [.development: ["SQL", "Leadership"], .language: ["English"]]
                )),
            ]
            for (user, draft) in profiles {
                try await PeopleStore.save(draft.normalized(), manager: nil, for: try user.requireID(), on: app.db)
            }
            return people
        }

        @Test func pages() async throws {
            try await withTrellis { app in
                var visitor = Browser(app)
                let setup = try await visitor.get("/setup").text
                let people = try await Self.seed(app)
                let signIn = try await visitor.get("/sign-in").text
                var alice = Browser(app)
                try await alice.signIn(TestPeople.alice)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                let aliceID = try people.alice.requireID()
                let pages: [(String, String)] = [
                    ("setup", setup),
                    ("sign-in", signIn),
                    ("dashboard-participant", try await alice.get("/").text),
                    ("dashboard-program-manager", try await admin.get("/").text),
                    ("directory", try await alice.get("/people").text),
                    ("directory-search", try await alice.get("/people?q=sql&role=mentor").text),
                    ("profile", try await alice.get("/people/\(aliceID)").text),
                    ("profile-as-another-participant", try await Self.viewAs(TestPeople.bob, "/people/\(aliceID)", app)),
                    ("profile-edit", try await alice.get("/people/\(aliceID)/edit").text),
                    ("profile-edit-with-errors", try await alice.post("/people/\(aliceID)/edit", OneRule.form(["years_experience": "75", "mentoring_role": "mentee"])).text),
                    ("settings", try await alice.get("/settings").text),
                    ("admin-people", try await admin.get("/admin/people").text),
                    ("import", try await admin.get("/admin/import").text),
                ]
                let emptyAudit = try await admin.get("/admin/audit").text
                #expect(try await admin.post("/admin/people", [("name", "Carla Cruz"), ("email", "carla@example.org"), ("role", "participant"), ("invite", "on")]).status.code < 400)
                let audit = try await admin.get("/admin/audit").text
                // Programs: the form, a program open for enrolment with Alice in it, its roster.
                let newProgram = try await admin.get("/admin/programs/new").text
                let created = try await admin.post("/admin/programs", [
                    ("name", "New managers"), ("purpose", "Help new managers find their feet."), ("description", "Six months.\n\nMeet every two weeks."),
                    ("mode", "bulk"), ("enrolment_opens", "2026-01-01"), ("enrolment_closes", "2099-12-31"), ("exclude_same_department", "on"), ("minimum_score", "0.25"),
                ])
                let programPath = try #require(created.location)
                let programID = String(programPath.dropFirst("/programs/".count))
                #expect(try await admin.post("/admin/programs/\(programID)/state", [("to", "enrolling")]).status == .ok)
                #expect(try await alice.post("/programs/\(programID)/join", [("role", "mentor"), ("capacity", "2"), ("statement", "Share what I learnt leading a team.")]).status == .ok)
                let programPages: [(String, String)] = [
                    ("program-new", newProgram),
                    ("programs-program-manager", try await admin.get("/programs").text),
                    ("programs-participant", try await Self.viewAs(TestPeople.bob, "/programs", app)),
                    ("program-program-manager", try await admin.get(programPath).text),
                    ("program-participant-enrolled", try await alice.get(programPath).text),
                    ("program-participant-joining", try await Self.viewAs(TestPeople.bob, programPath, app)),
                    ("program-participants", try await admin.get("/admin/programs/\(programID)/participants").text),
                ]
                for (name, html) in pages + [("audit-log-empty", emptyAudit), ("audit-log", audit)] + programPages {
                    assertSnapshot(of: Self.normalized(html), as: .lines, named: name, testName: "page")
                }
            }
        }

        static func viewAs(_ email: String, _ path: String, _ app: Application) async throws -> String {
            var browser = Browser(app)
            try await browser.signIn(email)
            return try await browser.get(path).text
        }
    }
}
