import Fluent
import Foundation
import Testing
@testable import TrellisServer
import TrellisCore
import VaporTesting

extension ServerTests {
    /// Meetings end to end: proposed, answered, moved and cancelled with their history; agendas,
    /// shared and private notes, action items that carry over; the .ics file and the feed.
    @Suite struct MeetingFlow {
        static let utc = TimeZone(identifier: "UTC")!

        /// A local time `days` from now at `hour`:00 UTC, as a form sends it.
        static func at(days: Int, hour: Int) -> String {
            let day = CalendarDay(Date(), in: utc).adding(days: days)!
            return String(format: "%@T%02d:00", day.description, hour)
        }

        static func timeForm(days: Int = 2, hour: Int = 14, length: Int = 1, zone: String = "UTC", place: String = "Room 4") -> [(String, String)] {
            [("starts_at", at(days: days, hour: hour)), ("ends_at", at(days: days, hour: hour + length)), ("time_zone", zone), ("place", place)]
        }

        static func meetingPath(_ response: TestingHTTPResponse) throws -> String {
            try #require(response.location?.split(separator: "?").first.map(String.init))
        }

        @Test func `a notice names the meeting's day in its reader's own time zone`() async throws {
            try await withTrellis { app in
                let f = try await WorkspaceFixture.make(app)
                let bobsProfile = try #require(try await Profile.find(f.bob, on: app.db))
                bobsProfile.timezone = "America/Chicago"
                try await bobsProfile.update(on: app.db)
                var alice = try await f.browser(app, TestPeople.alice)
                // 01:00 UTC is the evening before in Chicago.
                let proposed = try await alice.post("\(f.path)/meetings", Self.timeForm(days: 3, hour: 1))
                #expect(proposed.status == .seeOther)
                let day = CalendarDay(Date(), in: Self.utc).adding(days: 3)!
                let notice = try #require(try await InAppNotification.query(on: app.db).filter(\.$userID == f.bob).filter(\.$kind == "meeting-proposed").first())
                #expect(notice.body == "On \(ProgramBits.day(day.adding(days: -1)!)). Accept it, or propose another time.", "\(notice.body)")
                let event = try await MentorshipEvent.query(on: app.db).count()
                #expect(event == 0, "a proposal is not on the timeline")
            }
        }

