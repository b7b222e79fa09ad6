import Foundation

/// A person's part in one program. One role per program: a person may mentor in one program and
/// be mentored in another, but not both in the same one (they could be matched with themselves,
/// and "my mentor" in the program would be ambiguous).
public enum ProgramRole: String, Sendable, CaseIterable, Codable {
    case mentor, mentee

    public var label: String { self == .mentor ? "Mentor" : "Mentee" }
}

extension ProgramRole: Choice { public static var choiceLabel: String { "Role" } }

/// The rules of joining and leaving a program, written once for the program manager's forms, a
/// participant's own join and withdraw, CSV enrolment, the API and the command line. Decisions
/// over facts the caller reads in the transaction that acts on them.
public enum EnrolmentRules {
    /// How many mentees a mentor takes in one program (a capacity given for the program overrides
    /// the profile's). Zero is not a capacity for a program: a mentor who can take nobody is not
    /// enrolled as a mentor.
    public static let capacity = ProfileRules.Number(label: "Capacity", range: 1...10)
    /// What a participant writes when joining: what they want from the program.
    public static let statement = ProfileRules.Text(label: "Statement", maximum: 1_000, required: false)

    /// A mentor's capacity in a program: the one given for the program, else their profile's; nil
    /// (a problem, see `capacityProblem`) when neither gives one of at least 1.
    public static func effectiveCapacity(role: ProgramRole, given: Int?, profile: Int?) -> Int? {
        guard role == .mentor else { return nil }
        if let given { return given }
        if let profile, profile >= capacity.range.lowerBound { return min(profile, capacity.range.upperBound) }
        return nil
    }

    /// What is wrong with a capacity given for an enrolment, or nil. Only mentors have one, and a
    /// mentor needs one, from here or their profile.
    public static func capacityProblem(role: ProgramRole, given: Int?, profile: Int?) -> String? {
        switch role {
        case .mentee:
            return given == nil ? nil : "A mentee does not take mentees: leave capacity blank, or enrol them as a mentor."
        case .mentor:
            if let given { return capacity.problem(given) }
            if effectiveCapacity(role: role, given: nil, profile: profile) == nil {
                return "Capacity is required for this mentor (how many mentees they take in this program, \(capacity.allowed)): their profile gives none."
            }
            return nil
        }
    }

    /// Why a program manager cannot enrol people now, or nil. Enrolment is the manager's while the
    /// program is being set up and matched; once pairs are published the roster is fixed.
    public static func managerEnrolProblem(state: ProgramState) -> String? {
        switch state {
        case .draft, .enrolling, .matching: nil
        case .active: "The program is active: its pairs are published, so nobody more can be enrolled. Enrol them in a new program."
        case .concluded: "The program is concluded: nobody can be enrolled any more."
        }
    }

    /// What a participant's own join depends on.
    public struct Joining: Sendable, Equatable {
        public var state: ProgramState
        public var today: CalendarDay
        public var opens: CalendarDay?
        public var closes: CalendarDay?
        /// The role they are already enrolled in, if they are.
        public var enrolledAs: ProgramRole?

        public init(state: ProgramState, today: CalendarDay, opens: CalendarDay?, closes: CalendarDay?, enrolledAs: ProgramRole?) {
            self.state = state; self.today = today; self.opens = opens; self.closes = closes; self.enrolledAs = enrolledAs
        }
    }

    /// Why a participant cannot join, or nil.
    public static func refusal(joining facts: Joining) -> String? {
        if let role = facts.enrolledAs { return "You are already enrolled in this program as a \(role.rawValue)." }
        guard facts.state == .enrolling else {
            return "Enrolment is closed: the program is \(facts.state.label.lowercased())."
        }
        if let opens = facts.opens, facts.today < opens { return "Enrolment opens on \(opens)." }
        if let closes = facts.closes, facts.today > closes { return "Enrolment closed on \(closes)." }
        return nil
    }

    /// What leaving a program depends on.
    public struct Withdrawing: Sendable, Equatable {
        public var state: ProgramState
        public var enrolled: Bool
        /// They are in a mentorship of this program (matched, published or accepted).
        public var matched: Bool

        public init(state: ProgramState, enrolled: Bool, matched: Bool) {
            self.state = state; self.enrolled = enrolled; self.matched = matched
        }
    }

    /// Why a participant cannot withdraw (or be removed), or nil. Anyone may leave until they are
    /// matched; after that the mentorship is closed instead (the next issue's workspace).
    public static func refusal(withdrawing facts: Withdrawing) -> String? {
        if !facts.enrolled { return "You are not enrolled in this program." }
        if facts.matched { return "You are already matched in this program, so you cannot withdraw from it. To end the mentorship, talk to your program manager." }
        switch facts.state {
        case .draft, .enrolling, .matching: return nil
        case .active, .concluded: return "The program is \(facts.state.label.lowercased()): its roster is fixed."
        }
    }
}
