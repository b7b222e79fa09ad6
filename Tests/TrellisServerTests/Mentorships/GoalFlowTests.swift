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

        @Test func `a goal is changed and removed by either of the pair; a passed target date may stay, a new one may not be past`() async throws {
            try await withTrellis { app in
                let f = try await WorkspaceFixture.make(app)
                var alice = try await f.browser(app, TestPeople.alice)
                var bob = try await f.browser(app, TestPeople.bob)
                let set = try await alice.post("\(f.path)/goals", [("title", "Lead a design reveiw"), ("description", ""), ("term", "short"), ("target_on", WorkspaceFixture.day(10)), ("owner", "mentee")])
                let goal = try #require(set.location?.split(separator: "?").first.map(String.init))
                let record = try #require(try await GoalRecord.query(on: app.db).first())
                // Its target date has passed since.
                record.targetOn = WorkspaceFixture.day(-2)
                try await record.update(on: app.db)
                #expect(try await bob.get(goal).text.contains("Change this goal"))
                let fixed = try await bob.post("\(goal)/edit", [("title", "Lead a design review"), ("description", "On my own."), ("term", "long"), ("target_on", WorkspaceFixture.day(-2))])
                #expect(fixed.location?.hasSuffix("?done=changed") == true, "the date it has may stay")
                let stored = try #require(try await GoalRecord.find(record.id, on: app.db))
                #expect(stored.title == "Lead a design review" && stored.term == "long" && stored.ownerSide == "mentee" && stored.targetOn == WorkspaceFixture.day(-2))
                let past = try await alice.post("\(goal)/edit", [("title", "x"), ("description", ""), ("term", "long"), ("target_on", WorkspaceFixture.day(-1))])
                #expect(past.status == .unprocessableEntity && past.text.contains(#"id="target_on-error""#) && past.text.contains("<details open>"))
                let blank = try await alice.post("\(goal)/edit", [("title", " "), ("description", ""), ("term", "long"), ("target_on", "")])
                #expect(blank.status == .unprocessableEntity && blank.text.contains(#"id="title-error""#))
                #expect(try await GoalRecord.find(record.id, on: app.db)?.title == "Lead a design review", "nothing changed")

                // The API changes only what it is sent; null clears the date.
                let token = try await ServerTests.API.token(for: TestPeople.alice, app: app)
                let api = "/api/v1/mentorships/\(f.mentorship)/goals/\(try record.requireID())"
                let patched = try await ServerTests.ProgramsAPI.call(app, .PATCH, api, token, ["target_on": NSNull()])
                #expect(patched.status == .ok && (patched.json as? [String: Any])?["title"] as? String == "Lead a design review" && (patched.json as? [String: Any])?["target_on"] is NSNull)
                #expect(try await ServerTests.ProgramsAPI.call(app, .PATCH, api, token, ["owner": "mentor"]).status == .unprocessableEntity, "whose goal it is does not change")

                // Removed with its milestones and congratulations, for both; the timeline keeps it.
                _ = try await alice.post("\(goal)/milestones", [("milestone", "Watch one")])
                let milestone = try #require(try await MilestoneRecord.query(on: app.db).first())
                _ = try await alice.post("\(goal)/milestones/\(try milestone.requireID())/reached")
                #expect(try await bob.post("\(goal)/congratulations", [("congratulation", "Well done"), ("milestone_id", try milestone.requireID().uuidString)]).status == .seeOther)
                var carol = try await f.browser(app, WorkspaceFixture.carol)
                #expect(try await carol.post("\(goal)/delete").status == .notFound)
                #expect(try await alice.post("\(goal)/delete").location == "\(f.path)/goals?done=removed")
                let left = (try await GoalRecord.query(on: app.db).count(), try await MilestoneRecord.query(on: app.db).count(), try await CongratulationRecord.query(on: app.db).count())
                #expect(left == (0, 0, 0))
                #expect(try await bob.get(goal).status == .notFound)
                #expect(try await bob.get(f.path).text.contains(HTML.escape("Alice Ahmed set a goal: Lead a design reveiw.")), "the timeline keeps what happened")
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
