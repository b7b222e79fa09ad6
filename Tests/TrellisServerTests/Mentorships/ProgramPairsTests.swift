import Fluent
import Foundation
import Testing
@testable import TrellisServer
import TrellisCore
import VaporTesting

extension ServerTests {
    /// A program's pairs for its managers: counts, dates and flags from the workspace, never its
    /// words, on the page and in the API, a page at a time.
    @Suite struct ProgramPairsNumbers {
        static let day: TimeInterval = 86_400

        /// Alice and Bob's workspace, 40 days in: an agreement both signed, two meetings held and
        /// one ahead, a goal reached of two with a milestone, an overdue action item, feedback and
        /// thanks, a private note and a journal entry. Every text is distinctive, to look for leaks.
        static func busyPair(_ app: Application, _ f: WorkspaceFixture) async throws -> [String] {
            let now = Date()
            let mentee = try await Pairs.view(f.mentorship, for: f.alice, on: app.db)
            let mentor = try await Pairs.view(f.mentorship, for: f.bob, on: app.db)
            var terms = try await Agreements.starting(mentee, on: app.db)
            terms.boundaries = "SECRET-BOUNDARY no calls on Sundays"
            let written = try await Agreements.write(terms, basedOn: nil, pair: mentee, now: now.addingTimeInterval(-38 * day), on: app.db)
            guard case .version(let number) = written else { Issue.record("no version written"); return [] }
            _ = try await Agreements.sign(number, pair: mentee, now: now.addingTimeInterval(-38 * day), on: app.db)
            _ = try await Agreements.sign(number, pair: mentor, now: now.addingTimeInterval(-37 * day), on: app.db)
            for daysAgo in [30, 16] {
                let then = now.addingTimeInterval(-Double(daysAgo + 2) * day)
                let start = now.addingTimeInterval(-Double(daysAgo) * day)
                let time = MeetingTime(startsAt: start, endsAt: start.addingTimeInterval(3600), timeZone: "UTC", place: "SECRET-PLACE Room 9")
                let meeting = try await Meetings.propose(time, pair: mentee, now: then, on: app.db)
                _ = try await Meetings.act(.accept, on: try meeting.requireID(), pair: mentor, now: then, on: app.db)
                try await Meetings.addAgendaItem("SECRET-AGENDA promotion worries", kind: .topic, to: try meeting.requireID(), pair: mentee, now: then, on: app.db)
                try await Meetings.addNote("SECRET-PRIVATE I felt small", isPrivate: true, to: try meeting.requireID(), pair: mentee, sealing: app.noteSealing, now: start, on: app.db)
            }
            let ahead = now.addingTimeInterval(5 * day)
            let next = try await Meetings.propose(MeetingTime(startsAt: ahead, endsAt: ahead.addingTimeInterval(3600), timeZone: "UTC", place: ""), pair: mentor, now: now, on: app.db)
            _ = try await Meetings.act(.accept, on: try next.requireID(), pair: mentee, on: app.db)
            let reached = try await Goals.create(title: "SECRET-GOAL speak at all-hands", description: "", term: "short", targetOn: "", owner: "mentee", pair: mentee, on: app.db)
            try await Goals.addMilestone("SECRET-MILESTONE first draft", to: reached.id, pair: mentee, on: app.db)
            let milestone = try #require(try await MilestoneRecord.query(on: app.db).first())
            try await Goals.reachMilestone(milestone.id, of: reached.id, pair: mentee, on: app.db)
            try await Goals.reachGoal(reached.id, pair: mentee, on: app.db)
            _ = try await Goals.create(title: "SECRET-GOAL2 lead a team", description: "", term: "long", targetOn: "", owner: "mentee", pair: mentee, on: app.db)
            let item = try await Meetings.addActionItem("SECRET-ITEM send the deck", owner: f.bob, due: "", meeting: nil, pair: mentee, on: app.db)
            item.dueOn = WorkspaceFixture.day(-3)
            try await item.update(on: app.db)
            try await Meetings.addActionItem("SECRET-ITEM2 read the book", owner: f.alice, due: "", meeting: nil, pair: mentor, on: app.db)
            try await Reflections.send(kind: .feedback, worked: "SECRET-WORKED listening", better: "SECRET-BETTER time keeping", message: "", pair: mentee, on: app.db)
            try await Reflections.send(kind: .thanks, worked: "", better: "", message: "SECRET-THANKS you were great", pair: mentor, on: app.db)
            try await Reflections.write("SECRET-JOURNAL I learned to ask", prompt: Journal.prompts[0].key, pair: mentee, sealing: app.noteSealing, on: app.db)
            return ["SECRET-BOUNDARY", "SECRET-PLACE", "SECRET-AGENDA", "SECRET-PRIVATE", "SECRET-GOAL", "SECRET-MILESTONE", "SECRET-ITEM", "SECRET-WORKED", "SECRET-BETTER", "SECRET-THANKS", "SECRET-JOURNAL"]
        }

