import Fluent
import Foundation
import Testing
@testable import TrellisServer
import TrellisCore
import TrellisFixtures
import TrellisMatching
import VaporTesting

extension ServerTests {
    /// Bulk matching in the app: a run in the background, its result, review, re-run, compare,
    /// publish into mentorships with notifications; and the job queue under it.
    @Suite struct MatchRuns {
        /// A program in matching with mentors and mentees whose profiles make a clear best match:
        /// each mentee's development areas are exactly one mentor's expertise.
        static func cohort(_ app: Application, admin: inout Browser, mentors: Int = 3, mentees: Int = 4) async throws -> (program: UUID, mentors: [User], mentees: [User]) {
            let hash = try Bcrypt.hash(TestPeople.password, cost: 4)
            let skills = ["Swift", "Databases", "Design", "Leadership", "Statistics"]
            var mentorUsers: [User] = [], menteeUsers: [User] = []
            for index in 0..<mentors {
                let user = try await PeopleStore.createPerson(email: "mentor\(index)@example.org", name: "Mentor \(index)", role: .participant, passwordHash: hash, on: app.db)
                try await PeopleStore.save(ProfileDraft(
                    name: user.name, department: "Dept \(index)", yearsExperience: 15, timezone: "Europe/London", mentoringRole: .mentor, capacityMentees: 2,
                    tags: [.expertise: [skills[index % skills.count]], .language: ["English"]]
                ).normalized(), manager: nil, for: try user.requireID(), on: app.db)
                mentorUsers.append(user)
            }
            for index in 0..<mentees {
                let user = try await PeopleStore.createPerson(email: "mentee\(index)@example.org", name: "Mentee \(index)", role: .participant, passwordHash: hash, on: app.db)
                try await PeopleStore.save(ProfileDraft(
                    name: user.name, department: "Team \(index)", yearsExperience: 2, timezone: "Europe/London", mentoringRole: .mentee,
                    // Beyond the first few, a second area no mentor covers: a weaker match than the
                    // first mentee with the same area, so the result does not hang on a tie.
                    tags: [.development: index < mentors ? [skills[index % mentors]] : [skills[index % mentors], "Juggling"], .language: ["English"]]
                ).normalized(), manager: nil, for: try user.requireID(), on: app.db)
                menteeUsers.append(user)
            }
            let id = try await Programs.createProgram(&admin, [("name", "Cohort"), ("mode", "bulk")])
            var csv = "email,role,capacity\n"
            for user in mentorUsers { csv += "\(user.email),mentor,1\n" }
            for user in menteeUsers { csv += "\(user.email),mentee,\n" }
            guard case .enrolled = try await EnrolmentCSV.apply(csv, programID: id, by: nil, on: app.db) else { Issue.record("enrolment refused"); throw Abort(.internalServerError) }
            _ = try await ProgramStore.move(id, to: .enrolling, by: nil, on: app.db)
            _ = try await ProgramStore.move(id, to: .matching, by: nil, on: app.db)
            return (id, mentorUsers, menteeUsers)
        }

        static func pairs(of run: Int, in program: UUID, on db: any Database) async throws -> [UUID: UUID] {
            let stored = try #require(try await MatchRun.query(on: db).filter(\.$programID == program).filter(\.$number == run).first())
            let rows = try await PlainRows.all("SELECT mentee_id, mentor_id FROM match_run_pairs WHERE run_id = \(bind: stored.requireID()) AND mentor_id IS NOT NULL", on: db)
            return Dictionary(uniqueKeysWithValues: try rows.map { (try $0.uuid("mentee_id"), try $0.uuid("mentor_id")) })
        }

        @Test func `a manager runs matching, reviews, re-runs and publishes, and the pairs become mentorships`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                let (id, mentors, mentees) = try await Self.cohort(app, admin: &admin)
                let base = "/admin/programs/\(id)/runs"

