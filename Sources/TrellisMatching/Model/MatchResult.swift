import Foundation

/// Which algorithm made an assignment.
public enum MatchAlgorithm: String, Sendable, CaseIterable, Codable {
    /// The best objective under every hard rule, proven.
    case optimal
    /// Mentee-optimal stable assignment from both sides' rankings (deferred acceptance).
    case stable
    /// Best pair first: the baseline.
    case greedy
}

/// One pair of the assignment.
public struct MatchedPair: Sendable, Equatable {
    public var menteeID: String
    public var mentorID: String
    /// In millionths.
    public var score: Int64
    /// Made because an admin locked it.
    public var locked: Bool
}

/// Why a mentee has no mentor.
public enum UnmatchedReason: Sendable, Equatable {
    /// Every mentor is ruled out by a hard rule (or there are no mentors).
    case noEligibleMentor
    /// Eligible mentors exist but every one scores below the run's minimum.
    case belowMinimumScore
    /// Every mentor they could have is taken by mentees who make a better total.
    case mentorsFull(eligible: Int)
    /// Stable matching: no mutually ranked mentor would take them.
    case notChosen
    /// Stable matching: no mentor they ranked also ranked them (within the program's rules).
    case noMutualRanking
    /// Stable matching: they ranked no mentor.
    case rankedNobody
    /// Participation was maximised and this mentee still could not be placed.
    case noRoom

    public var sentence: String {
        switch self {
        case .noEligibleMentor: "No mentor is eligible: each is ruled out by a hard rule (reporting line, department, exclusion, or no capacity)."
        case .belowMinimumScore: "Every eligible mentor scores below the minimum score for this run."
        case .mentorsFull(let eligible): "All \(eligible) eligible mentor\(eligible == 1 ? " is" : "s are") full with mentees for whom they make a better overall match."
        case .notChosen: "No mentor who ranked this mentee, and whom the mentee ranked, had room for them."
        case .noMutualRanking: "No mentor this mentee ranked also ranked them (pairs that break a rule of the program do not count)."
        case .rankedNobody: "This mentee ranked no mentor."
        case .noRoom: "There is no room: placing this mentee would take a mentor from someone else without matching more people."
        }
    }
}

public struct UnmatchedMentee: Sendable, Equatable {
    public var menteeID: String
    public var reason: UnmatchedReason
}

/// How long each phase took, in seconds.
public struct PhaseTimings: Sendable, Equatable {
    public var prepare: Double = 0
    public var scoring: Double = 0
    public var candidates: Double = 0
    public var solve: Double = 0
    public var proof: Double = 0
    public var total: Double { prepare + scoring + candidates + solve + proof }
}

/// The outcome of a run.
public struct MatchResult: Sendable {
    public var algorithm: MatchAlgorithm
    public var objective: MatchObjective
    public var pairs: [MatchedPair]
    public var unmatched: [UnmatchedMentee]
    public var mentorCount: Int
    public var menteeCount: Int
    public var people: Int
    /// Pairs that pass every hard rule (before the minimum score).
    public var eligiblePairs: Int
    /// Pairs in the sparse problem the solver saw.
    public var candidatePairs: Int
    /// Whether a dual certificate proved the assignment optimal for the full problem.
    public var provenOptimal: Bool
    /// Pairs the proof added back to the sparse problem before it closed.
    public var pairsAddedByProof: Int
    public var timings: PhaseTimings

    /// In millionths.
    public var totalScore: Int64 { pairs.reduce(0) { $0 + $1.score } }
    public var meanScore: Double { pairs.isEmpty ? 0 : ScoreUnits.value(totalScore) / Double(pairs.count) }
}