        @Test func `the manager reads each pair's numbers and flags, and not one word the pair wrote`() async throws {
            try await withTrellis { app in
                let f = try await WorkspaceFixture.make(app, startedDaysAgo: 40)
                let secrets = try await Self.busyPair(app, f)
                let program = try #require(try await Program.find(f.program, on: app.db))
                program.state = ProgramState.active.rawValue
                try await program.update(on: app.db)

                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                #expect(try await admin.get("/programs/\(f.program)").text.contains("/admin/programs/\(f.program)/pairs"), "the program page links to its pairs")
                let page = try await admin.get("/admin/programs/\(f.program)/pairs")
                #expect(page.status == .ok)
                let html = page.text
                for secret in secrets { #expect(!html.contains(secret), "\(secret) leaked to the manager's page") }
                #expect(html.contains("Signed by both") && html.contains("version 1"))
                #expect(html.contains("2 held"))
                #expect(html.contains("1 of 2 reached") && html.contains("1 of 1 milestones"))
                #expect(html.contains("2 open") && html.contains("1 overdue"))
                #expect(html.contains("1 feedback<br>1 thanks"))
                #expect(html.contains(HTML.escape(PairNumbers.Flag.overdueActionItems.label)))
                // Carol and Dave started 40 days ago too and did nothing: every flag but the overdue items.
                for flag: PairNumbers.Flag in [.agreementNotSigned, .noMeetingYet, .quiet] { #expect(html.contains(HTML.escape(flag.label)), "\(flag)") }
                #expect(html.contains("Not written"))

                let token = try await ServerTests.API.token(for: TestPeople.admin, app: app)
                let api = try await ServerTests.ProgramsAPI.call(app, .GET, "/api/v1/programs/\(f.program)/pairs", token, nil)
                #expect(api.status == .ok)
                for secret in secrets { #expect(!api.text.contains(secret), "\(secret) leaked to the API") }
                let items = try #require((api.json as? [String: Any])?["items"] as? [[String: Any]])
                let busy = try #require(items.first { $0["mentorship_id"] as? String == f.mentorship.uuidString })
                #expect((busy["agreement"] as? [String: Any])?["status"] as? String == "signed")
                #expect((busy["agreement"] as? [String: Any])?["written_at"] is String)
                #expect(busy["meetings_held"] as? Int == 2 && busy["goals_reached"] as? Int == 1 && busy["overdue_action_items"] as? Int == 1)
                #expect(busy["next_meeting"] is String && busy["thanks_sent"] as? Int == 1)
                #expect(busy["flags"] as? [String] == ["overdue-action-items"])
                let quiet = try #require(items.first { $0["mentorship_id"] as? String == f.otherMentorship.uuidString })
                #expect(quiet["flags"] as? [String] == ["agreement-not-signed", "no-meeting-yet", "quiet"])
                #expect(quiet["last_activity"] is NSNull && (quiet["agreement"] as? [String: Any])?["status"] as? String == "not-written")
                #expect((quiet["agreement"] as? [String: Any])?["written_at"] is NSNull)

                // Participants get the refusal, and the pair's own workspace stays closed to the manager.
                var alice = try await f.browser(app, TestPeople.alice)
                #expect(try await alice.get("/admin/programs/\(f.program)/pairs").status == .forbidden)
                #expect(try await admin.get(f.path).status == .notFound)
            }
        }

        @Test func `activity is what the pair can see of each other, an agreement change has its own time, and a proposal is not the next meeting`() async throws {
            try await withTrellis { app in
                let f = try await WorkspaceFixture.make(app, startedDaysAgo: 60)
                let program = try #require(try await Program.find(f.program, on: app.db))
                let mentee = try await Pairs.view(f.mentorship, for: f.alice, on: app.db)
                let mentor = try await Pairs.view(f.mentorship, for: f.bob, on: app.db)
                func numbers() async throws -> ProgramPairs.Row {
                    let page = try await ProgramPairs.page(program: program, after: nil, before: nil, today: WorkspaceFixture.today, on: app.db)
                    return try #require(page.rows.first { $0.mentorshipID == f.mentorship })
                }
                let day = Self.day
                let now = Date()
                // Version 1 signed by both 50 days ago; version 2 written 3 days ago waits: no flag yet.
                let terms = try await Agreements.starting(mentee, on: app.db)
                _ = try await Agreements.write(terms, basedOn: nil, pair: mentee, now: now.addingTimeInterval(-50 * day), on: app.db)
                _ = try await Agreements.sign(1, pair: mentee, now: now.addingTimeInterval(-50 * day), on: app.db)
                _ = try await Agreements.sign(1, pair: mentor, now: now.addingTimeInterval(-50 * day), on: app.db)
                var changed = terms
                changed.boundaries = "Evenings are free."
                _ = try await Agreements.write(changed, basedOn: 1, pair: mentor, now: now.addingTimeInterval(-3 * day), on: app.db)
                var row = try await numbers()
                #expect(!row.flags.contains(.agreementNotSigned), "a change written three days ago is not late")
                guard case .waiting(2, _, .some) = row.numbers.agreement else { Issue.record("\(row.numbers.agreement)"); return }

                // Only a proposal ahead: not the next meeting.
                let start = now.addingTimeInterval(3 * day)
                let proposal = try await Meetings.propose(MeetingTime(startsAt: start, endsAt: start.addingTimeInterval(3600), timeZone: "UTC", place: ""), pair: mentee, on: app.db)
                row = try await numbers()
                #expect(row.numbers.nextMeeting == nil)
                _ = try await Meetings.act(.accept, on: try proposal.requireID(), pair: mentor, on: app.db)
                row = try await numbers()
                #expect(row.numbers.nextMeeting.map { abs($0.timeIntervalSince(start)) < 1 } == true)

                // Each shared action moves the last activity; a private note or a journal entry does not.
                func lastActivity() async throws -> Date { try #require(try await numbers().numbers.lastActivity) }
                var before = try await lastActivity()
                for (what, act) in [
                    ("agenda item", { try await Meetings.addAgendaItem("Questions", kind: .question, to: try proposal.requireID(), pair: mentor, on: app.db) }),
                    ("shared note", { try await Meetings.addNote("Bring the draft", isPrivate: false, to: try proposal.requireID(), pair: mentor, sealing: app.noteSealing, on: app.db) }),
                    ("action item", { _ = try await Meetings.addActionItem("Read the book", owner: f.alice, due: "", meeting: nil, pair: mentor, on: app.db) }),
                ] as [(String, () async throws -> Void)] {
                    try await Task.sleep(for: .milliseconds(20))
                    try await act()
                    let after = try await lastActivity()
                    #expect(after > before, "\(what) is activity")
                    before = after
                }
                for (what, act) in [
                    ("private note", { try await Meetings.addNote("Nervous", isPrivate: true, to: try proposal.requireID(), pair: mentor, sealing: app.noteSealing, on: app.db) }),
                    ("journal entry", { try await Reflections.write("I learned", prompt: Journal.prompts[0].key, pair: mentor, sealing: app.noteSealing, on: app.db) }),
                ] as [(String, () async throws -> Void)] {
                    try await Task.sleep(for: .milliseconds(20))
                    try await act()
                    #expect(try await lastActivity() == before, "a \(what) is its author's own, even its time")
                }
            }
        }

        @Test func `pairs come fifty to a page, every pair once, forwards and back`() async throws {
            try await withTrellis { app in
                let f = try await WorkspaceFixture.make(app)
                let hash = try Bcrypt.hash(TestPeople.password, cost: 4)
                for index in 0..<60 {
                    let mentor = try await PeopleStore.createPerson(email: "mentor\(index)@example.org", name: "Mentor \(index)", role: .participant, passwordHash: hash, on: app.db).requireID()
                    let mentee = try await PeopleStore.createPerson(email: "mentee\(index)@example.org", name: "Mentee \(index)", role: .participant, passwordHash: hash, on: app.db).requireID()
                    let mentorship = Mentorship()
                    mentorship.id = OrderedUUID.make(now: Date())
                    mentorship.programID = f.program; mentorship.mentorID = mentor; mentorship.menteeID = mentee
                    mentorship.state = MentorshipState.active.rawValue; mentorship.startedOn = WorkspaceFixture.day(0); mentorship.createdAt = Date()
                    try await mentorship.create(on: app.db)
                }
                let token = try await ServerTests.API.token(for: TestPeople.admin, app: app)
                var seen: [String] = []
                var after: String?
                repeat {
                    let answer = try await ServerTests.ProgramsAPI.call(app, .GET, "/api/v1/programs/\(f.program)/pairs\(after.map { "?after=\($0)" } ?? "")", token, nil)
                    let json = try #require(answer.json as? [String: Any])
                    let items = try #require(json["items"] as? [[String: Any]])
                    #expect(items.count <= ProgramPairs.pageSize)
                    seen += items.compactMap { $0["mentorship_id"] as? String }
                    after = json["next_after"] as? String
                } while after != nil
                #expect(seen.count == 62 && Set(seen).count == 62, "all 62 pairs, each once")

                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                let first = try await admin.get("/admin/programs/\(f.program)/pairs").text
                #expect(first.contains("rel=\"next\"") && !first.contains("rel=\"prev\""))
                let second = try await admin.get("/admin/programs/\(f.program)/pairs?after=\(seen[49])").text
                #expect(second.contains("rel=\"prev\"") && !second.contains("rel=\"next\""))
                let back = try await admin.get("/admin/programs/\(f.program)/pairs?before=\(seen[50])").text
                #expect(back.contains("rel=\"next\"") && !back.contains("rel=\"prev\""))
                #expect(try await admin.get("/admin/programs/\(f.program)/pairs?after=garbage").status == .ok, "a bad cursor reads the first page")
                let beyond = try await admin.get("/admin/programs/\(f.program)/pairs?after=FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF").text
                #expect(beyond.contains("No pairs on this page.") && beyond.contains("Back to the first page") && !beyond.contains("No pairs yet"))
            }
        }
    }
}
