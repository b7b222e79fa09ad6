import Fluent
import Foundation
import Testing
@testable import TrellisServer
import TrellisCore
import VaporTesting

extension ServerTests {
    /// The program-wide setting "meetings happen in Trellis (the default) or only outside it":
    /// set in the program form, the API and the command line; when outside, no meeting can be
    /// proposed, the pages say so and stop asking for one, and the rest of the workspace works.
    @Suite struct MeetingsOutside {
        @Test func `a manager sets where pairs meet in the form, and a wrong value is named`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                let form = try await admin.get("/admin/programs/new").text
                #expect(form.contains(#"name="meetings" value="trellis" id="meetings" checked"#), "in Trellis is the default")
                #expect(form.contains(#"name="meetings" value="outside""#))

                let bad = try await admin.post("/admin/programs", ServerTests.Programs.goodForm + [("meetings", "on the moon")])
                #expect(bad.status == .unprocessableEntity)
                #expect(bad.text.contains(HTML.escape("Where pairs meet: choose trellis or outside (got “on the moon”).")))
                #expect(try await Program.query(on: app.db).count() == 0)

                let unsaid = try await ServerTests.Programs.createProgram(&admin)
                #expect(try await Program.find(unsaid, on: app.db)?.meetingsInTrellis == true, "left out: in Trellis")
                let outside = try await ServerTests.Programs.createProgram(&admin, ServerTests.Programs.goodForm + [("meetings", "outside")])
                #expect(try await Program.find(outside, on: app.db)?.meetingsInTrellis == false)
                #expect(try await admin.get("/programs/\(outside)").text.contains("Pairs meet outside Trellis: no meetings are proposed here."))
                let edit = try await admin.get("/admin/programs/\(outside)/edit").text
                #expect(edit.contains(#"name="meetings" value="outside" checked"#), "the form shows the stored setting")
            }
        }

        @Test func `the API reads and writes the setting, and refuses a value that is not a boolean`() async throws {
            try await withTrellis { app in
                try await TestPeople.create(on: app)
                let admin = try await ServerTests.API.token(for: TestPeople.admin, app: app)
                let call = { (method: HTTPMethod, path: String, body: Any?) in try await ServerTests.ProgramsAPI.call(app, method, path, admin, body) }
                let made = try await call(.POST, "/api/v1/programs", ["name": "Quiet cohort"])
                #expect(made.status == .created, "\(made.text)")
                let program = try #require(made.json as? [String: Any])
                #expect(program["meetings_in_trellis"] as? Bool == true)
                let id = try #require(program["id"] as? String)
                #expect(try await call(.PATCH, "/api/v1/programs/\(id)", ["meetings_in_trellis": "no"]).status == .badRequest)
                let changed = try await call(.PATCH, "/api/v1/programs/\(id)", ["meetings_in_trellis": false])
                #expect(changed.status == .ok, "\(changed.text)")
                #expect((changed.json as? [String: Any])?["meetings_in_trellis"] as? Bool == false)
                let audit = try await AuditEntry.query(on: app.db).filter(\.$action == "program.update").all()
                #expect(audit.map(\.detail) == ["“Quiet cohort”: changed meetings_in_trellis"], "the audit log says what changed")
                #expect(try await Program.find(UUID(uuidString: id), on: app.db)?.meetingsInTrellis == false)
            }
        }

        @Test func `outside Trellis no meeting can be proposed, a planned one can still be answered, and the rest of the workspace works`() async throws {
            try await withTrellis { app in
                let f = try await WorkspaceFixture.make(app)
                var alice = try await f.browser(app, TestPeople.alice)
                var bob = try await f.browser(app, TestPeople.bob)
                // Planned while the program met in Trellis.
                let planned = try await alice.post("\(f.path)/meetings", ServerTests.MeetingFlow.timeForm())
                let meeting = try ServerTests.MeetingFlow.meetingPath(planned)

                let program = try #require(try await Program.find(f.program, on: app.db))
                program.meetingsInTrellis = false
                try await program.update(on: app.db)

                let workspace = try await alice.get(f.path).text
                #expect(!workspace.contains("Propose a meeting"), "no button to a form that would be refused")
                #expect(!workspace.contains("propose the next one") && !workspace.contains("Propose your first meeting"), "no step asks for a meeting")
                let list = try await alice.get("\(f.path)/meetings").text
                #expect(list.contains(HTML.escape(Meetings.outsideMessage)) && !list.contains("/meetings/new\""))
                let newPage = try await alice.get("\(f.path)/meetings/new").text
                #expect(newPage.contains(HTML.escape(Meetings.outsideMessage)) && !newPage.contains("name=\"starts_at\""))

                let refused = try await alice.post("\(f.path)/meetings", ServerTests.MeetingFlow.timeForm(days: 3))
                #expect(refused.status == .conflict)
                #expect(refused.text.contains(HTML.escape(Meetings.outsideMessage)))
                let token = try await ServerTests.API.token(for: TestPeople.alice, app: app)
                let api = try await ServerTests.ProgramsAPI.call(app, .POST, "/api/v1/mentorships/\(f.mentorship)/meetings", token, WorkspaceAccess.apiTime(days: 3))
                #expect(api.status == .conflict && api.text.contains("pairs meet outside Trellis"))
                let mine = try await ServerTests.ProgramsAPI.call(app, .GET, "/api/v1/mentorships/\(f.mentorship)", token, nil)
                #expect((mine.json as? [String: Any])?["meetings_in_trellis"] as? Bool == false, "an API client can see the setting before being refused")
                #expect(try await MeetingRecord.query(on: app.db).count() == 1, "nothing was proposed")

                // What was planned stays theirs to answer or cancel, but not to give a new time.
                let movePage = try await bob.get(meeting).text
                #expect(movePage.contains("Accept this time") && !movePage.contains("Propose another time") && !movePage.contains("Move the meeting"))
                let moved = try await bob.post("\(meeting)/time", ServerTests.MeetingFlow.timeForm(days: 4))
                #expect(moved.status == .conflict && moved.text.contains(HTML.escape(Meetings.outsideMessage)))
                let meetingID = try #require(meeting.split(separator: "/").last.map(String.init))
                let bobToken = try await ServerTests.API.token(for: TestPeople.bob, app: app)
                let movedAPI = try await ServerTests.ProgramsAPI.call(app, .POST, "/api/v1/mentorships/\(f.mentorship)/meetings/\(meetingID)/time", bobToken, WorkspaceAccess.apiTime(days: 4))
                #expect(movedAPI.status == .conflict)
                let badAPI = try await ServerTests.ProgramsAPI.call(app, .POST, "/api/v1/mentorships/\(f.mentorship)/meetings", token, ["starts_at": "soon"])
                #expect(badAPI.status == .conflict, "outside Trellis is the answer, whatever the time sent")
                #expect(try await MeetingRecord.query(on: app.db).first()?.sequence == 0, "the time did not change")
                #expect(try await bob.post("\(meeting)/accept").location?.hasSuffix("?done=accepted") == true)
                // Action items are added from the workspace page itself; a bad one is named there.
                #expect(workspace.contains("Add an action item") && workspace.contains(#"name="item_text""#))
                let empty = try await bob.post("\(f.path)/action-items", [("item_text", " "), ("owner_id", f.bob.uuidString), ("due_on", "")])
                #expect(empty.status == .unprocessableEntity && empty.text.contains("The action item was not added.") && empty.text.contains("Mentorship with"))
                let past = try await bob.post("\(f.path)/action-items", [("item_text", "Send the deck"), ("owner_id", f.bob.uuidString), ("due_on", WorkspaceFixture.day(-3))])
                #expect(past.status == .unprocessableEntity && past.text.contains(#"id="due_on-error""#))
                let outsider = try await bob.post("\(f.path)/action-items", [("item_text", "Send the deck"), ("owner_id", f.carol.uuidString), ("due_on", "")])
                #expect(outsider.status == .unprocessableEntity && outsider.text.contains(#"id="owner_id-error""#))
                #expect(try await ActionItemRecord.query(on: app.db).count() == 0)
                let added = try await bob.post("\(f.path)/action-items", [("item_text", "Send the deck"), ("owner_id", f.bob.uuidString), ("due_on", WorkspaceFixture.day(3))])
                #expect(added.status == .seeOther && added.location == "\(f.path)?done=item")
                #expect(try await bob.get(added.location!).text.contains("Action item added."))
                #expect(try await ActionItemRecord.query(on: app.db).count() == 1)
                #expect(try await alice.get(f.path).text.contains("Send the deck"))
            }
        }
    }
}
