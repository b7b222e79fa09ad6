import Foundation

/// Where a program is in its life: draft → enrolling → matching → active → concluded.
///
/// - **draft**: the manager sets it up; nobody else sees it.
/// - **enrolling**: people are enrolled, and may join or withdraw themselves.
/// - **matching**: enrolment is closed and pairs are being made (a run reviewed, requests
///   answered, rankings collected).
/// - **active**: the pairs work together.
/// - **concluded**: the program is over; its mentorships are closed.
///
/// A program may go back from matching to enrolling while nothing is published, and never back
/// past a published match.
public enum ProgramState: String, Sendable, CaseIterable, Codable {
    case draft, enrolling, matching, active, concluded

    public var label: String {
        switch self {
        case .draft: "Draft"
        case .enrolling: "Enrolling"
        case .matching: "Matching"
        case .active: "Active"
        case .concluded: "Concluded"
        }
    }

    /// What a program manager does next, in a sentence, for a program in this state.
    public func nextStep(mode: MatchingMode) -> String {
        switch (self, mode) {
        case (.draft, _): "Check the settings, then open enrolment."
        case (.enrolling, .preference):
            "Enrol mentors and mentees (or let them join); each mentee ranks a shortlist of mentors and each mentor ranks the mentees who chose them. Closing enrolment closes the rankings."
        case (.enrolling, _): "Enrol mentors and mentees (or let them join), then close enrolment to start matching."
        case (.matching, .bulk): "Run matching, review the proposed pairs, then publish them."
        case (.matching, .selfSelect): "Mentees are asking mentors; when everyone who can be matched is, start the program."
        case (.matching, .preference): "The rankings are closed: run stable matching, review the pairs, then publish them."
        case (.active, _): "The pairs are working together; conclude the program when it ends."
        case (.concluded, _): "The program is over."
        }
    }

    /// What a program's state change depends on, read by the caller in the same transaction as
    /// the change.
    public struct Facts: Sendable, Equatable {
        public var mentors: Int
        public var mentees: Int
        /// Whether any pair of the program has been made a mentorship (published, or accepted).
        public var hasMentorships: Bool

        public init(mentors: Int, mentees: Int, hasMentorships: Bool) {
            self.mentors = mentors; self.mentees = mentees; self.hasMentorships = hasMentorships
        }
    }

    /// Nil when a program in this state may move to `next` (publishing, which also moves it to
    /// active, is its own step), else why not, in words a manager can act on.
    public func problem(movingTo next: ProgramState, mode: MatchingMode, facts: Facts) -> String? {
        switch (self, next) {
        case (.draft, .enrolling):
            return nil
        case (.enrolling, .draft):
            return facts.mentors + facts.mentees == 0 ? nil : "People are enrolled: a program goes back to draft only while nobody is."
        case (.enrolling, .matching):
            if facts.mentors == 0 || facts.mentees == 0 {
                return "Matching needs at least one mentor and one mentee (enrolled: \(facts.mentors) mentor\(facts.mentors == 1 ? "" : "s"), \(facts.mentees) mentee\(facts.mentees == 1 ? "" : "s"))."
            }
            return nil
        case (.matching, .enrolling):
            guard facts.hasMentorships else { return nil }
            return mode == .selfSelect
                ? "Requests have already been accepted: a program with pairs cannot go back to enrolling."
                : "Pairs are already published: a program cannot go back past a published match."
        case (.matching, .active):
            switch mode {
            case .selfSelect:
                return facts.hasMentorships ? nil : "No request has been accepted yet: a program starts once it has at least one pair."
            case .bulk, .preference:
                return "Publish a matching run to start the program: publishing makes its pairs mentorships and the program active."
            }
        case (.active, .concluded):
            return nil
        case (let from, let to) where from == to:
            return "The program is already \(to.label.lowercased())."
        case (.concluded, _):
            return "A concluded program is final: it cannot be reopened."
        case (.active, let to) where Self.allCases.firstIndex(of: to)! < Self.allCases.firstIndex(of: .active)!:
            return "The program has started: its pairs exist, so it cannot go back to \(to.label.lowercased())."
        case (let from, let to) where Self.allCases.firstIndex(of: to)! < Self.allCases.firstIndex(of: from)!:
            let back = Self.allCases[Self.allCases.firstIndex(of: from)! - 1]
            return "A program moves one step at a time: from \(from.label.lowercased()) it goes back to \(back.label.lowercased()), not \(to.label.lowercased())."
        case (let from, let to):
            return "A program moves one step at a time: from \(from.label.lowercased()) it goes to \(Self.allCases[Self.allCases.firstIndex(of: from)! + 1].label.lowercased()), not \(to.label.lowercased())."
        }
    }

    /// Whether people may join or withdraw themselves on `day`: the program is enrolling and the
    /// day is within its enrolment window (either end may be open).
    public func enrolmentIsOpen(on day: CalendarDay, opens: CalendarDay?, closes: CalendarDay?) -> Bool {
        guard self == .enrolling else { return false }
        if let opens, day < opens { return false }
        if let closes, day > closes { return false }
        return true
    }
}

/// Where a mentorship is: working, paused for a while, or over.
public enum MentorshipState: String, Sendable, CaseIterable, Codable {
    case active, paused, concluded

    public var label: String {
        switch self {
        case .active: "Active"
        case .paused: "Paused"
        case .concluded: "Concluded"
        }
    }
}

extension ProgramRules {
    /// What may not change in a program's settings in its state, by field: the matching mode once
    /// matching has begun (requests, rankings or runs were made under it); the rules and weights
    /// once pairs are published (they explain the pairs that exist); anything but the texts and the
    /// end date once the program is concluded.
    public static func changeProblems(from old: ProgramDraft, to new: ProgramDraft, state: ProgramState) -> ValidationErrors {
        var errors = ValidationErrors()
        let stateText = state.label.lowercased()
        if old.mode != new.mode, state != .draft, state != .enrolling {
            errors.add("mode", "Matching mode cannot change once the program is \(stateText): pairs are being made under it.")
        }
        if state == .active || state == .concluded {
            let rulesChanged = old.excludeSameDepartment != new.excludeSameDepartment || old.minimumScore != new.minimumScore
                || old.allowRepeatPairs != new.allowRepeatPairs
            if rulesChanged { errors.add("minimum_score", "Matching rules cannot change once the program is \(stateText): its pairs were made under them.") }
            if old.enrolmentOpens != new.enrolmentOpens || old.enrolmentCloses != new.enrolmentCloses {
                errors.add("enrolment_opens", "The enrolment window cannot change once the program is \(stateText): enrolment is over.")
            }
        }
        if state == .concluded, old.starts != new.starts {
            errors.add("starts", "The start date cannot change once the program is concluded.")
        }
        return errors
    }
}
