import Fluent
import Foundation
import Testing
@testable import TrellisServer
import TrellisCore
import VaporTesting

extension ServerTests {
    /// Meetings, agendas, notes, action items and the calendar feed through `/api/v1`.
    @Suite struct MeetingsAPI {
        @Test func `texts are limited as the document says, counted as sent, before control characters are cleaned away`() async throws {
            let id = UUID().uuidString
            #expect(APIBodyRules.maxLengths(for: .POST, path: "/api/v1/mentorships/\(id)/meetings/\(id)/cancel")["reason"] == MeetingRules.reason.maximum)
            #expect(APIBodyRules.maxLengths(for: .POST, path: "/api/v1/mentorships/\(id)/goals")["title"] == GoalRules.title.maximum)
            #expect(APIBodyRules.maxLengths(for: .GET, path: "/api/v1/mentorships/\(id)/goals").isEmpty)
            try await withTrellis { app in
                let f = try await WorkspaceFixture.make(app)
                let alice = try await ServerTests.API.token(for: TestPeople.alice, app: app)
                let base = "/api/v1/mentorships/\(f.mentorship)"
                let proposed = try await ServerTests.ProgramsAPI.call(app, .POST, "\(base)/meetings", alice, WorkspaceAccess.apiTime(days: 2))
                let meeting = try #require((proposed.json as? [String: Any])?["id"] as? String)
                // One letter and a run of control characters: short once cleaned, too long as sent.
                let reason = "x" + String(repeating: "\u{18}", count: MeetingRules.reason.maximum)
                let refused = try await ServerTests.ProgramsAPI.call(app, .POST, "\(base)/meetings/\(meeting)/cancel", alice, ["reason": reason])
                #expect(refused.status == .unprocessableEntity)
                #expect(((refused.json as? [String: Any])?["fields"] as? [String: String])?["reason"] == "reason must be at most \(MeetingRules.reason.maximum) characters (got \(MeetingRules.reason.maximum + 1)).")
                #expect(try await MeetingRecord.query(on: app.db).first()?.state == MeetingState.proposed.rawValue, "nothing changed")
                let agenda = try await ServerTests.ProgramsAPI.call(app, .POST, "\(base)/meetings/\(meeting)/agenda", alice, ["kind": "topic", "text": String(repeating: "\u{1F600}", count: MeetingTexts.agendaItem.maximum + 1)])
                #expect(agenda.status == .unprocessableEntity, "an emoji is one character, as JSON Schema counts")
            }
        }

