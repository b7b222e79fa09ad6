import FluentSQL
import Foundation
import Testing
@testable import TrellisServer
import TrellisCore
import VaporTesting

extension ServerTests {
    /// Every way into a profile (the web form, the API, CSV import, the admin's and the first
    /// run's forms) reads its limits, choices and messages from `ProfileRules`: the same mistake
    /// gets the same words everywhere, and the OpenAPI document states the same limits.
    @Suite struct OneRule {
        static let header = "email,name,role,department,manager_email,timezone,languages,expertise,development_areas,interests,values,capacity,meeting_frequency,years_experience"

        /// A valid web form for a mentor, with some fields replaced.
        static func form(_ changes: [String: String]) -> [(String, String)] {
            var fields: [String: String] = [
                "name": "Alice Ahmed", "mentoring_role": "mentor", "capacity_mentees": "2", "capacity_hours": "",
                "years_experience": "6", "timezone": "Europe/Berlin", "meeting_frequency": "monthly",
            ]
            for (key, value) in changes { fields[key] = value }
            return fields.map { ($0.key, $0.value) }
        }

        /// A valid API profile for a mentor, with some fields replaced (NSNull to clear one).
        static func json(_ changes: [String: Any]) -> [String: Any] {
            var body: [String: Any] = ["name": "Alice Ahmed", "mentoring_role": "mentor", "capacity_mentees": 2, "years_experience": 6, "timezone": "Europe/Berlin"]
            for (key, value) in changes { body[key] = value }
            return body
        }

        /// A CSV row for a mentor, with some cells replaced.
        static func csvRow(_ changes: [String: String]) -> String {
            var cells: [String: String] = ["email": "zed@example.org", "name": "Zed", "role": "mentor", "capacity": "2", "timezone": "Europe/Berlin", "years_experience": "6"]
            for (key, value) in changes { cells[key] = value }
            return header.split(separator: ",").map { cells[String($0)] ?? "" }.joined(separator: ",")
        }

        struct Case {
            var label: String
            var form: [String: String]
            var api: [String: Any]
            var csv: [String: String]
            var formField: String
            var csvColumn: String
            var message: String
        }

        static let longName = String(repeating: "n", count: ProfileRules.name.maximum + 1)
        static var cases: [Case] {
            [
                Case(label: "a name too long", form: ["name": longName], api: ["name": longName], csv: ["name": longName],
                     formField: "name", csvColumn: "name", message: ProfileRules.name.problem(longName)!),
                Case(label: "an unknown role", form: ["mentoring_role": "guru"], api: ["mentoring_role": "guru"], csv: ["role": "guru"],
                     formField: "mentoring_role", csvColumn: "role", message: "Mentoring role: choose mentor, mentee or both (got “guru”)."),
                Case(label: "years out of range", form: ["years_experience": "61"], api: ["years_experience": 61], csv: ["years_experience": "61"],
                     formField: "years_experience", csvColumn: "years_experience", message: ProfileRules.yearsExperience.problem(61)!),
                Case(label: "a mentor without a capacity", form: ["capacity_mentees": ""], api: ["capacity_mentees": NSNull()], csv: ["capacity": ""],
                     formField: "capacity_mentees", csvColumn: "capacity", message: ProfileRules.capacityProblems(role: .mentor, capacity: nil, hours: nil).capacity!),
                Case(label: "a mentee with a capacity", form: ["mentoring_role": "mentee"], api: ["mentoring_role": "mentee"], csv: ["role": "mentee"],
                     formField: "capacity_mentees", csvColumn: "capacity", message: ProfileRules.capacityProblems(role: .mentee, capacity: 2, hours: nil).capacity!),
                Case(label: "an unknown frequency", form: ["meeting_frequency": "daily"], api: ["meeting_frequency": "daily"], csv: ["meeting_frequency": "daily"],
                     formField: "meeting_frequency", csvColumn: "meeting_frequency", message: "Meeting frequency: choose weekly, biweekly, monthly or as-needed (got “daily”)."),
                Case(label: "a time zone that is not one", form: ["timezone": "Mars/Olympus"], api: ["timezone": "Mars/Olympus"], csv: ["timezone": "Mars/Olympus"],
                     formField: "timezone", csvColumn: "timezone", message: ProfileRules.timezoneProblem("Mars/Olympus")!),
            ]
        }

