import Fluent
import Foundation
import Testing
@testable import TrellisServer
import TrellisCore
import VaporTesting

extension ServerTests {
    @Suite struct Profiles {
        static let goodForm: [(String, String)] = [
            ("name", "Alice  Ahmed"), ("headline", "Data scientist · forecasting"), ("bio", "I like clean data."),
            ("department", "Data & Analytics"), ("years_experience", "6"), ("timezone", "Europe/Berlin"),
            ("mentoring_role", "both"), ("capacity_mentees", "2"), ("capacity_hours", "6"), ("meeting_frequency", "biweekly"),
            ("communication_methods[]", "video"), ("communication_methods[]", "chat"), ("career_goals", "Lead a team."),
            ("phone", "+49 30 1234"), ("location", "Berlin"), ("contact_private", "on"),
            ("expertise", "SQL, Forecasting, sql"), ("development_areas", "Public speaking"), ("interests", "Chess; Cycling"),
            ("values", "Curiosity"), ("languages", "English, German"),
        ]

        @Test func `initials stay two letters, whatever marks a name carries`() {
            #expect(ProfilePages.initials("ada lovelace") == "AL")
            #expect(ProfilePages.initials("Émile Zoë Ünal") == "ÉZ")
            #expect(ProfilePages.initials("e\u{301}mile") == "E\u{301}")
            let heavy = ProfilePages.initials("Z" + String(repeating: "\u{301}", count: 3_000) + "algo Person")
            #expect(heavy == "ZP")
            #expect(ProfilePages.initials("🇳🇴 Nord") == "🇳🇴N" && ProfilePages.initials("") == "")
        }

