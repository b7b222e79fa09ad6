import Fluent
import Foundation
import Testing
@testable import TrellisServer
import TrellisCore
import VaporTesting

extension ServerTests {
    /// Who may reach a mentorship's workspace, page by page and operation by operation: its
    /// mentee and mentor; not a stranger, not a participant of another mentorship, not a program
    /// manager (numbers, never content). Every workspace route of the web app and the API must be
    /// here, and no answer to anyone else may carry the pair's words.
    @Suite struct WorkspaceAccess {
        enum Visitor: String, CaseIterable { case anonymous, mentee, mentor, otherPair, admin }

        struct Case: CustomStringConvertible {
            var method: HTTPMethod
            var path: String
            var form: [(String, String)] = []
            var json: [String: Any]? = nil
            var expect: [Visitor: HTTPStatus]
            var description: String { "\(method) \(path)" }
        }

        /// Words only the pair wrote: no answer to anyone else may contain them.
        static let secret = "Confide-7Q: the reorganisation worries me"
        /// Words of the mentee's private note: only she may ever read them.
        static let privateWords = "Private-9Z: I might apply elsewhere"

        static func apiTime(days: Int) -> [String: Any] {
            ["starts_at": ServerTests.MeetingFlow.at(days: days, hour: 9), "ends_at": ServerTests.MeetingFlow.at(days: days, hour: 10), "time_zone": "UTC"]
        }

        /// The pair's own answers, and the 404 everyone else gets (a program manager included).
        static func pairOnly(_ mine: HTTPStatus, anonymous: HTTPStatus = .seeOther) -> [Visitor: HTTPStatus] {
            [.anonymous: anonymous, .mentee: mine, .mentor: mine, .otherPair: .notFound, .admin: .notFound]
        }