        @Test func `the same mistake gets the same message from the web form, the API and a CSV import, and changes nothing`() async throws {
            try await withTrellis { app in
                let people = try await TestPeople.create(on: app)
                let id = try people.alice.requireID()
                var alice = Browser(app)
                try await alice.signIn(TestPeople.alice)
                let token = try await API.token(for: TestPeople.alice, app: app)
                #expect(try await alice.post("/people/\(id)/edit", Self.form([:])).status == .seeOther, "the base form is valid")
                let before = try await PeopleStore.draft(for: try #require(try await User.find(id, on: app.db)), on: app.db).0
                for item in Self.cases {
                    let page = try await alice.post("/people/\(id)/edit", Self.form(item.form))
                    #expect(page.status == .unprocessableEntity, "\(item.label): web form")
                    #expect(page.text.contains("id=\"\(item.formField)-error\">\(HTML.escape(item.message))<"), "\(item.label): web form says \(item.message)")

                    try await app.testing().test(.PUT, "/api/v1/me/profile", headers: API.jsonHeaders(token), body: API.json(Self.json(item.api))) { response throws in
                        #expect(response.status == .unprocessableEntity, "\(item.label): API")
                        let body = try response.content.decode(APIErrorBody.self)
                        #expect(body.fields?[item.formField] == item.message, "\(item.label): API says \(body.fields ?? [:])")
                    }

                    let plan = try await PeopleCSV.plan(Self.header + "\n" + Self.csvRow(item.csv) + "\n", on: app.db)
                    #expect(plan.problems.contains { $0.column == item.csvColumn && $0.message == item.message }, "\(item.label): CSV says \(plan.problems.map(\.message))")
                }
                let after = try await PeopleStore.draft(for: try #require(try await User.find(id, on: app.db)), on: app.db).0
                #expect(after == before)
            }
        }

        @Test func `the admin's add-person form and the first run say what the profile rules say about names and emails`() async throws {
            let long = Self.longName
            try await withTrellis { app in
                var visitor = Browser(app)
                let setup = try await visitor.post("/setup", [("name", long), ("email", "grace@"), ("password", "a long enough password"), ("password_confirmation", "a long enough password")])
                #expect(setup.status == .unprocessableEntity)
                #expect(setup.text.contains(HTML.escape(ProfileRules.name.problem(long)!)), "setup had no name limit")
                #expect(setup.text.contains(HTML.escape(ProfileRules.emailProblem("grace@")!)))
                #expect(try await User.query(on: app.db).count() == 0)

                try await TestPeople.create(on: app)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                let added = try await admin.post("/admin/people", [("name", long), ("email", "grace@"), ("role", "Overlord")])
                #expect(added.status == .unprocessableEntity)
                #expect(added.text.contains(HTML.escape(ProfileRules.name.problem(long)!)))
                #expect(added.text.contains(HTML.escape(ProfileRules.emailProblem("grace@")!)))
                #expect(added.text.contains("Account role: choose participant or admin (program manager) (got “Overlord”)."))
                #expect(try await User.query(on: app.db).count() == 3)
            }
        }

        @Test func `a role that is not one is the only problem named, not the capacity that goes with it; messages say what to do`() async throws {
            try await withTrellis { app in
                let people = try await TestPeople.create(on: app)
                let id = try people.alice.requireID()
                var alice = Browser(app)
                try await alice.signIn(TestPeople.alice)
                let page = try await alice.post("/people/\(id)/edit", Self.form(["mentoring_role": "teacher"])).text
                #expect(page.contains("mentoring_role-error") && !page.contains("capacity_mentees-error"))
                let hours = try await alice.post("/people/\(id)/edit", Self.form(["mentoring_role": "mentee", "capacity_mentees": "", "capacity_hours": "3"])).text
                #expect(hours.contains("A mentee does not mentor: leave hours per month blank, or choose mentor or both."))
                let token = try await API.token(for: TestPeople.alice, app: app)
                try await app.testing().test(.PUT, "/api/v1/me/profile", headers: API.jsonHeaders(token), body: API.json(Self.json(["mentoring_role": "teacher", "communication_methods": [""]]))) { response throws in
                    #expect(response.status == .unprocessableEntity)
                    let fields = try response.content.decode(APIErrorBody.self).fields ?? [:]
                    #expect(fields["mentoring_role"] != nil && fields["capacity_mentees"] == nil, "\(fields)")
                    #expect(fields["communication_methods"]?.contains("leave the entry out") == true, "\(fields)")
                }
                // A role typed in capitals filters the directory and is shown chosen, not added to the menu.
                let directory = try await alice.get("/people?role=MENTOR").text
                #expect(directory.contains("<option value=\"mentor\" selected>") && !directory.contains("value=\"MENTOR\""))
            }
        }

        @Test func `choices are read without regard to case or spaces in forms and files; the API takes its listed values`() async throws {
            try await withTrellis { app in
                let people = try await TestPeople.create(on: app)
                let id = try people.alice.requireID()
                var alice = Browser(app)
                try await alice.signIn(TestPeople.alice)
                #expect(try await alice.post("/people/\(id)/edit", Self.form(["mentoring_role": "Mentor", "meeting_frequency": " Weekly "])).status == .seeOther)
                var profile = try #require(try await Profile.find(id, on: app.db))
                #expect(profile.role == .mentor && profile.frequency == .weekly)

                // The API takes the values its document lists, exactly (schemathesis checks that
                // nothing else is accepted), and says the same about anything else.
                let token = try await API.token(for: TestPeople.alice, app: app)
                try await app.testing().test(.PUT, "/api/v1/me/profile", headers: API.jsonHeaders(token), body: API.json(Self.json(["mentoring_role": "both", "communication_methods": ["video", "chat"]]))) { response in
                    #expect(response.status == .ok, "\(response.body.string)")
                }
                profile = try #require(try await Profile.find(id, on: app.db))
                #expect(profile.role == .both && profile.methods == [.video, .chat])
                try await app.testing().test(.PUT, "/api/v1/me/profile", headers: API.jsonHeaders(token), body: API.json(Self.json(["mentoring_role": "BOTH"]))) { response throws in
                    #expect(response.status == .unprocessableEntity)
                    #expect(try response.content.decode(APIErrorBody.self).fields?["mentoring_role"] == "Mentoring role: choose mentor, mentee or both (got “BOTH”).")
                }
                for role in ["", "Mentor"] {
                    try await app.testing().test(.GET, "/api/v1/people?role=\(role)", headers: API.bearer(token)) { response in
                        #expect(response.status == .unprocessableEntity, "role=\(role)")
                    }
                }

                let plan = try await PeopleCSV.plan(Self.header + "\n" + Self.csvRow(["role": "MENTEE", "capacity": "", "meeting_frequency": "As-Needed"]) + "\n", on: app.db)
                #expect(plan.problems.isEmpty, "\(plan.problems.map(\.message))")
            }
        }

        @Test func `a time zone the form's list leaves out is kept when the form is shown and saved`() async throws {
            let candidates = ["US/Eastern", "Europe/Belfast", "America/Buenos_Aires", "Asia/Saigon", "Asia/Calcutta", "Europe/Kiev", "America/Godthab"]
            let zone = try #require(candidates.first { TimeZones.isValid($0) && !TimeZones.all.contains($0) }, "no zone outside the list on this system")
            try await withTrellis { app in
                let people = try await TestPeople.create(on: app)
                let id = try people.alice.requireID()
                let token = try await API.token(for: TestPeople.alice, app: app)
                try await app.testing().test(.PUT, "/api/v1/me/profile", headers: API.jsonHeaders(token), body: API.json(Self.json(["timezone": zone]))) { response in
                    #expect(response.status == .ok, "\(response.body.string)")
                }
                var alice = Browser(app)
                try await alice.signIn(TestPeople.alice)
                let page = try await alice.get("/people/\(id)/edit").text
                #expect(page.contains("<option value=\"\(zone)\" selected>"), "the form would save another zone")
            }
        }

        @Test func `an import that makes a mentor a mentee clears the capacity and hours that only mentors have`() async throws {
            try await withTrellis { app in
                let people = try await TestPeople.create(on: app)
                let id = try people.alice.requireID()
                var alice = Browser(app)
                try await alice.signIn(TestPeople.alice)
                #expect(try await alice.post("/people/\(id)/edit", Self.form(["capacity_hours": "6"])).status == .seeOther)
                let plan = try await PeopleCSV.plan(Self.header + "\n" + Self.csvRow(["email": TestPeople.alice, "name": "Alice Ahmed", "role": "mentee", "capacity": ""]) + "\n", on: app.db)
                #expect(plan.problems.isEmpty, "\(plan.problems.map(\.message))")
                try await PeopleCSV.apply(plan, by: nil, on: app.db)
                let profile = try #require(try await Profile.find(id, on: app.db))
                #expect(profile.role == .mentee && profile.capacityMentees == nil && profile.capacityHours == nil)
                // And the form saves as it is shown.
                #expect(try await alice.post("/people/\(id)/edit", Self.form(["mentoring_role": "mentee", "capacity_mentees": ""])).status == .seeOther)
            }
        }

        @Test func `profiles saved before the rules are brought in line, and save again as they are`() async throws {
            try await withTrellis { app in
                let people = try await TestPeople.create(on: app)
                let (alice, bob) = (try people.alice.requireID(), try people.bob.requireID())
                var aliceBrowser = Browser(app)
                try await aliceBrowser.signIn(TestPeople.alice)
                #expect(try await aliceBrowser.post("/people/\(alice)/edit", Self.form(["mentoring_role": "mentee", "capacity_mentees": ""])).status == .seeOther)
                var bobBrowser = Browser(app)
                try await bobBrowser.signIn(TestPeople.bob)
                #expect(try await bobBrowser.post("/people/\(bob)/edit", Self.form(["name": "Bob Brown"])).status == .seeOther)
                // As the old code could leave them: a mentee with a capacity and hours, a mentor without a capacity.
                let sql = try #require(app.db as? any SQLDatabase)
                try await sql.raw("UPDATE profiles SET capacity_mentees = 2, capacity_hours = 6 WHERE id = \(bind: alice)").run()
                try await sql.raw("UPDATE profiles SET capacity_mentees = NULL WHERE id = \(bind: bob)").run()
                #expect(try await aliceBrowser.get("/people/\(alice)/edit").text.contains("value=\"6\""))
                try await M0008_AlignCapacityWithRole().prepare(on: app.db)
                let (mentee, mentor) = (try #require(try await Profile.find(alice, on: app.db)), try #require(try await Profile.find(bob, on: app.db)))
                #expect(mentee.capacityMentees == nil && mentee.capacityHours == nil)
                #expect(mentor.capacityMentees == 0)
                // The form as shown saves unchanged.
                for (browser, id) in [(aliceBrowser, alice), (bobBrowser, bob)] {
                    var browser = browser
                    let shown = try await browser.get("/people/\(id)/edit").text
                    let capacity = shown.firstMatch(of: /id="capacity_mentees"[^>]*value="([^"]*)"/).map { String($0.output.1) } ?? ""
                    let role = id == alice ? "mentee" : "mentor"
                    #expect(try await browser.post("/people/\(id)/edit", Self.form(["mentoring_role": role, "capacity_mentees": capacity, "capacity_hours": ""])).status == .seeOther, "\(role)")
                }
            }
        }

        @Test func `the API holds what is sent to the limits its document states, before cleaning shortens it`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                let token = try await API.token(for: TestPeople.alice, app: app)
                let cases: [([String: Any], String)] = [
                    (["values": Array(repeating: "Curiosity", count: Tags.maximumCount + 1)], "values"),
                    (["expertise": [String(repeating: "a", count: Tags.maximumLength) + "   "]], "expertise"),
                    (["headline": String(repeating: "h", count: ProfileRules.headline.maximum) + "  "], "headline"),
                    (["name": "Ade\u{301}" + String(repeating: "x", count: ProfileRules.name.maximum - 3)], "name"),
                ]
                for (change, field) in cases {
                    try await app.testing().test(.PUT, "/api/v1/me/profile", headers: API.jsonHeaders(token), body: API.json(Self.json(change))) { response throws in
                        #expect(response.status == .unprocessableEntity, "\(field)")
                        #expect(try response.content.decode(APIErrorBody.self).fields?[field] != nil, "\(field)")
                    }
                }
            }
        }