        @Test func `the mentee proposes, the mentor accepts, both fill the agenda, notes stay where they belong, action items carry over`() async throws {
            try await withTrellis { app in
                let f = try await WorkspaceFixture.make(app)
                var alice = try await f.browser(app, TestPeople.alice)
                var bob = try await f.browser(app, TestPeople.bob)
                #expect(try await alice.get(f.path).text.contains("Propose your first meeting: as the mentee, you take the initiative."))

                let proposed = try await alice.post("\(f.path)/meetings", Self.timeForm())
                #expect(proposed.status == .seeOther, "\(proposed.text.prefix(500))")
                let meeting = try Self.meetingPath(proposed)
                #expect(try await bob.get(f.path).text.contains("Alice Ahmed proposed a meeting on"))
                // She cannot accept her own proposal; he can.
                #expect(try await alice.post("\(meeting)/accept").status == .conflict)
                #expect(try await bob.post("\(meeting)/accept").location?.hasSuffix("?done=accepted") == true)
                let record = try #require(try await MeetingRecord.query(on: app.db).first())
                #expect(record.facts.state == .scheduled)
                #expect(record.sequence == 1)

                // The agenda: who added what, and a nudge for the one who has added nothing.
                #expect(try await alice.post("\(meeting)/agenda", [("kind", "question"), ("text", "How do you run a design review?")]).status == .seeOther)
                let bobsView = try await bob.get(meeting).text
                #expect(bobsView.contains("How do you run a design review?"))
                #expect(bobsView.contains("— Alice Ahmed"))
                #expect(bobsView.contains("You have not added anything yet: add a topic to"))
                #expect(try await bob.post("\(meeting)/agenda", [("kind", "update"), ("text", "I shipped the migration <b>tool</b>")]).status == .seeOther)
                #expect(try await alice.get(meeting).text.contains("I shipped the migration &lt;b&gt;tool&lt;/b&gt;"))

                // Notes: a shared one both read; a private one only its author, sealed in the database.
                #expect(try await alice.post("\(meeting)/notes", [("note", "We agreed to pair on reviews."), ("visibility", "shared")]).status == .seeOther)
                #expect(try await alice.post("\(meeting)/notes", [("note", "I felt nervous asking about promotion."), ("visibility", "private")]).status == .seeOther)
                #expect(try await bob.get(meeting).text.contains("We agreed to pair on reviews."))
                #expect(!(try await bob.get(meeting).text.contains("nervous")), "a private note is its author's alone")
                #expect(try await alice.get(meeting).text.contains("I felt nervous asking about promotion."))
                let sealed = try #require(try await MeetingNoteRecord.query(on: app.db).filter(\.$isPrivate == true).first())
                #expect(sealed.body.hasPrefix(NoteSealing.prefix) && !sealed.body.contains("nervous"), "stored sealed, not in clear")
                // A sealed body copied onto another row does not open.
                let copy = MeetingNoteRecord()
                copy.id = UUID(); copy.meetingID = sealed.meetingID; copy.authorID = f.bob; copy.isPrivate = true; copy.body = sealed.body; copy.createdAt = Date()
                try await copy.create(on: app.db)
                #expect(try await bob.get(meeting).text.contains("This private note cannot be read"))

                // An action item for Bob, due in a week, from this meeting.
                let meetingID = String(meeting.split(separator: "/").last!)
                #expect(try await alice.post("\(f.path)/action-items", [("item_text", "Send Alice the review checklist"), ("owner_id", f.bob.uuidString), ("due_on", WorkspaceFixture.day(7)), ("meeting_id", meetingID)]).status == .seeOther)
                #expect(try await bob.get(f.path).text.contains("Send Alice the review checklist"))

                // A second meeting: the open item is on its agenda by itself; done, it leaves.
                let second = try Self.meetingPath(try await bob.post("\(f.path)/meetings", Self.timeForm(days: 9)))
                #expect(try await alice.get(second).text.contains("Carried over: open action items"))
                #expect(try await alice.get(second).text.contains("Send Alice the review checklist"))
                let item = try #require(try await ActionItemRecord.query(on: app.db).first())
                #expect(try await bob.post("\(f.path)/action-items/\(try item.requireID())/done", [("done", "1"), ("back", second)]).location == second + "?done=item-done")
                #expect(!(try await alice.get(second).text.contains("Carried over: open action items")))
                // "back" returns to this pair's workspace or one of its meetings, nothing else.
                for back in ["\(f.path)/../../admin", "//evil.example", "https://evil.example", "\(f.path)/meetings/x\">", "/settings", "\(f.path)#x"] {
                    let answer = try await bob.post("\(f.path)/action-items/\(try item.requireID())/done", [("done", "1"), ("back", back)])
                    #expect(answer.location == "\(f.path)?done=item-done", "back=\(back)")
                }
                // Carol (another pair) cannot mark it, nor reach the meeting.
                var carol = try await f.browser(app, WorkspaceFixture.carol)
                #expect(try await carol.post("\(f.path)/action-items/\(try item.requireID())/done", [("done", "0")]).status == .notFound)
                #expect(try await carol.get(meeting).status == .notFound)

                // Moving the first meeting needs accepting again; cancelling needs a reason; the history keeps it all.
                #expect(try await bob.post("\(meeting)/time", Self.timeForm(days: 3)).location?.hasSuffix("?done=moved") == true)
                #expect(try await alice.post("\(meeting)/cancel", [("reason", "")]).status == .unprocessableEntity)
                #expect(try await alice.post("\(meeting)/cancel", [("reason", "I am off sick.")]).location?.hasSuffix("?done=cancelled") == true)
                let history = try await bob.get(meeting).text
                for sentence in ["Alice Ahmed proposed the meeting (", "You accepted the time (", "You moved the meeting (", "Alice Ahmed cancelled the meeting.", "Reason: “I am off sick.”"] {
                    #expect(history.contains(sentence), "history: \(sentence)")
                }
                #expect(try await MeetingChangeRecord.query(on: app.db).count() == 5, "proposed, accepted, moved (first); proposed (second); cancelled")
                #expect(try await MeetingRecord.find(record.id, on: app.db)?.sequence == 3)
                #expect(try await bob.post("\(meeting)/accept").status == .conflict, "a cancelled meeting stays cancelled")
            }
        }

