import Fluent
import Foundation
import Testing
@testable import TrellisServer
import TrellisCore
import TrellisMatching
import VaporTesting

extension ServerTests {
    /// Programs in the app: a manager creates one, opens enrolment, enrols people; participants
    /// join and withdraw; every refusal names the field and changes nothing.
    @Suite struct Programs {
        static let goodForm: [(String, String)] = [
            ("name", "New managers 2027"), ("purpose", "Help new managers find their feet."), ("description", "Six months, meeting every two weeks."),
            ("mode", "bulk"), ("enrolment_opens", "2026-01-01"), ("enrolment_closes", "2099-12-31"), ("starts", "2099-12-31"), ("ends", "2100-06-30"),
            ("minimum_score", "0.2"), ("maximum_open_requests", "3"), ("request_expiry_days", "14"), ("weight_complementarity", "0.5"),
        ]

        /// Creates a program through the form and returns its id.
        static func createProgram(_ admin: inout Browser, _ form: [(String, String)] = goodForm) async throws -> UUID {
            let response = try await admin.post("/admin/programs", form)
            #expect(response.status == .seeOther, "\(response.text.prefix(500))")
            let location = try #require(response.location)
            return try #require(UUID(uuidString: String(location.dropFirst("/programs/".count))))
        }

        @Test func `a manager creates a program, and bad settings are named field by field and change nothing`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                #expect(try await admin.get("/admin/programs/new").text.contains("Complementary strengths"))

                let bad = try await admin.post("/admin/programs", [
                    ("name", ""), ("mode", "lottery"), ("enrolment_opens", "2027-02-30"), ("starts", "2027-03-01"), ("ends", "2027-02-01"),
                    ("minimum_score", "1e3"), ("maximum_open_requests", "-1"), ("request_expiry_days", "9999999999999999999999"),
                    ("weight_timeZone", "-0.1"), ("weight_language", "nan"),
                ])
                #expect(bad.status == .unprocessableEntity)
                for message in ["Name is required.", "Matching mode: choose bulk, self-select or preference", "Enrolment opens must be a real day from 2000-01-01 to 2999-12-31",
                                "The program ends (2027-02-01) must be after the day the program starts (2027-03-01)", "Minimum score must be a number from 0 to 1",
                                "Open requests per mentee must be a whole number from 1 to 10", "Days before a request expires must be a whole number from 1 to 90",
                                "The weight of time-zone overlap must be a number from 0 to 100", "The weight of common language must be"] {
                    #expect(bad.text.contains(HTML.escape(message)), "\(message)")
                }
                #expect(try await Program.query(on: app.db).count() == 0)
                let zero = try await admin.post("/admin/programs", [("name", "P")] + MatchWeights.factors.map { ("weight_\($0.key)", "0") })
                #expect(zero.status == .unprocessableEntity && zero.text.contains("At least one weight must be above zero."))