        @Test func `the OpenAPI document states the limits the rules hold`() async throws {
            try await withTrellis { app in
                try await app.testing().test(.GET, "/api/v1/openapi.json") { response throws in
                    let document = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                    let components = try #require(document["components"] as? [String: Any])
                    let schemas = try #require(components["schemas"] as? [String: Any])
                    let update = try #require(schemas["ProfileUpdate"] as? [String: Any])
                    let properties = try #require(update["properties"] as? [String: [String: Any]])
                    let texts: [(String, ProfileRules.Text)] = [
                        ("name", ProfileRules.name), ("headline", ProfileRules.headline), ("bio", ProfileRules.bio), ("department", ProfileRules.department),
                        ("career_goals", ProfileRules.careerGoals), ("phone", ProfileRules.phone), ("location", ProfileRules.location),
                    ]
                    for (field, rule) in texts {
                        #expect(properties[field]?["maxLength"] as? Int == rule.maximum, "\(field)")
                    }
                    let numbers: [(String, ProfileRules.Number)] = [
                        ("years_experience", ProfileRules.yearsExperience), ("capacity_mentees", ProfileRules.capacityMentees), ("capacity_hours", ProfileRules.capacityHours),
                    ]
                    for (field, rule) in numbers {
                        #expect(properties[field]?["minimum"] as? Int == rule.range.lowerBound && properties[field]?["maximum"] as? Int == rule.range.upperBound, "\(field)")
                    }
                    for kind in TagKind.allCases {
                        #expect(properties[kind.rawValue]?["maxItems"] as? Int == Tags.maximumCount, "\(kind)")
                        #expect((properties[kind.rawValue]?["items"] as? [String: Any])?["maxLength"] as? Int == Tags.maximumLength, "\(kind)")
                    }
                    #expect(properties["mentoring_role"]?["enum"] as? [Any] != nil)
                    let roles = (properties["mentoring_role"]?["enum"] as? [Any])?.compactMap { $0 as? String }
                    #expect(roles == MentoringRole.allCases.map(\.rawValue))
                }
            }
        }
    }
}