        @Test func `a pair meets through the API: propose, accept, agenda, notes, action items carried over, the feed`() async throws {
            try await withTrellis { app in
                let f = try await WorkspaceFixture.make(app)
                let alice = try await ServerTests.API.token(for: TestPeople.alice, app: app)
                let bob = try await ServerTests.API.token(for: TestPeople.bob, app: app)
                let base = "/api/v1/mentorships/\(f.mentorship)"
                let call = { (method: HTTPMethod, path: String, token: String, body: Any?) in try await ServerTests.ProgramsAPI.call(app, method, path, token, body) }
                let time = WorkspaceAccess.apiTime(days: 2)

                // Bad times, each under its field; nothing saved.
                let bad = try await call(.POST, "\(base)/meetings", alice, ["starts_at": ServerTests.MeetingFlow.at(days: 2, hour: 10), "ends_at": ServerTests.MeetingFlow.at(days: 2, hour: 9), "time_zone": "Moon/Base"])
                #expect(bad.status == .unprocessableEntity)
                let fields = try #require((bad.json as? [String: Any])?["fields"] as? [String: String])
                #expect(fields["time_zone"]?.contains("Moon/Base") == true)
                #expect(try await call(.POST, "\(base)/meetings", alice, time.merging(["colour": "red"]) { a, _ in a }).status == .unprocessableEntity)
                #expect(try await MeetingRecord.query(on: app.db).count() == 0)

                let proposed = try await call(.POST, "\(base)/meetings", alice, time)
                #expect(proposed.status == .created, "\(proposed.text)")
                let meeting = try #require((proposed.json as? [String: Any])?["id"] as? String)
                #expect((proposed.json as? [String: Any])?["proposed_by"] as? String == "mentee")
                #expect((proposed.json as? [String: Any])?["cancel_reason"] is NSNull)
                #expect(try await call(.POST, "\(base)/meetings/\(meeting)/accept", alice, nil).status == .conflict, "not her own")
                let accepted = try await call(.POST, "\(base)/meetings/\(meeting)/accept", bob, nil)
                #expect((accepted.json as? [String: Any])?["state"] as? String == "scheduled")
                #expect((accepted.json as? [String: Any])?["sequence"] as? Int == 1)

                #expect(try await call(.POST, "\(base)/meetings/\(meeting)/agenda", alice, ["kind": "question", "text": "How do I ask for a raise?"]).status == .created)
                #expect(try await call(.POST, "\(base)/meetings/\(meeting)/agenda", alice, ["kind": "rant", "text": "x"]).status == .unprocessableEntity)
                let shared = try await call(.POST, "\(base)/meetings/\(meeting)/notes", bob, ["text": "Bring numbers.", "private": false])
                #expect(shared.status == .created)
                let secret = try await call(.POST, "\(base)/meetings/\(meeting)/notes", alice, ["text": "I am anxious about this.", "private": true])
                #expect((secret.json as? [String: Any])?["private"] as? Bool == true)
                #expect(try await call(.POST, "\(base)/meetings/\(meeting)/notes", alice, ["text": "", "private": false]).status == .unprocessableEntity)
                let unsaid = try await call(.POST, "\(base)/meetings/\(meeting)/notes", alice, ["text": "Who reads this?"])
                #expect(unsaid.status == .unprocessableEntity && unsaid.text.contains("private is required"), "who may read a note is never guessed")

                // Bob reads the shared note only; Alice both.
                let bobsView = try await call(.GET, "\(base)/meetings/\(meeting)", bob, nil)
                #expect(!bobsView.text.contains("anxious"))
                #expect(((bobsView.json as? [String: Any])?["notes"] as? [Any])?.count == 1)
                #expect(try await call(.GET, "\(base)/meetings/\(meeting)", alice, nil).text.contains("I am anxious about this."))

                // Action items: owner in the pair, due today or later; carried over to the next meeting.
                let outsider = try await call(.POST, "\(base)/action-items", alice, ["text": "Do it", "owner_id": f.carol.uuidString])
                #expect(outsider.status == .unprocessableEntity)
                #expect(outsider.text.contains("owner_id"))
                #expect(try await call(.POST, "\(base)/action-items", alice, ["text": "Do it", "owner_id": f.alice.uuidString, "due_on": WorkspaceFixture.day(-1)]).status == .unprocessableEntity)
                let item = try await call(.POST, "\(base)/action-items", alice, ["text": "Collect salary data", "owner_id": f.alice.uuidString, "due_on": WorkspaceFixture.day(5), "meeting_id": meeting])
                #expect(item.status == .created)
                let itemID = try #require((item.json as? [String: Any])?["id"] as? String)
                let next = try await call(.POST, "\(base)/meetings", bob, WorkspaceAccess.apiTime(days: 9))
                let nextID = try #require((next.json as? [String: Any])?["id"] as? String)
                let nextView = try #require(try await call(.GET, "\(base)/meetings/\(nextID)", alice, nil).json as? [String: Any])
                #expect((nextView["carried_over"] as? [[String: Any]])?.first?["text"] as? String == "Collect salary data")
                #expect((try await call(.POST, "\(base)/action-items/\(itemID)/done", alice, ["done": true]).json as? [String: Any])?["done"] as? Bool == true)
                #expect(((try await call(.GET, "\(base)/meetings/\(nextID)", alice, nil).json as? [String: Any])?["carried_over"] as? [Any])?.isEmpty == true)
                #expect(try await call(.POST, "\(base)/action-items/\(UUID())/done", alice, ["done": true]).status == .notFound)

                // Cancel with a reason; the history has every change.
                #expect(try await call(.POST, "\(base)/meetings/\(meeting)/cancel", bob, ["reason": ""]).status == .unprocessableEntity)
                let cancelled = try await call(.POST, "\(base)/meetings/\(meeting)/cancel", bob, ["reason": "Flu"])
                #expect((cancelled.json as? [String: Any])?["cancel_reason"] as? String == "Flu")
                let history = try #require((try await call(.GET, "\(base)/meetings/\(meeting)", alice, nil).json as? [String: Any])?["history"] as? [[String: Any]])
                #expect(history.map { $0["kind"] as? String } == ["cancelled", "accepted", "proposed"])

                // The feed, made through the API, opens without a session.
                let feed = try await call(.POST, "/api/v1/me/calendar-feed", alice, nil)
                #expect(feed.status == .created)
                let url = try #require((feed.json as? [String: Any])?["url"] as? String)
                var stranger = Browser(app)
                let path = String(url.dropFirst("http://trellis.test".count))
                let calendar = try await stranger.get(path)
                #expect(calendar.status == .ok)
                #expect(calendar.text.contains("STATUS:CANCELLED"), "the cancelled meeting stays in the feed, marked so")
                #expect(try await call(.POST, "/api/v1/me/calendar-feed/revoke", alice, nil).status == .ok)
                #expect(try await stranger.get(path).status == .notFound)
            }
        }
    }
}