        @Test func `a person edits their whole profile; tags are normalised`() async throws {
            try await withTrellis { app in
                let people = try await TestPeople.create(on: app)
                let id = try people.alice.requireID()
                var alice = Browser(app)
                try await alice.signIn(TestPeople.alice)
                let saved = try await alice.post("/people/\(id)/edit", Self.goodForm)
                #expect(saved.status == .seeOther)
                #expect(saved.location == "/people/\(id)?saved=1")
                let (draft, profile) = try await PeopleStore.draft(for: try #require(try await User.find(id, on: app.db)), on: app.db)
                #expect(draft.name == "Alice Ahmed")
                #expect(draft.tags(.expertise) == ["SQL", "Forecasting"])
                #expect(draft.tags(.interest) == ["Chess", "Cycling"])
                #expect(draft.communicationMethods == [.video, .chat])
                #expect(profile.capacityMentees == 2)
                #expect(draft.contactPrivate)
                let page = try await alice.get("/people/\(id)?saved=1").text
                #expect(page.contains("Profile saved."))
                #expect(page.contains("Data scientist · forecasting"))
                #expect(page.contains("+49 30 1234"), "the person sees their own private contact details")
            }
        }

        @Test func `invalid fields are named beside the field, input is kept and nothing changes`() async throws {
            try await withTrellis { app in
                let people = try await TestPeople.create(on: app)
                let id = try people.alice.requireID()
                var alice = Browser(app)
                try await alice.signIn(TestPeople.alice)
                var form = Self.goodForm.filter { !["timezone", "years_experience", "capacity_mentees", "mentoring_role"].contains($0.0) }
                form += [("timezone", "Mars/Olympus"), ("years_experience", "ten"), ("capacity_mentees", "40"), ("mentoring_role", "guru")]
                let response = try await alice.post("/people/\(id)/edit", form)
                #expect(response.status == .unprocessableEntity)
                let html = response.text
                #expect(html.contains("id=\"years_experience-error\">Years of experience must be a whole number from 0 to 60 (got “ten”)."))
                #expect(html.contains("id=\"capacity_mentees-error\">Capacity must be a whole number from 0 to 10 (got 40)."))
                #expect(html.contains("id=\"mentoring_role-error\">Mentoring role: choose mentor, mentee or both (got “guru”)."))
                #expect(html.contains("timezone-error"))
                #expect(html.contains("aria-invalid=\"true\""))
                #expect(html.contains("value=\"Data scientist · forecasting\""), "typed input is kept")
                let profile = try #require(try await Profile.find(id, on: app.db))
                #expect(profile.headline.isEmpty, "nothing was saved")
                #expect(try await ProfileTag.query(on: app.db).count() == 0)
            }
        }

        @Test func `a manager that would make a loop is refused with the loop named`() async throws {
            try await withTrellis { app in
                let people = try await TestPeople.create(on: app)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                // Bob reports to Alice.
                #expect(try await admin.post("/people/\(people.bob.id!)/edit", [("name", "Bob Brown"), ("manager_email", TestPeople.alice)]).status == .seeOther)
                // Alice cannot then report to Bob.
                let loop = try await admin.post("/people/\(people.alice.id!)/edit", [("name", "Alice Ahmed"), ("manager_email", TestPeople.bob)])
                #expect(loop.status == .unprocessableEntity)
                #expect(loop.text.contains("reporting loop (Alice Ahmed → Bob Brown → Alice Ahmed)"))
                #expect(try await Profile.find(people.alice.id, on: app.db)?.managerID == nil)
                // Nor her own manager, nor someone unknown.
                #expect(try await admin.post("/people/\(people.alice.id!)/edit", [("name", "Alice Ahmed"), ("manager_email", TestPeople.alice)]).text.contains("cannot be their own manager"))
                #expect(try await admin.post("/people/\(people.alice.id!)/edit", [("name", "Alice Ahmed"), ("manager_email", "ghost@example.org")]).text.contains("No one in Trellis has the email"))
                // The reporting line shows on both profiles.
                var bob = Browser(app)
                try await bob.signIn(TestPeople.bob)
                let alicePage = try await bob.get("/people/\(people.alice.id!)").text
                #expect(alicePage.contains("Reports</dt><dd><a href=\"/people/\(people.bob.id!)\">Bob Brown</a>"))
            }
        }

        @Test func `a participant cannot set a reporting line, probe emails, or see a private manager's email`() async throws {
            try await withTrellis { app in
                let people = try await TestPeople.create(on: app)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                // Alice reports to Bob, who keeps his contact details private.
                #expect(try await admin.post("/people/\(people.alice.id!)/edit", [("name", "Alice Ahmed"), ("manager_email", TestPeople.bob)]).status == .seeOther)
                var bobBrowser = Browser(app)
                try await bobBrowser.signIn(TestPeople.bob)
                #expect(try await bobBrowser.post("/people/\(people.bob.id!)/edit", [("name", "Bob Brown"), ("contact_private", "on")]).status == .seeOther)
                #expect(try await Profile.find(people.alice.id, on: app.db)?.managerID == people.bob.id, "saving his own profile keeps his reports")

                var alice = Browser(app)
                try await alice.signIn(TestPeople.alice)
                let form = try await alice.get("/people/\(people.alice.id!)/edit").text
                #expect(!form.contains(TestPeople.bob), "the private manager's email is not on the form")
                #expect(form.contains("Bob Brown"), "the manager is shown by name")
                #expect(!form.contains("name=\"manager_email\""))

                // A crafted submission neither moves Alice under the admin nor says whether an email exists.
                let crafted = try await alice.post("/people/\(people.alice.id!)/edit", [("name", "Alice Ahmed"), ("manager_email", TestPeople.admin)])
                #expect(crafted.status == .seeOther)
                let probe = try await alice.post("/people/\(people.alice.id!)/edit", [("name", "Alice Ahmed"), ("manager_email", "ghost@example.org")])
                #expect(probe.status == .seeOther)
                #expect(try await Profile.find(people.alice.id, on: app.db)?.managerID == people.bob.id)
            }
        }

        @Test func `private contact details are shown only to the person and program managers`() async throws {
            try await withTrellis { app in
                let people = try await TestPeople.create(on: app)
                var alice = Browser(app)
                try await alice.signIn(TestPeople.alice)
                #expect(try await alice.post("/people/\(people.alice.id!)/edit", Self.goodForm).status == .seeOther)
                var bob = Browser(app)
                try await bob.signIn(TestPeople.bob)
                let seenByBob = try await bob.get("/people/\(people.alice.id!)").text
                #expect(!seenByBob.contains("+49 30 1234"))
                #expect(!seenByBob.contains(TestPeople.alice))
                #expect(seenByBob.contains("keeps contact details private"))
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                let seenByAdmin = try await admin.get("/people/\(people.alice.id!)").text
                #expect(seenByAdmin.contains("+49 30 1234"))
                #expect(seenByAdmin.contains(TestPeople.alice))
            }
        }

        @Test func `a program manager may edit anyone's profile, and it is audited`() async throws {
            try await withTrellis { app in
                let people = try await TestPeople.create(on: app)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                #expect(try await admin.post("/people/\(people.bob.id!)/edit", [("name", "Robert Brown"), ("department", "Sales")]).status == .seeOther)
                #expect(try await User.find(people.bob.id, on: app.db)?.name == "Robert Brown")
                #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "person.profile-edit").count() == 1)
            }
        }

        @Test func `the dashboard shows completeness and what to fill in next`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                var alice = Browser(app)
                try await alice.signIn(TestPeople.alice)
                let before = try await alice.get("/").text
                #expect(before.contains("Profile 14% complete"), "2 of 14 items (nothing to teach or learn listed yet counts as done)")
                #expect(before.contains("your time zone"))
                try await alice.post("/people/\(try #require(try await User.query(on: app.db).filter(\.$email == TestPeople.alice).first()?.id))/edit", Self.goodForm)
                let after = try await alice.get("/").text
                #expect(after.contains("Profile 100% complete"))
            }
        }
    }

    @Suite struct DirectoryPages {
        static func seed(_ app: Application) async throws {
            try await TestPeople.create(on: app)
            let csv = """
            email,name,role,department,manager_email,timezone,languages,expertise,development_areas,interests,values,capacity,meeting_frequency,years_experience
            mira@example.org,Mira Patel,mentor,Engineering,,Asia/Kolkata,English;Hindi,Distributed systems;Kubernetes,,Chess,Curiosity,2,monthly,14
            tom@example.org,Tom Okafor,mentee,Engineering,mira@example.org,Africa/Lagos,English,,Kubernetes;Public speaking,Football,Kindness,,weekly,1
            li@example.org,Li Wei,both,Design,,Asia/Singapore,English;Mandarin,Accessibility,Public speaking,Sketching,Craftsmanship,1,biweekly,8
            """
            let plan = try await PeopleCSV.plan(csv, on: app.db)
            try await PeopleCSV.apply(plan, by: nil, on: app.db)
            for index in 1...30 {
                let user = try await PeopleStore.createPerson(email: "filler\(index)@example.org", name: "Zed Filler \(String(format: "%02d", index))", role: .participant, on: app.db)
                var (draft, _) = try await PeopleStore.draft(for: user, on: app.db)
                draft.department = "Finance"
                try await PeopleStore.save(draft, manager: .none, for: user.requireID(), on: app.db)
            }
        }

        @Test func `search by name or tag, filter by department, role and time zone`() async throws {
            try await withTrellis { app in
                try await Self.seed(app)
                var alice = Browser(app)
                try await alice.signIn(TestPeople.alice)
                let byName = try await alice.get("/people?q=mira").text
                #expect(byName.contains("Mira Patel") && !byName.contains("Tom Okafor"))
                let byTag = try await alice.get("/people?q=kubernetes").text
                #expect(byTag.contains("Mira Patel") && byTag.contains("Tom Okafor") && !byTag.contains("Li Wei"))
                let mentors = try await alice.get("/people?role=mentor&department=").text
                #expect(mentors.contains("Mira Patel") && mentors.contains("Li Wei") && !mentors.contains("Tom Okafor"))
                let mentees = try await alice.get("/people?role=mentee").text
                #expect(mentees.contains("Li Wei") && mentees.contains("Tom Okafor") && !mentees.contains("Mira Patel"))
                let design = try await alice.get("/people?department=Design").text
                #expect(design.contains("1 person") && design.contains("Li Wei"))
                let lagos = try await alice.get("/people?timezone=Africa/Lagos").text
                #expect(lagos.contains("Tom Okafor") && !lagos.contains("Mira Patel"))
                let tag = try await alice.get("/people?tag=public%20speaking").text
                #expect(tag.contains("Li Wei") && tag.contains("Tom Okafor") && tag.contains("2 people"))
            }
        }

        @Test func `the dashboard's link to mentors in what you want to learn lists those who can teach it, not fellow learners`() async throws {
            try await withTrellis { app in
                try await Self.seed(app)
                let alice = try #require(try await User.query(on: app.db).filter(\.$email == TestPeople.alice).first())
                var (draft, _) = try await PeopleStore.draft(for: alice, on: app.db)
                draft.tags[.development] = ["Kubernetes"]
                try await PeopleStore.save(draft, manager: .none, for: alice.requireID(), on: app.db)
                var browser = Browser(app)
                try await browser.signIn(TestPeople.alice)
                let dashboard = try await browser.get("/").text
                let href = try #require(dashboard.firstMatch(of: /href="(\/people\?role=mentor&amp;tag=[^"]+)"/)?.1)
                #expect(dashboard.contains(">Kubernetes</a>"))
                let page = try await browser.get(String(href).replacingOccurrences(of: "&amp;", with: "&")).text
                // Mira teaches Kubernetes; Tom wants to learn it (and is no mentor), Alice herself only wants to learn it.
                #expect(page.contains("Mira Patel") && page.contains("1 person"))
                #expect(!page.contains("Tom Okafor") && !page.contains("Li Wei"))
            }
        }

        @Test func `the directory is paginated`() async throws {
            try await withTrellis { app in
                try await Self.seed(app)
                var alice = Browser(app)
                try await alice.signIn(TestPeople.alice)
                let first = try await alice.get("/people?department=Finance").text
                #expect(first.contains("30 people"))
                #expect(first.contains("Page 1 of 2"))
                #expect(first.contains("Zed Filler 01") && !first.contains("Zed Filler 25"))
                let second = try await alice.get("/people?department=Finance&page=2").text
                #expect(second.contains("Zed Filler 25") && !second.contains("Zed Filler 01"))
                #expect(second.contains("rel=\"prev\""))
            }
        }
    }
}