                let id = try await Self.createProgram(&admin)
                let program = try #require(try await Program.find(id, on: app.db))
                #expect(program.programState == .draft && program.name == "New managers 2027" && program.minimumScore == 0.2)
                #expect(program.weights.complementarity == 0.5 && program.weights.sharedInterests == MatchWeights().sharedInterests)
                let page = try await admin.get("/programs/\(id)")
                #expect(page.status == .ok && page.text.contains("Check the settings, then open enrolment.") && page.text.contains("Open enrolment"))
                #expect(try await AuditEntry.query(on: app.db).filter(\.$action == "program.create").count() == 1)
            }
        }

        @Test func `a program moves through its states only as its rules allow`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                let id = try await Self.createProgram(&admin)
                // Skipping a step, or matching without people, is refused and changes nothing.
                let skip = try await admin.post("/admin/programs/\(id)/state", [("to", "active")])
                #expect(skip.status == .conflict && skip.text.contains("one step at a time"))
                #expect(try await admin.post("/admin/programs/\(id)/state", [("to", "enrolling")]).status == .ok)
                let empty = try await admin.post("/admin/programs/\(id)/state", [("to", "matching")])
                #expect(empty.status == .conflict && empty.text.contains("at least one mentor and one mentee"))
                #expect(try await admin.post("/admin/programs/\(id)/state", [("to", "sideways")]).status == .conflict)
                #expect(try await Program.find(id, on: app.db)?.programState == .enrolling)

                #expect(try await admin.post("/admin/programs/\(id)/participants", [("email", TestPeople.alice), ("role", "mentee")]).status == .created)
                #expect(try await admin.post("/admin/programs/\(id)/participants", [("email", TestPeople.bob), ("role", "mentor"), ("capacity", "2")]).status == .created)
                // Back to draft only while nobody is enrolled.
                let back = try await admin.post("/admin/programs/\(id)/state", [("to", "draft")])
                #expect(back.status == .conflict && back.text.contains("only while nobody is"))
                #expect(try await admin.post("/admin/programs/\(id)/state", [("to", "matching")]).status == .ok)
                // A bulk program becomes active by publishing a run, not by a button.
                let start = try await admin.post("/admin/programs/\(id)/state", [("to", "active")])
                #expect(start.status == .conflict && start.text.contains("Publish a matching run"))
                #expect(try await admin.post("/admin/programs/\(id)/state", [("to", "enrolling")]).status == .ok)
                #expect(try await Program.find(id, on: app.db)?.programState == .enrolling)
            }
        }

        @Test func `a participant joins an open program, sees only what is theirs, and withdraws`() async throws {
            try await withTrellis { app in
                let people = try await TestPeople.create(on: app)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                let id = try await Self.createProgram(&admin)
                var alice = Browser(app)
                try await alice.signIn(TestPeople.alice)
                // A draft is the managers' alone.
                #expect(try await alice.get("/programs/\(id)").status == .notFound)
                #expect(!(try await alice.get("/programs").text.contains("New managers 2027")))
                #expect(try await alice.post("/programs/\(id)/join", [("role", "mentee")]).status == .notFound)

                #expect(try await admin.post("/admin/programs/\(id)/state", [("to", "enrolling")]).status == .ok)
                let list = try await alice.get("/programs")
                #expect(list.text.contains("New managers 2027") && list.text.contains("Join this program"))
                #expect(!list.text.contains("mentees</p>"), "participants do not see the roster's numbers")

                // A mentor without a capacity anywhere is asked for one; a bad statement is named.
                let noCapacity = try await alice.post("/programs/\(id)/join", [("role", "mentor"), ("capacity", "")])
                #expect(noCapacity.status == .unprocessableEntity && noCapacity.text.contains("Capacity is required for this mentor"))
                let long = try await alice.post("/programs/\(id)/join", [("role", "mentee"), ("statement", String(repeating: "x", count: 1_001))])
                #expect(long.status == .unprocessableEntity && long.text.contains("Statement must be at most 1,000 characters"))
                let badRole = try await alice.post("/programs/\(id)/join", [("role", "boss")])
                #expect(badRole.status == .unprocessableEntity && badRole.text.contains("Role: choose mentor or mentee"))
                #expect(try await Enrolment.query(on: app.db).count() == 0)

                let joined = try await alice.post("/programs/\(id)/join", [("role", "mentee"), ("capacity", "3"), ("statement", "Learn to <lead> a team")])
                #expect(joined.status == .ok && joined.text.contains("You are a mentee in this program"))
                #expect(joined.text.contains("Learn to &lt;lead&gt; a team"))
                let enrolment = try #require(try await Enrolment.query(on: app.db).first())
                #expect(enrolment.userID == people.alice.id && enrolment.selfJoined && enrolment.capacity == nil, "a mentee's capacity is dropped")
                let again = try await alice.post("/programs/\(id)/join", [("role", "mentor"), ("capacity", "1")])
                #expect(again.status == .unprocessableEntity && again.text.contains("already enrolled in this program as a mentee"))
                #expect(try await Program.find(id, on: app.db)?.menteeCount == 1)

                // Bob, not enrolled, sees the program while it is open but nothing of Alice's.
                var bob = Browser(app)
                try await bob.signIn(TestPeople.bob)
                let seen = try await bob.get("/programs/\(id)")
                #expect(seen.status == .ok && !seen.text.contains("Alice") && !seen.text.contains("Learn to"))
                #expect(try await bob.get("/admin/programs/\(id)/participants").status == .forbidden)
                #expect(try await bob.post("/programs/\(id)/withdraw").status == .conflict)
                #expect(try await Program.find(id, on: app.db)?.menteeCount == 1)

                // The roster shows Alice with her profile's completeness.
                let roster = try await admin.get("/admin/programs/\(id)/participants")
                #expect(roster.text.contains("Alice Ahmed") && roster.text.contains("Joined themselves") && roster.text.contains("Missing a headline"))

                // Once enrolment closes, a stranger no longer sees it; Alice still does.
                try await TestPeople.enrolMentor(TestPeople.bob, in: id, admin: &admin)
                #expect(try await admin.post("/admin/programs/\(id)/state", [("to", "matching")]).status == .ok)
                #expect(try await alice.get("/programs/\(id)").status == .ok)
                let carol = try await PeopleStore.createPerson(email: "carol@example.org", name: "Carol", role: .participant, passwordHash: try Bcrypt.hash(TestPeople.password, cost: 4), on: app.db)
                var carolBrowser = Browser(app)
                try await carolBrowser.signIn(carol.email)
                #expect(try await carolBrowser.get("/programs/\(id)").status == .notFound)

                let withdrawn = try await alice.post("/programs/\(id)/withdraw")
                #expect(withdrawn.status == .seeOther && withdrawn.location == "/programs", "a closed program she left is no longer hers to see")
                #expect(try await Program.find(id, on: app.db)?.menteeCount == 0)
                #expect(try await Enrolment.query(on: app.db).filter(\.$userID == people.alice.requireID()).count() == 0)
            }
        }

        @Test func `a manager enrols people one by one, and every refusal names the problem`() async throws {
            try await withTrellis { app in
                let people = try await TestPeople.create(on: app)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                let id = try await Self.createProgram(&admin)
                let path = "/admin/programs/\(id)/participants"
                let unknown = try await admin.post(path, [("email", "nobody@example.org"), ("role", "mentee")])
                #expect(unknown.status == .unprocessableEntity && unknown.text.contains("Nobody in Trellis has the email nobody@example.org"))
                let menteeCapacity = try await admin.post(path, [("email", TestPeople.alice), ("role", "mentee"), ("capacity", "2")])
                #expect(menteeCapacity.status == .unprocessableEntity && menteeCapacity.text.contains("A mentee does not take mentees"))
                for capacity in ["0", "11", "-3", "99999999999999999999", "1.5", "two"] {
                    let bad = try await admin.post(path, [("email", TestPeople.bob), ("role", "mentor"), ("capacity", capacity)])
                    #expect(bad.status == .unprocessableEntity && bad.text.contains("Capacity must be a whole number from 1 to 10"), "\(capacity)")
                }
                #expect(try await Enrolment.query(on: app.db).count() == 0)

                // Email is matched as sign-in matches it (case, spaces).
                #expect(try await admin.post(path, [("email", "  ALICE@Example.org "), ("role", "mentee")]).status == .created)
                let twice = try await admin.post(path, [("email", TestPeople.alice), ("role", "mentor"), ("capacity", "1")])
                #expect(twice.status == .unprocessableEntity && twice.text.contains("Already enrolled in this program as a mentee"))
                // Bob's profile capacity is used when none is given for the program.
                try await PeopleStore.save(ProfileDraft(name: "Bob Brown", timezone: "Europe/London", mentoringRole: .mentor, capacityMentees: 4), manager: nil, for: people.bob.requireID(), on: app.db)
                #expect(try await admin.post(path, [("email", TestPeople.bob), ("role", "mentor")]).status == .created)
                let roster = try await admin.get(path)
                #expect(roster.text.contains("Mentor (takes 4)") && roster.text.contains("Mentors (1)") && roster.text.contains("Mentees (1)"))
                let mentorsOnly = try await admin.get(path + "?role=mentor")
                #expect(mentorsOnly.text.contains("Bob Brown") && !mentorsOnly.text.contains("Alice Ahmed"))

                // Removing someone, and removing someone who is not there.
                #expect(try await admin.post("\(path)/\(people.alice.requireID())/remove").status == .ok)
                #expect(try await admin.post("\(path)/\(people.alice.requireID())/remove").status == .conflict)
                #expect(try await admin.post("\(path)/\(UUID())/remove").status == .notFound)
                let program = try #require(try await Program.find(id, on: app.db))
                #expect(program.menteeCount == 0 && program.mentorCount == 1 && program.rosterVersion == 3)

                // Once concluded, nobody can be enrolled and the form says why.
                program.state = ProgramState.concluded.rawValue
                try await program.save(on: app.db)
                let late = try await admin.post(path, [("email", TestPeople.alice), ("role", "mentee")])
                #expect(late.status == .unprocessableEntity && late.text.contains("The program is concluded"))
            }
        }

        @Test func `settings that explain published pairs cannot change once the program is active`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                let id = try await Self.createProgram(&admin)
                var form = Self.goodForm
                form[0] = ("name", "New managers, second cohort")
                #expect(try await admin.post("/admin/programs/\(id)/edit", form).status == .seeOther)
                #expect(try await Program.find(id, on: app.db)?.name == "New managers, second cohort")
                let program = try #require(try await Program.find(id, on: app.db))
                program.state = ProgramState.active.rawValue
                try await program.save(on: app.db)
                var changed = form
                changed.append(("exclude_same_department", "on"))
                changed[3] = ("mode", "self-select")
                changed[11] = ("weight_complementarity", "0.9")
                let refused = try await admin.post("/admin/programs/\(id)/edit", changed)
                #expect(refused.status == .unprocessableEntity)
                for message in ["Matching mode cannot change once the program is active", "Matching rules cannot change", "Weights cannot change once the program is active"] {
                    #expect(refused.text.contains(message), "\(message)")
                }
                let stored = try #require(try await Program.find(id, on: app.db))
                #expect(stored.matchingMode == .bulk && !stored.excludeSameDepartment && stored.weights.complementarity == 0.5)
                // The texts may still change.
                form[1] = ("purpose", "A clearer purpose.")
                #expect(try await admin.post("/admin/programs/\(id)/edit", form).status == .seeOther)
            }
        }

        @Test func `many joins at once enrol each person once and keep the counts right`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                let id = try await Self.createProgram(&admin)
                #expect(try await admin.post("/admin/programs/\(id)/state", [("to", "enrolling")]).status == .ok)
                let hash = try Bcrypt.hash(TestPeople.password, cost: 4)
                var browsers: [Browser] = []
                for index in 0..<12 {
                    _ = try await PeopleStore.createPerson(email: "p\(index)@example.org", name: "Person \(index)", role: .participant, passwordHash: hash, on: app.db)
                    var browser = Browser(app)
                    try await browser.signIn("p\(index)@example.org")
                    browsers.append(browser)
                }
                // Each person sends three joins at once (a double click and a second tab), as
                // mentee or mentor: exactly one of each person's lands.
                let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                    for (index, browser) in browsers.enumerated() {
                        for attempt in 0..<3 {
                            group.addTask {
                                var copy = browser
                                let role = (index + attempt) % 2 == 0 ? [("role", "mentee")] : [("role", "mentor"), ("capacity", "2")]
                                return try await copy.post("/programs/\(id)/join", role).status
                            }
                        }
                    }
                    return try await group.reduce(into: [HTTPStatus]()) { $0.append($1) }
                }
                #expect(statuses.filter { $0 == .ok }.count == 12, "\(statuses.map(\.code))")
                #expect(statuses.allSatisfy { $0 == .ok || $0 == .unprocessableEntity }, "\(statuses.map(\.code))")
                let enrolments = try await Enrolment.query(on: app.db).filter(\.$programID == id).all()
                #expect(enrolments.count == 12 && Set(enrolments.map(\.userID)).count == 12)
                let program = try #require(try await Program.find(id, on: app.db))
                #expect(program.mentorCount == enrolments.filter { $0.programRole == .mentor }.count)
                #expect(program.menteeCount == enrolments.filter { $0.programRole == .mentee }.count)
            }
        }

        @Test func `enrolment outside its window is refused with the day`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                var form = Self.goodForm
                form[4] = ("enrolment_opens", "2099-01-01")
                let id = try await Self.createProgram(&admin, form)
                #expect(try await admin.post("/admin/programs/\(id)/state", [("to", "enrolling")]).status == .ok)
                var alice = Browser(app)
                try await alice.signIn(TestPeople.alice)
                let early = try await alice.post("/programs/\(id)/join", [("role", "mentee")])
                #expect(early.status == .unprocessableEntity && early.text.contains("Enrolment opens on 2099-01-01."))
                // The manager may still enrol people before the window.
                #expect(try await admin.post("/admin/programs/\(id)/participants", [("email", TestPeople.alice), ("role", "mentee")]).status == .created)
            }
        }
    }
}