        @Test func `bad times, an owner outside the pair and another pair's meeting are refused, changing nothing`() async throws {
            try await withTrellis { app in
                let f = try await WorkspaceFixture.make(app)
                var alice = try await f.browser(app, TestPeople.alice)
                let cases: [([(String, String)], String, String)] = [
                    ([("starts_at", Self.at(days: 2, hour: 15)), ("ends_at", Self.at(days: 2, hour: 14)), ("time_zone", "UTC"), ("place", "")], "ends_at", "The meeting ends before it starts"),
                    ([("starts_at", Self.at(days: -1, hour: 15)), ("ends_at", Self.at(days: -1, hour: 16)), ("time_zone", "UTC"), ("place", "")], "starts_at", "The start is in the past"),
                    ([("starts_at", Self.at(days: 2, hour: 9)), ("ends_at", Self.at(days: 3, hour: 10)), ("time_zone", "UTC"), ("place", "")], "ends_at", "The meeting is longer than a day"),
                    (Self.timeForm(zone: "Europe/Atlantis"), "time_zone", "is not a time zone Trellis knows"),
                    (Self.timeForm(place: String(repeating: "x", count: 501)), "place", "500"),
                ]
                for (form, field, message) in cases {
                    let answer = try await alice.post("\(f.path)/meetings", form)
                    #expect(answer.status == .unprocessableEntity, "\(field)")
                    #expect(answer.text.contains("id=\"\(field)-error\""), "\(field) beside its field")
                    #expect(answer.text.contains(message), "\(field): \(message)")
                }
                #expect(try await MeetingRecord.query(on: app.db).count() == 0)
                let meeting = try Self.meetingPath(try await alice.post("\(f.path)/meetings", Self.timeForm()))
                let meetingID = String(meeting.split(separator: "/").last!)
                // An action item owned by someone outside the pair (Carol), or due before today.
                let outside = try await alice.post("\(f.path)/action-items", [("item_text", "Do it"), ("owner_id", f.carol.uuidString), ("due_on", ""), ("meeting_id", meetingID)])
                #expect(outside.status == .unprocessableEntity)
                #expect(outside.text.contains("An action item belongs to one of the pair: Bob Brown or Alice Ahmed."))
                let past = try await alice.post("\(f.path)/action-items", [("item_text", "Do it"), ("owner_id", f.alice.uuidString), ("due_on", WorkspaceFixture.day(-1)), ("meeting_id", meetingID)])
                #expect(past.text.contains("The due date is before today"))
                #expect(try await ActionItemRecord.query(on: app.db).count() == 0)
                // The other pair's meeting, reached through this pair's address, is not found.
                let dave = try await Pairs.view(f.otherMentorship, for: f.dave, on: app.db)
                let theirs = try await Meetings.propose(try MeetingRules.time(startsAt: Self.at(days: 4, hour: 10), endsAt: Self.at(days: 4, hour: 11), timeZone: "UTC", place: "", now: Date()).get(), pair: dave, on: app.db)
                #expect(try await alice.get("\(f.path)/meetings/\(try theirs.requireID())").status == .notFound)
                #expect(try await alice.post("\(f.path)/meetings/\(try theirs.requireID())/accept").status == .notFound)
                #expect(try await alice.post("\(f.path)/action-items", [("item_text", "x"), ("owner_id", f.alice.uuidString), ("meeting_id", try theirs.requireID().uuidString)]).status == .notFound)
                #expect(try await alice.post("\(f.path)/meetings/\(meetingID)/agenda", [("kind", "gossip"), ("text", "x")]).status == .unprocessableEntity)
                #expect(try await alice.post("\(f.path)/meetings/\(meetingID)/agenda", [("kind", "topic"), ("text", "  ")]).status == .unprocessableEntity)
                #expect(try await AgendaItemRecord.query(on: app.db).count() == 0)
                // A cancelled meeting takes no new action item.
                _ = try await alice.post("\(meeting)/cancel", [("reason", "Moving it")])
                #expect(try await alice.post("\(f.path)/action-items", [("item_text", "x"), ("owner_id", f.alice.uuidString), ("meeting_id", meetingID)]).status == .conflict)
                #expect(try await ActionItemRecord.query(on: app.db).count() == 0)
            }
        }

