import Fluent
import Foundation
import SnapshotTesting
import Testing
@testable import TrellisServer
import TrellisCore
import VaporTesting

extension ServerTests {
    /// The mentorship workspace's pages as text, like `PageSnapshots`: a pair with an agreement
    /// waiting for a signature, a proposed meeting with an agenda, a goal with a milestone, and the
    /// program manager's pairs page. Their days and clock times count from today, so beyond the
    /// ids and tokens `PageSnapshots` replaces, days, weekdays and times are placeholders too.
    ///
    /// Record after an intended change with `SNAPSHOT_TESTING_RECORD=failed swift test --filter WorkspaceSnapshots`.
    @Suite struct WorkspaceSnapshots {
        static let months = "January|February|March|April|May|June|July|August|September|October|November|December"

        static func normalized(_ html: String) -> String {
            var text = PageSnapshots.normalized(html)
            text = text.replacing(try! Regex("\\b\\d{1,2} (\(months)) \\d{4}\\b"), with: "<day>")
            text = text.replacing(/\b\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?\b/, with: "<day>")
            text = text.replacing(/\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b/, with: "<weekday>")
            text = text.replacing(/\b\d{2}:\d{2}\b/, with: "<clock>")
            return text
        }

        @Test func pages() async throws {
            try await withTrellis { app in
                let f = try await WorkspaceFixture.make(app, startedDaysAgo: 20)
                var alice = try await f.browser(app, TestPeople.alice)
                var bob = try await f.browser(app, TestPeople.bob)
                var admin = Browser(app)
                try await admin.signIn(TestPeople.admin)
                let empty = try await alice.get(f.path).text
                let draft = try await alice.get("\(f.path)/agreement").text
                #expect(try await alice.post("\(f.path)/agreement", WorkspaceFixture.form(basedOn: nil)).status == .seeOther)
                let meeting = try ServerTests.MeetingFlow.meetingPath(try await alice.post("\(f.path)/meetings", ServerTests.MeetingFlow.timeForm()))
                #expect(try await alice.post("\(meeting)/agenda", [("kind", "question"), ("text", "How do you run a design review?")]).status == .seeOther)
                let goal = try await alice.post("\(f.path)/goals", [("title", "Lead a design review"), ("description", "On my own, by spring."), ("term", "short"), ("target_on", ""), ("owner", "mentee")])
                let goalPath = try #require(goal.location?.split(separator: "?").first.map(String.init))
                #expect(try await alice.post("\(goalPath)/milestones", [("milestone", "Watch two reviews")]).status == .seeOther)
                // One pair on the pairs page: the fixture's ids are random, and so would be the order of two.
                try await Mentorship.query(on: app.db).filter(\.$id == f.otherMentorship).delete()
                let program = try #require(try await Program.find(f.program, on: app.db))
                program.state = ProgramState.active.rawValue
                try await program.update(on: app.db)
                let pages: [(String, String)] = [
                    ("workspace-new-pair", empty),
                    ("agreement-draft", draft),
                    ("workspace-mentee", try await alice.get(f.path).text),
                    ("workspace-mentor", try await bob.get(f.path).text),
                    ("agreement-waiting", try await bob.get("\(f.path)/agreement").text),
                    ("meetings", try await alice.get("\(f.path)/meetings").text),
                    ("meeting-propose", try await alice.get("\(f.path)/meetings/new").text),
                    ("meeting-proposed", try await bob.get(meeting).text),
                    ("goals", try await alice.get("\(f.path)/goals").text),
                    ("goal", try await bob.get(goalPath).text),
                    ("feedback", try await alice.get("\(f.path)/feedback").text),
                    ("journal", try await alice.get("\(f.path)/journal").text),
                    ("program-pairs", try await admin.get("/admin/programs/\(f.program)/pairs").text),
                ]
                for (name, html) in pages {
                    assertSnapshot(of: Self.normalized(html), as: .lines, named: name, testName: "page")
                }
            }
        }
    }
}