                // Started: the page shows progress and refreshes itself until a worker runs it.
                let started = try await admin.post(base)
                #expect(started.status == .seeOther && started.location == "\(base)/1")
                let waiting = try await admin.get("\(base)/1")
                #expect(waiting.text.contains("http-equiv=\"refresh\"") && waiting.text.contains("Waiting to start"))
                let twice = try await admin.post(base)
                #expect(twice.status == .conflict && twice.text.contains("already in progress"))
                try await JobQueue.drain(app: app)

                let result = try await admin.get("\(base)/1")
                #expect(result.status == .ok && !result.text.contains("http-equiv=\"refresh\""))
                #expect(result.text.contains("of 4 mentees matched") && result.text.contains("proven the best total"))
                #expect(result.text.contains("A greedy match (best pair first)"))
                // Each mentee with the mentor whose expertise is their development area; the
                // fourth has no room (three mentors of capacity one).
                let first = try await Self.pairs(of: 1, in: id, on: app.db)
                #expect(first.count == 3)
                for index in 0..<3 { #expect(first[try mentees[index].requireID()] == (try mentors[index].requireID())) }
                #expect(result.text.contains("Mentor 0") && result.text.contains("covers 1 of"))
                let unmatched = try await admin.get("\(base)/1?show=unmatched")
                #expect(unmatched.text.contains("Mentee 3") && unmatched.text.contains("full"))

                // Lock one pair, exclude another; a manual pair that breaks a rule is refused
                // with the rule named and the pair's score and reasons shown.
                let lock = try await admin.post("/admin/programs/\(id)/decisions", [("mentee", try mentees[0].requireID().uuidString), ("mentor", try mentors[0].requireID().uuidString), ("kind", "lock"), ("run", "1")])
                #expect(lock.status == .ok && lock.text.contains("are locked together"))
                let exclude = try await admin.post("/admin/programs/\(id)/decisions", [("mentee", mentees[1].email), ("mentor", mentors[1].email), ("kind", "exclude"), ("run", "1")])
                #expect(exclude.status == .ok && exclude.text.contains("will never be paired"))
                let full = try await admin.post("/admin/programs/\(id)/decisions", [("manual_mentee", mentees[3].email), ("manual_mentor", mentors[0].email), ("kind", "manual"), ("run", "1")])
                #expect(full.status == .unprocessableEntity && full.text.contains("Mentor 0 is full: 1 of 1 places are locked"))
                #expect(full.text.contains("Together they would score"))
                let notMentee = try await admin.post("/admin/programs/\(id)/decisions", [("mentee", mentors[2].email), ("mentor", mentors[1].email), ("kind", "manual"), ("run", "1")])
                #expect(notMentee.status == .unprocessableEntity && notMentee.text.contains("not a mentee in this program"))
                #expect(try await MatchDecision.query(on: app.db).count() == 2)
                // Locking an excluded pair replaces the exclusion, and says so.
                let excludeThird = try await admin.post("/admin/programs/\(id)/decisions", [("mentee", mentees[2].email), ("mentor", mentors[2].email), ("kind", "exclude"), ("run", "1")])
                #expect(excludeThird.status == .ok)
                let relock = try await admin.post("/admin/programs/\(id)/decisions", [("mentee", mentees[2].email), ("mentor", mentors[2].email), ("kind", "lock"), ("run", "1")])
                #expect(relock.status == .ok && relock.text.contains("It was excluded; the exclusion is removed."))
                #expect(try await MatchDecision.query(on: app.db).filter(\.$kind == MatchDecision.Kind.exclude.rawValue).count() == 1)

                // The first run is now stale: publishing it is refused.
                let stale = try await admin.post("\(base)/1/publish")
                #expect(stale.status == .conflict && stale.text.contains("Locks, exclusions or manual pairs changed"))

                // Why not: the pair's rules, score and what the run made of each.
                let why = try await admin.get("/admin/programs/\(id)/why-not?mentee=\(mentees[3].email)&mentor=\(mentors[1].email)")
                #expect(why.status == .ok && why.text.contains("breaks no rule") && why.text.contains("In run 1, Mentee 3 is unmatched"))

                // Re-run: the lock is kept, the exclusion respected.
                #expect(try await admin.post(base).status == .seeOther)
                try await JobQueue.drain(app: app)
                let second = try await Self.pairs(of: 2, in: id, on: app.db)
                #expect(second[try mentees[0].requireID()] == (try mentors[0].requireID()))
                #expect(second[try mentees[1].requireID()] != (try mentors[1].requireID()))
                let compared = try await admin.get("\(base)/compare?a=1&b=2")
                #expect(compared.status == .ok && compared.text.contains("mentees with another mentor"))
                #expect(try await admin.get("\(base)/compare?a=1&b=9").status == .notFound)

                // Publish: mentorships, notifications, the program active.
                let published = try await admin.post("\(base)/2/publish")
                #expect(published.status == .ok && published.text.contains("Published \(second.count) pair"))
                let program = try #require(try await Program.find(id, on: app.db))
                #expect(program.programState == .active)
                let mentorships = try await Mentorship.query(on: app.db).filter(\.$programID == id).all()
                #expect(mentorships.count == second.count)
                #expect(Dictionary(uniqueKeysWithValues: mentorships.map { ($0.menteeID, $0.mentorID) }) == second)
                #expect(try await InAppNotification.query(on: app.db).count() == 2 * second.count)
                let again = try await admin.post("\(base)/2/publish")
                #expect(again.status == .conflict && again.text.contains("already published"))
                #expect(try await Mentorship.query(on: app.db).count() == second.count)
                // A published program cannot go back, and takes no new run.
                #expect(try await admin.post("/admin/programs/\(id)/state", [("to", "matching")]).status == .conflict)
                #expect(try await admin.post(base).status == .conflict)

                // The mentee sees the mentorship, why, and the notification; nobody else sees it.
                let pairedMentee = try #require(mentees.first { second[$0.id!] != nil })
                var mentee = Browser(app)
                try await mentee.signIn(pairedMentee.email)
                let home = try await mentee.get("/mentoring")
                #expect(home.text.contains("Your mentor:"))
                let mentorship = try #require(mentorships.first { $0.menteeID == pairedMentee.id })
                let page = try await mentee.get("/mentorships/\(try mentorship.requireID())")
                #expect(page.status == .ok && page.text.contains("Why you were matched") && page.text.contains("Your match scored"))
                let notifications = try await mentee.get("/notifications")
                #expect(notifications.text.contains("You have a mentor in “Cohort”"))
                #expect(try await mentee.get("/").text.contains("<span class=\"count\">1</span>"))
                var mentor = Browser(app)
                try await mentor.signIn(try #require(mentors.first { $0.id == mentorship.mentorID }).email)
                #expect(try await mentor.get("/mentorships/\(try mentorship.requireID())").text.contains("Your mentee"))
                var stranger = Browser(app)
                try await stranger.signIn(mentees[3].email == pairedMentee.email ? mentees[2].email : TestPeople.bob)
                #expect(try await stranger.get("/mentorships/\(try mentorship.requireID())").status == .notFound)
                #expect(try await admin.get("/mentorships/\(try mentorship.requireID())").status == .notFound, "a mentorship is the pair's")
                let notice = try #require(try await InAppNotification.query(on: app.db).filter(\.$userID == pairedMentee.requireID()).first())
                #expect(try await stranger.post("/notifications/\(try notice.requireID())/read").status == .notFound)
                let opened = try await mentee.post("/notifications/\(try notice.requireID())/read")
                #expect(opened.status == .seeOther && opened.location == "/mentoring")
                #expect(try await InAppNotification.find(notice.requireID(), on: app.db)?.readAt != nil)
            }
        }