        @Test func `a meeting downloads as iCalendar, and a person's feed shows their meetings to the token's holder only`() async throws {
            try await withTrellis { app in
                let f = try await WorkspaceFixture.make(app)
                var alice = try await f.browser(app, TestPeople.alice)
                var bob = try await f.browser(app, TestPeople.bob)
                let meeting = try Self.meetingPath(try await alice.post("\(f.path)/meetings", Self.timeForm(place: "Room 4, floor 2; by the window")))
                let file = try await alice.get("\(meeting)/calendar.ics")
                #expect(file.status == .ok)
                #expect(file.headers.contentType?.description.hasPrefix("text/calendar") == true)
                let first = file.text.replacingOccurrences(of: "\r\n ", with: "")
                #expect(first.contains("STATUS:TENTATIVE"))
                #expect(first.contains("SEQUENCE:0"))
                #expect(first.contains("LOCATION:Room 4\\, floor 2\\; by the window"))
                let uid = try #require(first.firstMatch(of: /UID:([^\r]+)/)?.output.1)
                _ = try await bob.post("\(meeting)/accept")
                let second = try await bob.get("\(meeting)/calendar.ics").text.replacingOccurrences(of: "\r\n ", with: "")
                #expect(second.contains("UID:\(uid)"), "the same UID after a change")
                #expect(second.contains("SEQUENCE:1") && second.contains("STATUS:CONFIRMED"))

                // The feed: made in settings, shown once; it answers without a session.
                let settings = try await alice.post("/settings/calendar-feed")
                let url = String(try #require(settings.text.firstMatch(of: /http:\/\/trellis\.test(\/calendar\/cal_[A-Za-z0-9_-]+\.ics)/)).output.1)
                var stranger = Browser(app)
                let feed = try await stranger.get(url)
                #expect(feed.status == .ok)
                #expect(feed.text.contains("UID:\(uid)"))
                #expect(feed.text.contains("X-WR-CALNAME:Mentoring meetings (Alice Ahmed)"))
                // The token opens the feed and nothing else: not the workspace, not the API.
                let token = String(url.dropFirst("/calendar/".count).dropLast(4))
                #expect(try await stranger.get(f.path, headers: ["Authorization": "Bearer \(token)"]).status == .seeOther)
                #expect(try await ServerTests.ProgramsAPI.call(app, .GET, "/api/v1/mentorships", token).status == .unauthorized)
                #expect(try await stranger.get("/calendar/\(token)").status == .ok, "with or without .ics")
                #expect(try await stranger.get("/calendar/cal_made-up.ics").status == .notFound)
                #expect(try await stranger.get("/calendar/%2e%2e%2fsettings").status == .notFound)
                // Replaced: the old address stops working; revoked: the new one too.
                let replaced = try await alice.post("/settings/calendar-feed")
                #expect(replaced.text.contains("Any earlier address no longer works."))
                #expect(try await stranger.get(url).status == .notFound)
                let newURL = String(try #require(replaced.text.firstMatch(of: /http:\/\/trellis\.test(\/calendar\/cal_[A-Za-z0-9_-]+\.ics)/)).output.1)
                #expect(try await stranger.get(newURL).status == .ok)
                _ = try await alice.post("/settings/calendar-feed/revoke")
                #expect(try await stranger.get(newURL).status == .notFound)
                #expect(try await CalendarFeed.query(on: app.db).count() == 0)
                // A deactivated account's feed stops, as its sessions and API tokens do.
                let last = try await alice.post("/settings/calendar-feed")
                let lastURL = String(try #require(last.text.firstMatch(of: /http:\/\/trellis\.test(\/calendar\/cal_[A-Za-z0-9_-]+\.ics)/)).output.1)
                #expect(try await stranger.get(lastURL).status == .ok)
                try await User.query(on: app.db).filter(\.$id == f.alice).set(\.$isActive, to: false).update()
                #expect(try await stranger.get(lastURL).status == .notFound)
            }
        }
    }
}