extension ServerTests.MeetingsAPI {
    @Test func `goals, feedback and the journal through the API`() async throws {
        try await withTrellis { app in
            let f = try await WorkspaceFixture.make(app)
            let alice = try await ServerTests.API.token(for: TestPeople.alice, app: app)
            let bob = try await ServerTests.API.token(for: TestPeople.bob, app: app)
            let base = "/api/v1/mentorships/\(f.mentorship)"
            let call = { (method: HTTPMethod, path: String, token: String, body: Any?) in try await ServerTests.ProgramsAPI.call(app, method, path, token, body) }
            let past = try await call(.POST, "\(base)/goals", alice, ["title": "Old", "target_on": WorkspaceFixture.day(-1)])
            #expect(past.status == .unprocessableEntity && past.text.contains("target_on"))
            let made = try await call(.POST, "\(base)/goals", alice, ["title": "Lead a review", "term": "long", "target_on": WorkspaceFixture.day(20)])
            #expect(made.status == .created, "\(made.text)")
            let goal = try #require((made.json as? [String: Any])?["id"] as? String)
            #expect((made.json as? [String: Any])?["owner"] as? String == "mentee")
            let early = try await call(.POST, "\(base)/goals/\(goal)/congratulations", bob, ["text": "Early"])
            #expect(early.status == .conflict, "nothing reached yet: \(early.status) \(early.text)")
            let withStep = try await call(.POST, "\(base)/goals/\(goal)/milestones", bob, ["title": "Watch one"])
            let step = try #require(((withStep.json as? [String: Any])?["milestones"] as? [[String: Any]])?.first?["id"] as? String, "\(withStep.status) \(withStep.text)")
            #expect(try await call(.POST, "\(base)/goals/\(goal)/milestones", bob, ["title": ""]).status == .unprocessableEntity)
            let reached = try await call(.POST, "\(base)/goals/\(goal)/milestones/\(step)/reached", alice, nil)
            #expect((reached.json as? [String: Any])?["progress"] as? Int == 100)
            #expect(try await call(.POST, "\(base)/goals/\(goal)/milestones/\(step)/reached", alice, nil).status == .conflict)
            #expect(try await call(.POST, "\(base)/goals/\(goal)/milestones/\(UUID())/reached", alice, nil).status == .notFound)
            #expect(try await call(.POST, "\(base)/goals/\(goal)/congratulations", bob, ["text": "Nice", "milestone_id": step]).status == .created)
            // Both read the congratulations, with who sent them and on what.
            for reader in [alice, bob] {
                let read = try await call(.GET, "\(base)/goals/\(goal)/congratulations", reader, nil)
                let items = try #require(read.json as? [[String: Any]], "\(read.text)")
                #expect(items.count == 1 && items.first?["text"] as? String == "Nice" && items.first?["author"] as? String == "mentor")
                #expect(items.first?["milestone_id"] as? String == step)
            }
            #expect(try await call(.GET, "\(base)/goals/\(UUID())/congratulations", alice, nil).status == .notFound)
            #expect(try await call(.POST, "\(base)/goals/\(goal)/reached", alice, nil).status == .ok)
            #expect(try await call(.POST, "\(base)/goals/\(goal)/reached", alice, nil).status == .conflict)

            #expect(try await call(.POST, "\(base)/feedback", alice, ["kind": "feedback"]).status == .unprocessableEntity)
            #expect(try await call(.POST, "\(base)/feedback", alice, ["kind": "praise", "message": "x"]).status == .unprocessableEntity)
            #expect(try await call(.POST, "\(base)/feedback", alice, ["kind": "feedback", "worked": "Clear examples."]).status == .created)
            #expect(((try await call(.GET, "\(base)/feedback", bob, nil).json as? [[String: Any]])?.first?["worked"] as? String) == "Clear examples.")

            #expect(try await call(.POST, "\(base)/journal", alice, ["prompt": "growth", "text": "Less afraid of reviews."]).status == .created)
            #expect(try await call(.POST, "\(base)/journal", alice, ["prompt": "nope", "text": "x"]).status == .unprocessableEntity)
            #expect(try await call(.GET, "\(base)/journal", alice, nil).text.contains("Less afraid of reviews."))
            #expect(!(try await call(.GET, "\(base)/journal", bob, nil).text.contains("afraid")), "her journal is hers alone")
        }
    }
}