        @Test func `a run after participants changed cannot be published, and a failed run says why and changes nothing`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                let (id, mentors, mentees) = try await Self.cohort(app, admin: &admin)
                let base = "/admin/programs/\(id)/runs"
                #expect(try await admin.post(base).status == .seeOther)
                try await JobQueue.drain(app: app)
                // Someone joins after the run.
                try await ProgramStore.enrol([.init(userID: try TestPeople.bobID(app), role: .mentee, capacity: nil, statement: "")], in: id, selfJoined: false, by: nil, on: app.db)
                let stale = try await admin.post("\(base)/1/publish")
                #expect(stale.status == .conflict && stale.text.contains("Participants (or their rankings) changed after this run was made"))
                #expect(try await Mentorship.query(on: app.db).count() == 0)
                #expect(try await Program.find(id, on: app.db)?.programState == .matching)

                // Two locks to a mentor of capacity one (stored directly, as a lock made before the
                // mentor's capacity was lowered): the run fails with the engine's reason in names.
                for mentee in mentees.prefix(2) {
                    try await MatchDecision(programID: id, menteeID: try mentee.requireID(), mentorID: try mentors[0].requireID(), kind: .lock, createdBy: nil).create(on: app.db)
                }
                #expect(try await admin.post(base).status == .seeOther)
                try await JobQueue.drain(app: app)
                let failed = try await admin.get("\(base)/2")
                #expect(failed.text.contains("This run failed; nothing was changed") && failed.text.contains("Mentor 0 has more locked mentees than their capacity"))
                #expect(try await MatchRun.query(on: app.db).filter(\.$number == 2).first()?.runState == .failed)
                #expect(try await admin.post("\(base)/2/publish").status == .conflict)
            }
        }

        @Test func `a run's stored rows are the engine's pairs and reasons exactly, whatever the text`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                let (id, mentors, mentees) = try await Self.cohort(app, admin: &admin, mentors: 3, mentees: 6)
                // Text that a bulk writer must escape or pass through untouched: COPY's escapes
                // and NULL marker, quotes, SQL, non-ASCII.
                let awkward = [#"R\D \N "quoted" 'it''s'"#, "Ünïcødé 部门 \\", #"x'); DROP TABLE users; --"#]
                for (index, person) in (mentors + mentees).enumerated() {
                    var (draft, _) = try await PeopleStore.draft(for: person, on: app.db)
                    draft.department = awkward[index % awkward.count] + " \(index)"
                    draft.name = index % 2 == 0 ? #"Zoë\N\\ Back"# + " \(index)" : person.name
                    try await PeopleStore.save(draft.normalized(), manager: nil, for: try person.requireID(), on: app.db)
                }
                #expect(try await admin.post("/admin/programs/\(id)/runs").status == .seeOther)
                try await JobQueue.drain(app: app)
                let run = try #require(try await MatchRun.query(on: app.db).filter(\.$programID == id).first())
                #expect(run.runState == .done)
                let program = try #require(try await ProgramStore.find(id, on: app.db))
                let input = try await ProgramMatching.input(for: program, on: app.db)
                let engine = try MatchEngine(participants: input.participants, options: input.options)
                let rows = try await PlainRows.all("""
                    SELECT position, mentee_id, mentor_id, score, locked, mentee_department, mentor_department, reasons
                    FROM match_run_pairs WHERE run_id = \(bind: try run.requireID()) ORDER BY position
                    """, on: app.db)
                #expect(rows.count == 6)
                var matched = 0
                for (position, row) in rows.enumerated() {
                    #expect(try row.int("position") == position)
                    let mentee = try row.uuid("mentee_id").uuidString
                    #expect(try row.string("mentee_department") == input.departments[mentee])
                    if let mentor = try row.optionalUUID("mentor_id")?.uuidString {
                        matched += 1
                        let explanation = try engine.explain(menteeID: mentee, mentorID: mentor)
                        #expect(try row.string("reasons") == ProgramMatching.reasons(explanation))
                        #expect(try row.string("mentor_department") == input.departments[mentor])
                        #expect(Int64(try row.int("score")) == explanation.score)
                        #expect(try row.string("reasons").contains(#"Zoë\N\\"#) || !(try row.string("reasons").contains("Zoë")))
                    } else {
                        #expect(try row.string("mentor_department") == "" && (try row.int("score")) == -1)
                    }
                }
                #expect(matched == 3)
                // The result page shows the text as text.
                let page = try await admin.get("/admin/programs/\(id)/runs/1")
                #expect(page.text.contains(#"Zoë\N\\ Back"#) && page.text.contains("DROP TABLE users") && !page.text.contains("'it''s'\""))
                #expect(try await User.query(on: app.db).count() > 0)
            }
        }

        @Test func `a proposal made a part at a time is every pair best first, then every unmatched mentee, whatever the part size`() throws {
            let population = SyntheticPopulation.make(mentees: 300, mentors: 40, seed: 5)
            let engine = try MatchEngine(participants: population, options: MatchOptions())
            let result = try engine.optimal()
            #expect(!result.unmatched.isEmpty && !result.pairs.isEmpty)
            let input = ProgramMatching.Input(
                participants: population, options: MatchOptions(), names: [:],
                departments: Dictionary(uniqueKeysWithValues: population.map { ($0.id, $0.department) })
            )
            func all(_ size: Int) throws -> [ProgramMatching.PairRow] {
                let proposal = ProgramMatching.Proposal(result: result, input: input, partSize: size)
                return try (0..<proposal.parts).flatMap { try proposal.rows(part: $0, engine: engine) }
            }
            let whole = try all(1_000_000)
            #expect(whole.count == result.pairs.count + result.unmatched.count)
            #expect(Set(whole.map(\.mentee)).count == whole.count, "one row a mentee")
            let scores = whole.prefix(result.pairs.count).map(\.score)
            #expect(scores == scores.sorted(by: >) && whole.dropFirst(result.pairs.count).allSatisfy { $0.mentor == nil && $0.score == -1 })
            for size in [1, 7, result.pairs.count, result.pairs.count - 1] {
                let parts = try all(size)
                #expect(parts.map(\.mentee) == whole.map(\.mentee) && parts.map(\.reasons) == whole.map(\.reasons), "part size \(size)")
            }
        }

        @Test func `of many instances claiming one job at once, exactly one gets it`() async throws {
            try await withTrellis { app in
                let job = try await JobQueue.enqueue("test-kind", subject: UUID(), on: app.db)
                let claims = try await withThrowingTaskGroup(of: String?.self) { group in
                    for instance in 0..<12 {
                        group.addTask { try await JobQueue.claim(instance: "instance-\(instance)", on: app.db)?.claimedBy }
                    }
                    return try await group.reduce(into: [String]()) { if let claimed = $1 { $0.append(claimed) } }
                }
                #expect(claims.count == 1)
                let stored = try #require(try await Job.find(job.requireID(), on: app.db))
                #expect(stored.jobState == .running && stored.claimedBy == claims.first && stored.attempts == 1)
                // A job whose server stopped beating is queued again, then given up after three tries.
                for attempt in 1...3 {
                    try await Job.query(on: app.db).filter(\.$id == job.requireID()).set(\.$heartbeatAt, to: Date().addingTimeInterval(-3600)).update()
                    let again = try await JobQueue.claim(instance: "late-\(attempt)", on: app.db)
                    if attempt < 3 {
                        #expect(again?.attempts == attempt + 1, "attempt \(attempt)")
                    } else {
                        #expect(again == nil)
                        #expect(try await Job.find(job.requireID(), on: app.db)?.jobState == .failed)
                    }
                }
            }
        }
    }
}

extension TestPeople {
    static func bobID(_ app: Application) async throws -> UUID {
        try #require(try await User.query(on: app.db).filter(\.$email == bob).first()).requireID()
    }
}
