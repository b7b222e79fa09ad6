import Foundation

/// A pair's goals (PRODUCT.md §4): short- and long-term, with a description, a target date and
/// milestones; the mentee's by default, or the mentor's own for reverse mentoring. Reaching a
/// milestone or a goal is celebrated.

public enum GoalTerm: String, Sendable, CaseIterable, Codable {
    case short, long

    public var label: String { self == .short ? "Short-term" : "Long-term" }
}

public struct Milestone: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var title: String
    public var reachedAt: Date?

    public init(id: UUID, title: String, reachedAt: Date?) {
        self.id = id
        self.title = title
        self.reachedAt = reachedAt
    }
}

public struct Goal: Sendable, Equatable, Identifiable {
    public var id: UUID
    /// Whose goal it is: the mentee's, or the mentor's own (reverse mentoring).
    public var owner: PairSide
    public var title: String
    public var description: String
    public var term: GoalTerm
    public var targetOn: CalendarDay?
    public var milestones: [Milestone]
    public var reachedAt: Date?

    public init(id: UUID, owner: PairSide, title: String, description: String, term: GoalTerm, targetOn: CalendarDay?, milestones: [Milestone], reachedAt: Date?) {
        self.id = id
        self.owner = owner
        self.title = title
        self.description = description
        self.term = term
        self.targetOn = targetOn
        self.milestones = milestones
        self.reachedAt = reachedAt
    }

    /// Progress from 0 to 100: a reached goal is 100; otherwise the share of milestones reached.
    public var progress: Int {
        if reachedAt != nil { return 100 }
        guard !milestones.isEmpty else { return 0 }
        return milestones.filter { $0.reachedAt != nil }.count * 100 / milestones.count
    }

    /// Whether the target date has passed without the goal being reached.
    public func isLate(today: CalendarDay) -> Bool {
        reachedAt == nil && (targetOn.map { $0 < today } ?? false)
    }
}

public enum GoalRules {
    public static let title = ProfileRules.Text(label: "Goal", maximum: 200, required: true)
    public static let description = ProfileRules.Text(label: "Description", maximum: 4_000, required: false)
    public static let milestone = ProfileRules.Text(label: "Milestone", maximum: 200, required: true)
    public static let congratulation = ProfileRules.Text(label: "Congratulation", maximum: 1_000, required: true)
    public static let mostGoals = 50
    /// How far ahead a target date may be: a goal of a mentorship, not of a career.
    public static let targetYears = 5
    public static let mostMilestones = 20

    /// A goal as a form or the API sends it, read and checked, every problem under its field.
    public static func goal(title: String, description: String, term: String, targetOn: String, owner: String, today: CalendarDay)
        -> Result<(title: String, description: String, term: GoalTerm, targetOn: CalendarDay?, owner: PairSide), ValidationErrors> {
        var errors = ValidationErrors()
        let cleanTitle = TextInput.line(title), cleanDescription = TextInput.paragraphs(description)
        if let problem = Self.title.problem(cleanTitle) { errors.add("title", problem) }
        if let problem = Self.description.problem(cleanDescription) { errors.add("description", problem) }
        let goalTerm = GoalTerm(rawValue: term)
        if goalTerm == nil { errors.add("term", "Term: choose short or long (got “\(term.quoted(40))”).") }
        let side = PairSide(rawValue: owner)
        if side == nil { errors.add("owner", "Whose goal: the mentee's or the mentor's (got “\(owner.quoted(40))”).") }
        var target: CalendarDay?
        let trimmed = targetOn.trimmingCharacters(in: .whitespaces)
        if !trimmed.isEmpty {
            if let day = CalendarDay(trimmed) {
                let latest = today.adding(years: GoalRules.targetYears)
                if day < today { errors.add("target_on", "The target date is before today (\(today)): choose today or a later day.") }
                else if let latest, day > latest { errors.add("target_on", "The target date is more than \(GoalRules.targetYears) years ahead (after \(latest)): choose a nearer day.") }
                else { target = day }
            } else {
                errors.add("target_on", "Target date: write a real day from 2000-01-01 to 2999-12-31 as YYYY-MM-DD (got “\(trimmed.quoted(40))”).")
            }
        }
        guard errors.isEmpty, let goalTerm, let side else { return .failure(errors) }
        return .success((cleanTitle, cleanDescription, goalTerm, target, side))
    }

    /// What the workspace asks about goals: the mentee sets the first one.
    public static func nextStep(for side: PairSide, goals: [Goal], otherName: String, today: CalendarDay) -> String? {
        if goals.isEmpty {
            return side == .mentee ? "Set your first goal: what do you want to be able to do by the end?" : "\(otherName) is asked to set the first goal; you can suggest one together."
        }
        let late = goals.filter { $0.isLate(today: today) }
        if let first = late.first {
            return late.count == 1 ? "The goal “\(first.title)” is past its target date: talk about where it stands, and mark it reached when it is." : "\(Counted.phrase(late.count, "goal", "goals").capitalizedFirst) are past their target date."
        }
        return nil
    }
}