        @Test func `every workspace route answers each kind of visitor as it should, and leaks nothing`() async throws {
            try await withTrellis { app in
                let f = try await WorkspaceFixture.make(app)
                // Version 1, written by the mentee with the words only the pair may read.
                var writer = try await f.browser(app, TestPeople.alice)
                #expect(try await writer.post("\(f.path)/agreement", WorkspaceFixture.form(basedOn: nil, goals: Self.secret)).status == .seeOther)
                let emails: [Visitor: String] = [.mentee: TestPeople.alice, .mentor: TestPeople.bob, .otherPair: WorkspaceFixture.carol, .admin: TestPeople.admin]
                var browsers: [Visitor: Browser] = [.anonymous: Browser(app)]
                var tokens: [Visitor: String] = [:]
                for (visitor, email) in emails {
                    browsers[visitor] = try await f.browser(app, email)
                    tokens[visitor] = try await ServerTests.API.token(for: email, app: app)
                }
                let p = f.path
                let form = WorkspaceFixture.form(basedOn: 1, goals: Self.secret)
                // A meeting the mentee proposed, with the pair's words on its agenda and in a
                // private note of hers, and an action item.
                let menteeView = try await Pairs.view(f.mentorship, for: f.alice, on: app.db)
                let time = try MeetingRules.time(startsAt: ServerTests.MeetingFlow.at(days: 3, hour: 10), endsAt: ServerTests.MeetingFlow.at(days: 3, hour: 11), timeZone: "UTC", place: "", now: Date()).get()
                let meeting = try await Meetings.propose(time, pair: menteeView, on: app.db).requireID()
                try await Meetings.addAgendaItem(Self.secret, kind: .topic, to: meeting, pair: menteeView, on: app.db)
                try await Meetings.addNote(Self.privateWords, isPrivate: true, to: meeting, pair: menteeView, sealing: app.noteSealing, on: app.db)
                try await Meetings.addActionItem("Read the chapter", owner: f.alice, due: "", meeting: meeting, pair: menteeView, on: app.db)
                let item = try #require(try await ActionItemRecord.query(on: app.db).first()).requireID()
                let m = "\(p)/meetings/\(meeting)"
                // A goal of hers with a milestone.
                let goal = try await Goals.create(title: Self.secret, description: "", term: "short", targetOn: "", owner: "mentee", pair: menteeView, on: app.db).requireID()
                try await Goals.addMilestone("First step", to: goal, pair: menteeView, on: app.db)
                let milestone = try #require(try await MilestoneRecord.query(on: app.db).first()).requireID()
                let g = "\(p)/goals/\(goal)"
                // Two goals to remove, one through the web and one through the API.
                let spare = try await Goals.create(title: "Spare", description: "", term: "short", targetOn: "", owner: "mentee", pair: menteeView, on: app.db).requireID()
                let spareToo = try await Goals.create(title: "Spare too", description: "", term: "short", targetOn: "", owner: "mentee", pair: menteeView, on: app.db).requireID()
                let move = ServerTests.MeetingFlow.timeForm(days: 5)
                let webCases: [Case] = [
                    Case(method: .GET, path: p, expect: Self.pairOnly(.ok)),
                    Case(method: .GET, path: "\(p)/agreement", expect: Self.pairOnly(.ok)),
                    Case(method: .GET, path: "\(p)/agreement/edit", expect: Self.pairOnly(.ok)),
                    Case(method: .GET, path: "\(p)/agreement/versions/1", expect: Self.pairOnly(.ok)),
                    Case(method: .GET, path: "\(p)/agreement/changes?from=1&to=1", expect: Self.pairOnly(.ok)),
                    // Unchanged text changes nothing: each of the pair gets the agreement back.
                    Case(method: .POST, path: "\(p)/agreement", form: form, expect: Self.pairOnly(.seeOther, anonymous: .unauthorized)),
                    Case(method: .POST, path: "\(p)/agreement/sign", form: [("version", "1")], expect: Self.pairOnly(.seeOther, anonymous: .unauthorized)),
                    Case(method: .GET, path: "\(p)/meetings", expect: Self.pairOnly(.ok)),
                    Case(method: .GET, path: "\(p)/meetings/new", expect: Self.pairOnly(.ok)),
                    Case(method: .GET, path: m, expect: Self.pairOnly(.ok)),
                    Case(method: .GET, path: "\(m)/calendar.ics", expect: Self.pairOnly(.ok)),
                    Case(method: .POST, path: "\(p)/meetings", form: ServerTests.MeetingFlow.timeForm(days: 4), expect: Self.pairOnly(.seeOther, anonymous: .unauthorized)),
                    // She proposed it: she cannot accept it; he can.
                    Case(method: .POST, path: "\(m)/accept", expect: [.anonymous: .unauthorized, .otherPair: .notFound, .admin: .notFound, .mentee: .conflict, .mentor: .seeOther]),
                    Case(method: .POST, path: "\(m)/agenda", form: [("kind", "topic"), ("text", Self.secret)], expect: Self.pairOnly(.seeOther, anonymous: .unauthorized)),
                    Case(method: .POST, path: "\(m)/notes", form: [("note", Self.secret), ("visibility", "shared")], expect: Self.pairOnly(.seeOther, anonymous: .unauthorized)),
                    Case(method: .POST, path: "\(p)/action-items", form: [("item_text", Self.secret), ("owner_id", f.alice.uuidString), ("meeting_id", meeting.uuidString)], expect: Self.pairOnly(.seeOther, anonymous: .unauthorized)),
                    Case(method: .POST, path: "\(p)/action-items/\(item)/done", form: [("done", "1")], expect: Self.pairOnly(.seeOther, anonymous: .unauthorized)),
                    // She moves it; the same time again from him is refused.
                    Case(method: .POST, path: "\(m)/time", form: move, expect: [.anonymous: .unauthorized, .otherPair: .notFound, .admin: .notFound, .mentee: .seeOther, .mentor: .conflict]),
                    Case(method: .POST, path: "\(m)/cancel", form: [("reason", "Travelling")], expect: [.anonymous: .unauthorized, .otherPair: .notFound, .admin: .notFound, .mentee: .seeOther, .mentor: .conflict]),
                    Case(method: .GET, path: "\(p)/goals", expect: Self.pairOnly(.ok)),
                    Case(method: .GET, path: g, expect: Self.pairOnly(.ok)),
                    Case(method: .POST, path: "\(p)/goals", form: [("title", "Another"), ("term", "short"), ("owner", "mentee")], expect: Self.pairOnly(.seeOther, anonymous: .unauthorized)),
                    Case(method: .POST, path: "\(g)/milestones", form: [("milestone", "Second step")], expect: Self.pairOnly(.seeOther, anonymous: .unauthorized)),
                    // Reached once: the mentee first, then the mentor finds it reached.
                    Case(method: .POST, path: "\(g)/milestones/\(milestone)/reached", expect: [.anonymous: .unauthorized, .otherPair: .notFound, .admin: .notFound, .mentee: .seeOther, .mentor: .conflict]),
                    // From the other person only (the goal is the mentee's), once for each thing reached.
                    Case(method: .POST, path: "\(g)/congratulations", form: [("congratulation", Self.secret)], expect: [.anonymous: .unauthorized, .otherPair: .notFound, .admin: .notFound, .mentee: .conflict, .mentor: .seeOther]),
                    Case(method: .POST, path: "\(g)/reached", expect: [.anonymous: .unauthorized, .otherPair: .notFound, .admin: .notFound, .mentee: .seeOther, .mentor: .conflict]),
                    Case(method: .POST, path: "\(g)/edit", form: [("title", Self.secret), ("description", ""), ("term", "long"), ("target_on", "")], expect: Self.pairOnly(.seeOther, anonymous: .unauthorized)),
                    // Removed by the mentee; gone when the mentor tries.
                    Case(method: .POST, path: "\(p)/goals/\(spare)/delete", expect: [.anonymous: .unauthorized, .otherPair: .notFound, .admin: .notFound, .mentee: .seeOther, .mentor: .notFound]),
                    Case(method: .GET, path: "\(p)/feedback", expect: Self.pairOnly(.ok)),
                    Case(method: .POST, path: "\(p)/feedback", form: [("kind", "thanks"), ("message", Self.secret)], expect: Self.pairOnly(.seeOther, anonymous: .unauthorized)),
                    Case(method: .GET, path: "\(p)/journal", expect: Self.pairOnly(.ok)),
                    Case(method: .POST, path: "\(p)/journal", form: [("prompt", "growth"), ("entry", Self.privateWords)], expect: [.anonymous: .unauthorized, .otherPair: .notFound, .admin: .notFound, .mentee: .seeOther, .mentor: .seeOther]),
                    // A mentorship that does not exist answers exactly as another pair's.
                    Case(method: .GET, path: "/mentorships/\(UUID())/agreement", expect: [.anonymous: .seeOther, .mentee: .notFound, .mentor: .notFound, .otherPair: .notFound, .admin: .notFound]),
                ]
                let api = "/api/v1\(p)/agreement"
                let apiCases: [Case] = [
                    Case(method: .GET, path: api, expect: Self.pairOnly(.ok, anonymous: .unauthorized)),
                    Case(method: .POST, path: "\(api)/versions", json: ["based_on": 1, "mentee_goals": Self.secret], expect: Self.pairOnly(.ok, anonymous: .unauthorized)),
                    Case(method: .GET, path: "\(api)/versions/1", expect: Self.pairOnly(.ok, anonymous: .unauthorized)),
                    // Both signed version 1 through the web cases above (the API's signing is in AgreementAPITests).
                    Case(method: .POST, path: "\(api)/versions/1/sign", expect: Self.pairOnly(.conflict, anonymous: .unauthorized)),
                    Case(method: .GET, path: "/api/v1\(p)/meetings", expect: Self.pairOnly(.ok, anonymous: .unauthorized)),
                    Case(method: .POST, path: "/api/v1\(p)/meetings", json: Self.apiTime(days: 6), expect: Self.pairOnly(.created, anonymous: .unauthorized)),
                    Case(method: .GET, path: "/api/v1\(m)", expect: Self.pairOnly(.ok, anonymous: .unauthorized)),
                    // The web cases above cancelled this meeting: the pair get 409 for every change.
                    Case(method: .POST, path: "/api/v1\(m)/accept", expect: Self.pairOnly(.conflict, anonymous: .unauthorized)),
                    Case(method: .POST, path: "/api/v1\(m)/time", json: Self.apiTime(days: 7), expect: Self.pairOnly(.conflict, anonymous: .unauthorized)),
                    Case(method: .POST, path: "/api/v1\(m)/cancel", json: ["reason": "Again"], expect: Self.pairOnly(.conflict, anonymous: .unauthorized)),
                    Case(method: .POST, path: "/api/v1\(m)/agenda", json: ["text": Self.secret], expect: Self.pairOnly(.conflict, anonymous: .unauthorized)),
                    Case(method: .POST, path: "/api/v1\(m)/notes", json: ["text": Self.secret, "private": false], expect: Self.pairOnly(.conflict, anonymous: .unauthorized)),
                    Case(method: .GET, path: "/api/v1\(p)/action-items", expect: Self.pairOnly(.ok, anonymous: .unauthorized)),
                    Case(method: .POST, path: "/api/v1\(p)/action-items", json: ["text": Self.secret, "owner_id": f.bob.uuidString], expect: Self.pairOnly(.created, anonymous: .unauthorized)),
                    Case(method: .POST, path: "/api/v1\(p)/action-items/\(item)/done", json: ["done": false], expect: Self.pairOnly(.ok, anonymous: .unauthorized)),
                    Case(method: .GET, path: "/api/v1\(p)/goals", expect: Self.pairOnly(.ok, anonymous: .unauthorized)),
                    Case(method: .POST, path: "/api/v1\(p)/goals", json: ["title": Self.secret], expect: Self.pairOnly(.created, anonymous: .unauthorized)),
                    Case(method: .POST, path: "/api/v1\(g)/milestones", json: ["title": "Third step"], expect: Self.pairOnly(.created, anonymous: .unauthorized)),
                    // Reached through the web cases above: 409 for both now.
                    Case(method: .POST, path: "/api/v1\(g)/milestones/\(milestone)/reached", expect: Self.pairOnly(.conflict, anonymous: .unauthorized)),
                    Case(method: .POST, path: "/api/v1\(g)/reached", expect: Self.pairOnly(.conflict, anonymous: .unauthorized)),
                    // The goal was congratulated through the web; its reached milestone not yet.
                    Case(method: .POST, path: "/api/v1\(g)/congratulations", json: ["text": Self.secret, "milestone_id": milestone.uuidString], expect: [.anonymous: .unauthorized, .otherPair: .notFound, .admin: .notFound, .mentee: .conflict, .mentor: .created]),
                    Case(method: .GET, path: "/api/v1\(g)/congratulations", expect: Self.pairOnly(.ok, anonymous: .unauthorized)),
                    Case(method: .GET, path: "/api/v1\(g)", expect: Self.pairOnly(.ok, anonymous: .unauthorized)),
                    Case(method: .PATCH, path: "/api/v1\(g)", json: ["title": Self.secret], expect: Self.pairOnly(.ok, anonymous: .unauthorized)),
                    Case(method: .DELETE, path: "/api/v1\(p)/goals/\(spareToo)", expect: [.anonymous: .unauthorized, .otherPair: .notFound, .admin: .notFound, .mentee: .ok, .mentor: .notFound]),
                    Case(method: .GET, path: "/api/v1\(p)/feedback", expect: Self.pairOnly(.ok, anonymous: .unauthorized)),
                    Case(method: .POST, path: "/api/v1\(p)/feedback", json: ["kind": "thanks", "message": Self.secret], expect: Self.pairOnly(.created, anonymous: .unauthorized)),
                    Case(method: .GET, path: "/api/v1\(p)/journal", expect: Self.pairOnly(.ok, anonymous: .unauthorized)),
                    Case(method: .POST, path: "/api/v1\(p)/journal", json: ["prompt": "growth", "text": "Mine alone"], expect: Self.pairOnly(.created, anonymous: .unauthorized)),
                    // Everyone's own feed.
                    Case(method: .POST, path: "/api/v1/me/calendar-feed", expect: [.anonymous: .unauthorized, .mentee: .created, .mentor: .created, .otherPair: .created, .admin: .created]),
                    Case(method: .POST, path: "/api/v1/me/calendar-feed/revoke", expect: [.anonymous: .unauthorized, .mentee: .ok, .mentor: .ok, .otherPair: .ok, .admin: .ok]),
                ]
                // Every workspace route is in one of the lists above.
                for route in app.routes.all {
                    let segments = route.path.map { component -> String in
                        if case .constant(let text) = component { return text }
                        return ":"
                    }
                    let isWeb = segments.first == "mentorships" && segments.count > 2
                    let isAPI = segments.starts(with: ["api", "v1", "mentorships"]) && segments.count > 4 || segments.starts(with: ["api", "v1", "me", "calendar-feed"])
                    guard isWeb || isAPI else { continue }
                    let covered = (isWeb ? webCases : apiCases).contains { testCase in
                        guard testCase.method == route.method else { return false }
                        let parts = (testCase.path.split(separator: "?").first ?? "").split(separator: "/").map(String.init)
                        return parts.count == segments.count && zip(parts, segments).allSatisfy { $1 == ":" || $0 == $1 }
                    }
                    #expect(covered, "\(route.method) /\(segments.joined(separator: "/")) is not in the workspace authorization matrix")
                }
                // Each visitor in turn: strangers first, so the pair's own writes come after.
                for testCase in webCases {
                    for visitor in [Visitor.anonymous, .otherPair, .admin, .mentee, .mentor] {
                        guard let expected = testCase.expect[visitor] else { continue }
                        var browser = browsers[visitor]!
                        let response = testCase.method == .GET ? try await browser.get(testCase.path) : try await browser.post(testCase.path, testCase.form)
                        browsers[visitor] = browser
                        #expect(response.status == expected, "\(testCase) as \(visitor): got \(response.status.code)")
                        if visitor != .mentee, visitor != .mentor {
                            #expect(!response.text.contains(Self.secret), "\(testCase) as \(visitor) shows the pair's words")
                            #expect(!response.text.contains("Alice Ahmed"), "\(testCase) as \(visitor) names the pair")
                        }
                        if visitor != .mentee {
                            #expect(!response.text.contains(Self.privateWords), "\(testCase) as \(visitor) shows the mentee's private note")
                        }
                    }
                }
                for testCase in apiCases {
                    for visitor in [Visitor.anonymous, .otherPair, .admin, .mentee, .mentor] {
                        guard let expected = testCase.expect[visitor] else { continue }
                        let answer = try await ServerTests.ProgramsAPI.call(app, testCase.method, testCase.path, tokens[visitor], testCase.json)
                        #expect(answer.status == expected, "\(testCase) as \(visitor): got \(answer.status.code) \(answer.text.prefix(200))")
                        if visitor != .mentee, visitor != .mentor {
                            #expect(!answer.text.contains(Self.secret), "\(testCase) as \(visitor) shows the pair's words")
                        }
                    }
                }
                // Her private note is sealed in the database, and shows on her page only.
                var mentee = browsers[.mentee]!
                #expect(try await mentee.get(m).text.contains(Self.privateWords))
                #expect(try await MeetingNoteRecord.query(on: app.db).all().allSatisfy { !$0.body.contains("Private-9Z") })
                // Someone holding the mentee's calendar-feed token reaches her feed and nothing else.
                let feedToken = try await CalendarFeeds.rotate(for: f.alice, on: app.db)
                var holder = Browser(app)
                #expect(try await holder.get("/calendar/\(feedToken).ics").status == .ok)
                // With a valid form token (so a refusal is about the feed token, not the form's).
                holder.headers.replaceOrAdd(name: .authorization, value: "Bearer \(feedToken)")
                for testCase in webCases {
                    let path = testCase.path + (testCase.path.contains("?") ? "&" : "?") + "token=\(feedToken)"
                    let answer = testCase.method == .GET ? try await holder.get(path) : try await holder.post(path, testCase.form)
                    #expect(answer.status == (testCase.method == .GET ? .seeOther : .unauthorized), "the feed token opens \(testCase): \(answer.status.code)")
                    #expect(!answer.text.contains(Self.secret))
                }
                for testCase in apiCases {
                    #expect(try await ServerTests.ProgramsAPI.call(app, testCase.method, testCase.path, feedToken, testCase.json).status == .unauthorized, "the feed token opens \(testCase)")
                }
                // Nor do their notifications, or the program manager's pages of the program.
                var admin = browsers[.admin]!
                for page in ["/notifications", "/admin/programs/\(f.program)", "/programs/\(f.program)", "/people/\(f.alice)"] {
                    #expect(!(try await admin.get(page).text.contains(Self.secret)), "\(page) as admin")
                }
                var carol = browsers[.otherPair]!
                #expect(!(try await carol.get("/notifications").text.contains(Self.secret)))
                #expect(!(try await carol.get("/mentoring").text.contains("Alice Ahmed")))
                // Every documented workspace operation is in the API list.
                let document = OpenAPIDocument.document(baseURL: "")["paths"] as? [String: [String: Any]] ?? [:]
                for (path, operations) in document where path.hasPrefix("/api/v1/mentorships/{id}/") || path.hasPrefix("/api/v1/me/calendar-feed") {
                    for method in operations.keys {
                        let pattern = path.split(separator: "/").map(String.init)
                        let covered = apiCases.contains { row in
                            let parts = row.path.split(separator: "/").map(String.init)
                            return row.method.rawValue.lowercased() == method && parts.count == pattern.count && zip(parts, pattern).allSatisfy { $1.hasPrefix("{") || $0 == $1 }
                        }
                        #expect(covered, "\(method.uppercased()) \(path) is not in the workspace API matrix")
                    }
                }
            }
        }
    }
}