extension TestPeople {
    /// Enrols someone as a mentor of capacity 1 through the roster page.
    static func enrolMentor(_ email: String, in program: UUID, admin: inout Browser) async throws {
        let response = try await admin.post("/admin/programs/\(program)/participants", [("email", email), ("role", "mentor"), ("capacity", "1")])
        #expect(response.status == .created, "\(response.text.prefix(300))")
    }
}

extension ServerTests.Programs {
    @Test func `a manager enrols from a CSV through a preview, everyone or nobody, every bad row named`() async throws {
        try await withTrellis { app in
            let people = try await TestPeople.create(on: app)
            var admin = Browser(app)
            try await admin.signIn(TestPeople.admin)
            let id = try await Self.createProgram(&admin)
            let hash = try Bcrypt.hash(TestPeople.password, cost: 4)
            for index in 0..<4 {
                _ = try await PeopleStore.createPerson(email: "p\(index)@example.org", name: "Person \(index)", role: .participant, passwordHash: hash, on: app.db)
            }
            try await TestPeople.enrolMentor("p3@example.org", in: id, admin: &admin)
            let upload = "/admin/programs/\(id)/participants/csv"
            // Problems of the row and of the database, in one report; nothing enrolled.
            let bad = try await admin.upload(upload, file: Data("email,role,capacity\nalice@example.org,mentee,\nbob@example.org,mentor,\nnobody@example.org,mentee,\np0@example.org,boss,\np3@example.org,mentee,\n".utf8), filename: "cohort.csv")
            #expect(bad.status == .unprocessableEntity)
            for message in ["Capacity is required for this mentor", "Nobody in Trellis has this email", "Role: choose mentor or mentee", "Already enrolled in this program as a mentor"] {
                #expect(bad.text.contains(message), "\(message)")
            }
            #expect(bad.text.contains("The file has 4 problems"))
            #expect(try await Enrolment.query(on: app.db).count() == 1)
            #expect(try await EnrolmentUpload.query(on: app.db).count() == 0, "a file with problems is not kept")

            let good = try await admin.upload(upload, file: Data("email,role,capacity\nalice@example.org,mentee,\nbob@example.org,mentor,2\np0@example.org,mentee,\n".utf8), filename: "cohort.csv")
            #expect(good.status == .ok && good.text.contains("Enrol 3 people?"))
            let uploadID = try #require(good.text.firstMatch(of: /name="upload" value="([0-9A-F-]{36})"/)?.output.1)
            #expect(try await Enrolment.query(on: app.db).count() == 1, "nothing before the confirmation")

            // Another program manager cannot confirm it; nor can it be confirmed for another program.
            let other = try await PeopleStore.createPerson(email: "manager2@example.org", name: "Second Manager", role: .admin, passwordHash: hash, on: app.db)
            var second = Browser(app)
            try await second.signIn(other.email)
            #expect(try await second.post("\(upload)/confirm", [("upload", String(uploadID))]).status == .notFound)
            let otherProgram = try await Self.createProgram(&admin)
            #expect(try await admin.post("/admin/programs/\(otherProgram)/participants/csv/confirm", [("upload", String(uploadID))]).status == .notFound)

            // Something changed since the preview: checked again, nobody enrolled.
            try await ProgramStore.enrol([.init(userID: people.alice.requireID(), role: .mentee, capacity: nil, statement: "")], in: id, selfJoined: false, by: nil, on: app.db)
            let stale = try await admin.post("\(upload)/confirm", [("upload", String(uploadID))])
            #expect(stale.status == .unprocessableEntity && stale.text.contains("Already enrolled in this program as a mentee"))
            #expect(try await Enrolment.query(on: app.db).count() == 2)
            try await ProgramStore.withdraw(people.alice.requireID(), from: id, by: people.admin, on: app.db)

            let done = try await admin.post("\(upload)/confirm", [("upload", String(uploadID))])
            #expect(done.status == .ok && done.text.contains("Enrolled 1 mentor and 2 mentees from cohort.csv"))
            let program = try #require(try await Program.find(id, on: app.db))
            #expect(program.mentorCount == 2 && program.menteeCount == 2)
            #expect(try await Enrolment.query(on: app.db).filter(\.$userID == people.bob.requireID()).first()?.capacity == 2)
            // Used once.
            #expect(try await admin.post("\(upload)/confirm", [("upload", String(uploadID))]).status == .notFound)
            // A participant cannot upload at all, and a file that is not text is named.
            var alice = Browser(app)
            try await alice.signIn(TestPeople.alice)
            #expect(try await alice.upload(upload, file: Data("email,role\n".utf8), filename: "x.csv").status == .forbidden)
            let binary = try await admin.upload(upload, file: Data([0xFF, 0xFE, 0x00, 0x41]), filename: "x.csv")
            #expect(binary.status == .unprocessableEntity && binary.text.contains("field-error"))
        }
    }

