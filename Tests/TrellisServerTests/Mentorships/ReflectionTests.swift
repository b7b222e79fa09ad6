import Fluent
import Foundation
import Testing
@testable import TrellisServer
import TrellisCore
import VaporTesting

extension ServerTests {
    /// Feedback and thanks between the pair; the journal, its author's alone and sealed.
    @Suite struct Reflection {
        @Test func `feedback and thanks reach the other person and the timeline; bad notes are refused`() async throws {
            try await withTrellis { app in
                let f = try await WorkspaceFixture.make(app)
                var alice = try await f.browser(app, TestPeople.alice)
                var bob = try await f.browser(app, TestPeople.bob)
                let empty = try await alice.post("\(f.path)/feedback", [("kind", "feedback"), ("worked", " "), ("better", ""), ("message", "")])
                #expect(empty.status == .unprocessableEntity)
                #expect(empty.text.contains("Write what worked, what could be better, or both."))
                #expect(try await alice.post("\(f.path)/feedback", [("kind", "thanks"), ("message", "")]).status == .unprocessableEntity)
                let praise = try await alice.post("\(f.path)/feedback", [("kind", "praise"), ("message", "x")])
                #expect(praise.status == .unprocessableEntity && praise.text.contains(#"id="kind-error""#), "the kind's problem is beside the kind")
                // Nothing typed is dropped without a word: the other kind's boxes must be empty.
                let mixedThanks = try await alice.post("\(f.path)/feedback", [("kind", "thanks"), ("message", "Thanks!"), ("worked", "The walkthrough.")])
                #expect(mixedThanks.status == .unprocessableEntity && mixedThanks.text.contains(#"id="worked-error""#) && mixedThanks.text.contains("The walkthrough."))
                let mixedFeedback = try await alice.post("\(f.path)/feedback", [("kind", "feedback"), ("worked", "The walkthrough."), ("message", "Thanks!")])
                #expect(mixedFeedback.status == .unprocessableEntity && mixedFeedback.text.contains(#"id="message-error""#))
                #expect(try await FeedbackRecord.query(on: app.db).count() == 0)
                #expect(try await alice.post("\(f.path)/feedback", [("kind", "feedback"), ("worked", "The review walkthrough."), ("better", "More time for my questions.")]).status == .seeOther)
                #expect(try await bob.post("\(f.path)/feedback", [("kind", "thanks"), ("message", "Thank you for the <b>honest</b> note.")]).status == .seeOther)
                let page = try await bob.get("\(f.path)/feedback").text
                #expect(page.contains("More time for my questions.") && page.contains("From Alice Ahmed to you"))
                #expect(page.contains("Thank you for the &lt;b&gt;honest&lt;/b&gt; note."))
                #expect(try await InAppNotification.query(on: app.db).filter(\.$userID == f.bob).filter(\.$kind == "feedback").count() == 1)
                let workspace = try await alice.get(f.path).text
                #expect(workspace.contains("You sent feedback.") && workspace.contains("Bob Brown sent a thank-you note."))
                var carol = try await f.browser(app, WorkspaceFixture.carol)
                #expect(try await carol.get("\(f.path)/feedback").status == .notFound)
            }
        }

        @Test func `the API answers each sender with the note it saved, even when many arrive at once`() async throws {
            try await withTrellis { app in
                let f = try await WorkspaceFixture.make(app)
                let alice = try await ServerTests.API.token(for: TestPeople.alice, app: app)
                let answers = try await withThrowingTaskGroup(of: (String, String?).self) { group in
                    for index in 0..<12 {
                        group.addTask {
                            let text = "Thanks number \(index)"
                            let answer = try await ServerTests.ProgramsAPI.call(app, .POST, "/api/v1/mentorships/\(f.mentorship)/feedback", alice, ["kind": "thanks", "message": text])
                            return (text, (answer.json as? [String: Any])?["message"] as? String)
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(answers.count == 12 && answers.allSatisfy { $0.0 == $0.1 }, "\(answers)")
                let journal = try await ServerTests.ProgramsAPI.call(app, .POST, "/api/v1/mentorships/\(f.mentorship)/journal", alice, ["prompt": "growth", "text": "Less afraid now."])
                #expect((journal.json as? [String: Any])?["text"] as? String == "Less afraid now.")
            }
        }

        @Test func `a journal entry is its author's alone, sealed at rest`() async throws {
            try await withTrellis { app in
                let f = try await WorkspaceFixture.make(app)
                var alice = try await f.browser(app, TestPeople.alice)
                var bob = try await f.browser(app, TestPeople.bob)
                #expect(try await alice.post("\(f.path)/journal", [("prompt", "growth"), ("entry", "I am finally less afraid of design reviews.")]).location == "\(f.path)/journal?done=saved")
                #expect(try await alice.post("\(f.path)/journal", [("prompt", "nonsense"), ("entry", "x")]).status == .unprocessableEntity)
                #expect(try await alice.post("\(f.path)/journal", [("prompt", "growth"), ("entry", " ")]).status == .unprocessableEntity)
                #expect(try await alice.get("\(f.path)/journal").text.contains("I am finally less afraid of design reviews."))
                // Her mentor's journal page is his own: hers is not there.
                #expect(!(try await bob.get("\(f.path)/journal").text.contains("less afraid")))
                let stored = try #require(try await JournalEntryRecord.query(on: app.db).first())
                #expect(stored.body.hasPrefix(NoteSealing.prefix) && !stored.body.contains("afraid"))
            }
        }
    }
}
