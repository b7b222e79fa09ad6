import Fluent
import Foundation
import Testing
@testable import TrellisServer
import TrellisCore
import VaporTesting

extension ServerTests {
    /// Goals in the browser: set, broken into milestones, reached and celebrated; bad input and
    /// another pair's goal refused.
    @Suite struct GoalFlow {
        @Test func `a goal with two milestones is reached and celebrated, on the timeline and in notifications`() async throws {
            try await withTrellis { app in
                let f = try await WorkspaceFixture.make(app)
                var alice = try await f.browser(app, TestPeople.alice)
                var bob = try await f.browser(app, TestPeople.bob)
                #expect(try await alice.get(f.path).text.contains("Set your first goal"))
                let set = try await alice.post("\(f.path)/goals", [("title", "Lead a design review"), ("description", "On my own, by spring."), ("term", "short"), ("target_on", WorkspaceFixture.day(30)), ("owner", "mentee")])
                #expect(set.status == .seeOther, "\(set.text.prefix(400))")
                let goal = try #require(set.location?.split(separator: "?").first.map(String.init))
                #expect(try await InAppNotification.query(on: app.db).filter(\.$userID == f.bob).filter(\.$kind == "goal-set").count() == 1)
                _ = try await alice.post("\(goal)/milestones", [("milestone", "Watch Bob run one")])
                _ = try await bob.post("\(goal)/milestones", [("milestone", "Run one with Bob watching")])
                let milestones = try await MilestoneRecord.query(on: app.db).sort(\.$position).all()
                #expect(milestones.map(\.title) == ["Watch Bob run one", "Run one with Bob watching"])
                // Congratulating before anything is reached is refused.
                #expect(try await bob.post("\(goal)/congratulations", [("congratulation", "Too early")]).status == .conflict)

                #expect(try await alice.post("\(goal)/milestones/\(try milestones[0].requireID())/reached").location?.hasSuffix("done=milestone-reached") == true)
                #expect(try await alice.post("\(goal)/milestones/\(try milestones[0].requireID())/reached").status == .conflict, "once")
                #expect(try await alice.get(goal).text.contains(">50%<"))
                // Her own milestone: not hers to congratulate; his page offers it once.
                #expect(!(try await alice.get(goal).text.contains("Write a congratulation")))
                #expect(try await alice.post("\(goal)/congratulations", [("congratulation", "Me!"), ("milestone_id", try milestones[0].requireID().uuidString)]).status == .conflict)
                #expect(try await bob.get(goal).text.contains("aria-label=\"Congratulate on Watch Bob run one\""))
                #expect(try await bob.post("\(goal)/congratulations", [("congratulation", "Great first step!"), ("milestone_id", try milestones[0].requireID().uuidString)]).status == .seeOther)
                let twice = try await bob.post("\(goal)/congratulations", [("congratulation", "Great first step!"), ("milestone_id", try milestones[0].requireID().uuidString)])
                #expect(twice.status == .conflict && twice.text.contains(HTML.escape("You congratulated Alice Ahmed on “Watch Bob run one” already.")))
                #expect(!(try await bob.get(goal).text.contains("aria-label=\"Congratulate on Watch Bob run one\"")), "the button goes once used")
                _ = try await alice.post("\(goal)/milestones/\(try milestones[1].requireID())/reached")
                #expect(try await alice.post("\(goal)/reached").location?.hasSuffix("done=reached") == true)
                #expect(try await bob.post("\(goal)/congratulations", [("congratulation", "You did it <3")]).status == .seeOther)
                let page = try await alice.get(goal).text
                #expect(page.contains(">100%<"))
                #expect(page.contains("You did it &lt;3"))
                let workspace = try await bob.get(f.path).text
                for sentence in ["Alice Ahmed set a goal: Lead a design review.", "Alice Ahmed reached a milestone: Watch Bob run one.", "Alice Ahmed reached a goal: Lead a design review.", "You sent congratulations on Lead a design review."] {
                    #expect(workspace.contains(HTML.escape(sentence)) || workspace.contains(sentence), "timeline: \(sentence)")
                }
                #expect(try await InAppNotification.query(on: app.db).filter(\.$userID == f.alice).filter(\.$kind == "congratulated").count() == 2)
                // A mentor's own goal (reverse mentoring) is marked as such.
                _ = try await bob.post("\(f.path)/goals", [("title", "Learn the new data stack"), ("description", ""), ("term", "long"), ("target_on", ""), ("owner", "mentor")])
                #expect(try await alice.get("\(f.path)/goals").text.contains("Bob Brown&#39;s own goal (reverse mentoring)"))
            }
        }

        @Test func `a target date before today, a milestone on another pair's goal and bad fields are refused`() async throws {
            try await withTrellis { app in
                let f = try await WorkspaceFixture.make(app)
                var alice = try await f.browser(app, TestPeople.alice)
                let past = try await alice.post("\(f.path)/goals", [("title", "Old"), ("description", ""), ("term", "short"), ("target_on", WorkspaceFixture.day(-1)), ("owner", "mentee")])
                #expect(past.status == .unprocessableEntity)
                #expect(past.text.contains("id=\"target_on-error\""))
                #expect(past.text.contains("The target date is before today"))
                #expect(past.text.contains("value=\"Old\""), "what was typed stays")
                #expect(try await alice.post("\(f.path)/goals", [("title", ""), ("term", "short"), ("owner", "mentee")]).status == .unprocessableEntity)
                #expect(try await alice.post("\(f.path)/goals", [("title", "x"), ("term", "short"), ("owner", "boss")]).status == .unprocessableEntity)
                #expect(try await GoalRecord.query(on: app.db).count() == 0)
                // Carol and Dave's goal, reached through Alice's pair: not found, and nothing added.
                let carol = try await Pairs.view(f.otherMentorship, for: f.carol, on: app.db)
                let theirs = try await Goals.create(title: "Theirs", description: "", term: "short", targetOn: "", owner: "mentee", pair: carol, on: app.db).requireID()
                #expect(try await alice.post("\(f.path)/goals/\(theirs)/milestones", [("milestone", "Sneaky")]).status == .notFound)
                #expect(try await alice.get("\(f.path)/goals/\(theirs)").status == .notFound)
                #expect(try await alice.post("\(f.path)/goals/\(theirs)/reached").status == .notFound)
                #expect(try await MilestoneRecord.query(on: app.db).count() == 0)
                let mine = try #require(try await alice.post("\(f.path)/goals", [("title", "Mine"), ("term", "short"), ("owner", "mentee")]).location?.split(separator: "?").first.map(String.init))
                let theirMilestone = try await { () -> UUID in
                    try await Goals.addMilestone("Their step", to: theirs, pair: carol, on: app.db)
                    return try #require(try await MilestoneRecord.query(on: app.db).first()).requireID()
                }()
                #expect(try await alice.post("\(mine)/milestones/\(theirMilestone)/reached").status == .notFound, "another goal's milestone through mine")
                #expect(try await alice.post("\(mine)/milestones", [("milestone", String(repeating: "m", count: 201))]).status == .unprocessableEntity)
            }
        }
    }
}
