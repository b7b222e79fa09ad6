import Foundation

/// Preference programs: each mentee ranks a shortlist of mentors, each mentor ranks the mentees
/// who chose them, and a stable match follows both. The rules as decisions over facts the caller
/// reads in the transaction that acts on them.
public enum RankingRules {
    /// The most mentors a mentee may shortlist, and the most mentees a mentor may rank.
    public static let menteeShortlistMaximum = 10
    public static let mentorListMaximum = 50

    public static func maximum(for role: ProgramRole) -> Int {
        role == .mentee ? menteeShortlistMaximum : mentorListMaximum
    }

    /// What a change to someone's ranking depends on.
    public struct Editing: Sendable, Equatable {
        public var state: ProgramState
        public var mode: MatchingMode
        /// The ranker's role in the program (nil: not enrolled).
        public var role: ProgramRole?

        public init(state: ProgramState, mode: MatchingMode, role: ProgramRole?) {
            self.state = state; self.mode = mode; self.role = role
        }
    }

    /// Why the ranker cannot change their ranking now, or nil.
    public static func refusal(editing facts: Editing) -> String? {
        if facts.mode != .preference { return "In this program nobody ranks: rankings belong to preference programs." }
        if facts.role == nil { return "Only the program's mentors and mentees rank." }
        switch facts.state {
        case .enrolling: return nil
        case .draft: return "Rankings open with enrolment; this program is still a draft."
        case .matching: return "The rankings are closed: the program manager is making the match from them."
        case .active, .concluded: return "The match has been made; the rankings can no longer change."
        }
    }

    /// What adding a person to a ranking depends on.
    public struct Adding: Sendable, Equatable {
        public var role: ProgramRole
        public var isSelf: Bool
        /// The person added is enrolled in the other role.
        public var otherEnrolled: Bool
        /// For a mentor: the mentee put this mentor on their shortlist.
        public var rankedTheRanker: Bool
        public var alreadyRanked: Bool
        public var count: Int
        /// The program's hard rules refuse the pair (reporting line, department, a repeat pair):
        /// the sentence that says which.
        public var brokenRule: String?

        public init(role: ProgramRole, isSelf: Bool = false, otherEnrolled: Bool = true, rankedTheRanker: Bool = true,
                    alreadyRanked: Bool = false, count: Int = 0, brokenRule: String? = nil) {
            self.role = role; self.isSelf = isSelf; self.otherEnrolled = otherEnrolled; self.rankedTheRanker = rankedTheRanker
            self.alreadyRanked = alreadyRanked; self.count = count; self.brokenRule = brokenRule
        }
    }

    public static func refusal(adding facts: Adding) -> String? {
        if facts.isSelf { return "You cannot rank yourself." }
        if !facts.otherEnrolled {
            return facts.role == .mentee ? "This person is not a mentor in this program." : "This person is not a mentee in this program."
        }
        if facts.alreadyRanked { return "This person is already in your ranking." }
        if facts.role == .mentor && !facts.rankedTheRanker {
            return "You can rank only mentees who put you on their shortlist."
        }
        if let rule = facts.brokenRule { return "This pair cannot be made in this program: \(rule)" }
        let maximum = maximum(for: facts.role)
        if facts.count >= maximum {
            return facts.role == .mentee
                ? "Your shortlist has \(maximum) mentors, the most it can hold: remove one first."
                : "You have ranked \(maximum) mentees, the most a ranking can hold: remove one first."
        }
        return nil
    }
}

/// A ranking: people in order of preference, first choice first. Ranks are always 1…n with no
/// gaps, whatever was added, moved or removed.
public struct RankedList<ID: Hashable & Sendable>: Sendable, Equatable {
    public private(set) var order: [ID]

    public init(_ order: [ID]) {
        var seen = Set<ID>()
        self.order = order.filter { seen.insert($0).inserted }
    }

    /// The rank of `id` (1 = first choice), or nil.
    public func rank(of id: ID) -> Int? { order.firstIndex(of: id).map { $0 + 1 } }

    /// Adds at the end (the lowest rank). Returns false when it was already there.
    @discardableResult
    public mutating func append(_ id: ID) -> Bool {
        guard !order.contains(id) else { return false }
        order.append(id)
        return true
    }

    @discardableResult
    public mutating func remove(_ id: ID) -> Bool {
        guard let at = order.firstIndex(of: id) else { return false }
        order.remove(at: at)
        return true
    }

    /// Moves `id` one place up (towards first choice) or down. Returns false when it is not in
    /// the list or already at that end.
    @discardableResult
    public mutating func move(_ id: ID, up: Bool) -> Bool {
        guard let at = order.firstIndex(of: id) else { return false }
        let to = up ? at - 1 : at + 1
        guard order.indices.contains(to) else { return false }
        order.swapAt(at, to)
        return true
    }
}