    @Test func `trellis program create, enrol and state work for scripts, refusing bad input with the field`() async throws {
        try await withTrellis { app in
            try await TestPeople.create(on: app)
            func run(_ arguments: [String]) async throws -> (Bool, String) {
                let console = TestConsole()
                var context = CommandContext(console: console, input: CommandInput(arguments: ["trellis"] + arguments))
                context.application = app
                do {
                    try await console.run(ProgramCommands(), with: context)
                    return (true, console.text)
                } catch {
                    return (false, console.text)
                }
            }
            let (refused, message) = try await run(["create", "--name", "Spring", "--mode", "raffle"])
            #expect(!refused && message.contains("--mode: Matching mode: choose bulk, self-select or preference"))
            #expect(try await Program.query(on: app.db).count() == 0)
            let (created, _) = try await run(["create", "--name", "Spring", "--purpose", "Grow"])
            #expect(created)
            #expect(try await Program.query(on: app.db).first()?.meetingsInTrellis == true)
            #expect(try await run(["create", "--name", "Quiet", "--meetings-outside"]).0)
            #expect(try await Program.query(on: app.db).filter(\.$name == "Quiet").first()?.meetingsInTrellis == false)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("enrol-\(UUID()).csv")
            try Data("email,role,capacity\nalice@example.org,mentee,\nbob@example.org,mentor,1\n".utf8).write(to: file)
            defer { try? FileManager.default.removeItem(at: file) }
            let (dry, dryText) = try await run(["enrol", "Spring", file.path, "--dry-run"])
            #expect(dry && dryText.contains("1 mentors and 1 mentees would be enrolled"))
            #expect(try await Enrolment.query(on: app.db).count() == 0)
            let (enrolled, _) = try await run(["enrol", "Spring", file.path])
            let enrolments = try await Enrolment.query(on: app.db).count()
            #expect(enrolled && enrolments == 2)
            let (again, againText) = try await run(["enrol", "Spring", file.path])
            #expect(!again && againText.contains("row 2, column email") && againText.contains("Already enrolled"))
            let (unknown, unknownText) = try await run(["enrol", "Autumn", file.path])
            #expect(!unknown && unknownText.contains("There is no program with the id or name “Autumn”"))
            #expect(try await run(["state", "Spring", "enrolling"]).0)
            let (skip, skipText) = try await run(["state", "Spring", "concluded"])
            #expect(!skip && skipText.contains("one step at a time"))
            let (listed, listText) = try await run(["list"])
            #expect(listed && listText.contains("enrolling") && listText.contains("1 mentors, 1 mentees  Spring"))
        }
    }
}

/// A console that keeps what commands write.
final class TestConsole: Console, @unchecked Sendable {
    private(set) var text = ""
    var userInfo: [AnySendableHashable: any Sendable] = [:]
    var size: (width: Int, height: Int) { (120, 40) }
    func input(isSecure: Bool) -> String { "" }
    func output(_ text: ConsoleText, newLine: Bool) { self.text += text.description + (newLine ? "\n" : "") }
    func clear(_ type: ConsoleClear) {}
    func report(error: String, newLine: Bool) { text += error + (newLine ? "\n" : "") }
}
