import Foundation
import Testing
@testable import TrellisCore

/// Goals as plain rules (PRODUCT.md §4): progress from milestones, the target date, whose goal.
struct GoalTests {
    static let today = CalendarDay("2027-03-10")!

    @Test func `progress follows the milestones, and a reached goal is complete`() {
        let open = Milestone(id: UUID(), title: "a", reachedAt: nil), done = Milestone(id: UUID(), title: "b", reachedAt: Date())
        var goal = Goal(id: UUID(), owner: .mentee, title: "Lead a review", description: "", term: .short, targetOn: CalendarDay("2027-04-01"), milestones: [], reachedAt: nil)
        #expect(goal.progress == 0)
        goal.milestones = [open, done, open]
        #expect(goal.progress == 33)
        goal.milestones = [done, done]
        #expect(goal.progress == 100)
        goal.milestones = [open]
        goal.reachedAt = Date()
        #expect(goal.progress == 100, "reached is reached, whatever the milestones")
        #expect(!goal.isLate(today: CalendarDay("2027-05-01")!))
        goal.reachedAt = nil
        #expect(goal.isLate(today: CalendarDay("2027-04-02")!))
        #expect(!goal.isLate(today: CalendarDay("2027-04-01")!))
    }

    @Test func `a goal's fields are checked, each problem under its field`() throws {
        let good = try GoalRules.goal(title: "  Lead a design review \u{7}", description: "Why:\nto grow.", term: "long", targetOn: "2027-03-10", owner: "mentor", today: Self.today).get()
        #expect(good.title == "Lead a design review")
        #expect(good.term == .long && good.owner == .mentor && good.targetOn == Self.today)
        #expect(try GoalRules.goal(title: "x", description: "", term: "short", targetOn: " ", owner: "mentee", today: Self.today).get().targetOn == nil)
        guard case .failure(let errors) = GoalRules.goal(title: " ", description: String(repeating: "d", count: 4_001), term: "forever", targetOn: "2027-03-09", owner: "boss", today: Self.today) else {
            Issue.record("passed"); return
        }
        #expect(errors.order == ["title", "description", "term", "owner", "target_on"])
        #expect(errors["target_on"] == "The target date is before today (2027-03-10): choose today or a later day.")
        #expect(errors["term"] == "Term: choose short or long (got “forever”).")
        guard case .failure(let day) = GoalRules.goal(title: "x", description: "", term: "short", targetOn: "2027-02-30", owner: "mentee", today: Self.today) else { Issue.record("passed"); return }
        #expect(day["target_on"]?.contains("got “2027-02-30”") == true)
        #expect((try? GoalRules.goal(title: "x", description: "", term: "long", targetOn: "2032-03-10", owner: "mentee", today: Self.today).get()) != nil, "five years ahead is allowed")
        guard case .failure(let far) = GoalRules.goal(title: "x", description: "", term: "long", targetOn: "2999-12-31", owner: "mentee", today: Self.today) else { Issue.record("passed"); return }
        #expect(far["target_on"] == "The target date is more than 5 years ahead (after 2032-03-10): choose a nearer day.")
    }

    @Test func `the mentee is asked to set the first goal, and late goals are named`() {
        #expect(GoalRules.nextStep(for: .mentee, goals: [], otherName: "Dana", today: Self.today) == "Set your first goal: what do you want to be able to do by the end?")
        #expect(GoalRules.nextStep(for: .mentor, goals: [], otherName: "Sam", today: Self.today)?.hasPrefix("Sam is asked to set the first goal") == true)
        let late = Goal(id: UUID(), owner: .mentee, title: "Ship it", description: "", term: .short, targetOn: CalendarDay("2027-03-01"), milestones: [], reachedAt: nil)
        #expect(GoalRules.nextStep(for: .mentee, goals: [late], otherName: "Dana", today: Self.today) == "The goal “Ship it” is past its target date: talk about where it stands, and mark it reached when it is.")
        #expect(GoalRules.nextStep(for: .mentee, goals: [late, late], otherName: "Dana", today: Self.today) == "Two goals are past their target date.")
        var reached = late
        reached.reachedAt = Date()
        #expect(GoalRules.nextStep(for: .mentee, goals: [reached], otherName: "Dana", today: Self.today) == nil)
    }
}
