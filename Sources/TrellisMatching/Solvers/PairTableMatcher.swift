import Foundation

/// Matching on scores the caller computed: only the listed pairs are allowed, each with its
/// score; mentors have capacities. The same solvers as for people, and the same proof: here the
/// listed pairs are the whole problem, so the dual certificate is checked on all of them.
public struct PairTableMatcher: Sendable {
    public struct Pair: Sendable, Equatable {
        public var mentee: String
        public var mentor: String
        /// In millionths.
        public var score: Int64
        public init(mentee: String, mentor: String, score: Int64) {
            self.mentee = mentee
            self.mentor = mentor
            self.score = score
        }
    }

    public struct Outcome: Sendable {
        public var pairs: [Pair]
        public var unmatched: [String]
        public var menteeCount: Int
        public var mentorCount: Int
        public var allowedPairs: Int
        public var provenOptimal: Bool
        public var solveSeconds: Double
        public var totalScore: Int64 { pairs.reduce(0) { $0 + $1.score } }
    }

    public let mentees: [String]
    public let mentors: [String]
    /// Each mentor's places as the solver has them: the capacity given, cut to the number of
    /// pairs the mentor has (more could never be filled).
    public var capacities: [Int32] { problem.capacity }
    let problem: SparseProblem

    /// - Throws: `MatchInputError` for a pair naming an unknown mentor, a pair listed twice, or a
    ///   score below 0 or above `ScoreUnits.maximumScore`.
    public init(pairs: [Pair], capacities capacityByMentor: [(mentor: String, capacity: Int)]) throws {
        var mentorIndex: [String: Int] = [:]
        var mentors: [String] = [], capacities: [Int] = []
        for entry in capacityByMentor {
            guard mentorIndex[entry.mentor] == nil else { throw MatchInputError("Mentor “\(entry.mentor)” has more than one capacity.") }
            mentorIndex[entry.mentor] = mentors.count
            mentors.append(entry.mentor); capacities.append(entry.capacity)
        }
        var menteeIndex: [String: Int] = [:], mentees: [String] = []
        var arcs: [(mentee: Int, mentor: Int, score: Int64)] = []
        arcs.reserveCapacity(pairs.count)
        for pair in pairs {
            guard let m = mentorIndex[pair.mentor] else { throw MatchInputError("The pair \(pair.mentee) → \(pair.mentor) names a mentor with no capacity listed.") }
            let e: Int
            if let known = menteeIndex[pair.mentee] { e = known } else {
                e = mentees.count; menteeIndex[pair.mentee] = e; mentees.append(pair.mentee)
            }
            arcs.append((e, m, pair.score))
        }
        try self.init(mentees: mentees, mentors: mentors, capacities: capacities, arcs: arcs)
    }

    /// The same from people already numbered: `arcs` name mentees and mentors by their place in
    /// `mentees` and `mentors` (a caller that numbered them while reading need not hash every
    /// pair's names again).
    /// - Throws: `MatchInputError` for a name listed twice, a place out of range, a pair listed
    ///   twice, a negative score or capacity.
    public init(mentees: [String], mentors: [String], capacities: [Int], arcs: [(mentee: Int, mentor: Int, score: Int64)]) throws {
        guard capacities.count == mentors.count else { throw MatchInputError("Every mentor needs one capacity.") }
        // A name under two numbers would let one pair be listed twice unseen, or one mentee be matched twice.
        for (names, side) in [(mentees, "Mentee"), (mentors, "Mentor")] {
            var seen = Set<String>()
            if let twice = names.first(where: { !seen.insert($0).inserted }) { throw MatchInputError("\(side) “\(twice)” is listed more than once.") }
        }
        for (mentor, capacity) in zip(mentors, capacities) where capacity < 0 || capacity > Int(Int32.max) {
            throw MatchInputError("Mentor “\(mentor)” has a capacity out of range (\(capacity)).")
        }
        for arc in arcs {
            guard mentees.indices.contains(arc.mentee), mentors.indices.contains(arc.mentor) else { throw MatchInputError("A pair names someone not listed.") }
            guard arc.score >= 0 else { throw MatchInputError("The pair \(mentees[arc.mentee]) → \(mentors[arc.mentor]) has a negative score.") }
            guard arc.score <= ScoreUnits.maximumScore else {
                throw MatchInputError("The pair \(mentees[arc.mentee]) → \(mentors[arc.mentor]) has a score above \(ScoreUnits.format(ScoreUnits.maximumScore)).")
            }
        }
        // A mentor never takes more mentees than it has pairs with, and the table lists every
        // allowed pair: a larger capacity is cut to that (the solver keeps a place per unit of
        // capacity, and 2 billion places for one mentor ran out of memory). Sound here only: the
        // engine's candidate graph leaves pairs out, so there a mentor's places stay as given.
        var degree = [Int](repeating: 0, count: mentors.count)
        for arc in arcs { degree[arc.mentor] += 1 }
        let problem = SparseProblem(menteeCount: mentees.count, capacity: zip(capacities, degree).map { Int32(min($0, $1)) }, pairs: arcs)
        // Each mentee's arcs are in mentor order: a pair listed twice sits beside itself.
        for e in 0..<problem.menteeCount {
            for arc in problem.arcs(of: e).dropFirst() where problem.arcMentor[arc] == problem.arcMentor[arc - 1] {
                throw MatchInputError("The pair \(mentees[e]) → \(mentors[Int(problem.arcMentor[arc])]) is listed twice.")
            }
        }
        self.mentees = mentees
        self.mentors = mentors
        self.problem = problem
    }

    public func run(_ algorithm: MatchAlgorithm, objective: MatchObjective = .score) throws -> Outcome {
        let clock = ContinuousClock()
        let start = clock.now
        let n = mentees.count
        var mentorOf = [Int32](repeating: -1, count: n)
        var proven = false
        switch algorithm {
        case .optimal:
            guard let scale = ValueScale(menteeCount: n, capacity: capacities, maxScore: problem.maxScore, objective: objective, unit: ValueScale.unit(of: problem.arcScore)) else {
                throw MatchInputError("The scores are too large to solve exactly.")
            }
            // The listed pairs are the whole problem: the certificate is checked on all of them.
            let values = scale.values(of: problem)
            let result = AuctionSolver(problem, values: values).solve()
            mentorOf = result.mentorOf
            let profits = DualCertificate.profits(problem, values: values, prices: result.mentorPrice)
            proven = DualCertificate.proves(problem, values: values, prices: result.mentorPrice, profits: profits, mentorOf: mentorOf, scale: scale)
        case .greedy:
            mentorOf = Greedy.assign(problem)
        case .stable:
            // Both sides rank by the given score (ties: the lower mentor, the lower mentee first);
            // mentees propose.
            let problem = problem
            let proposals = (0..<n).map { e in
                problem.arcs(of: e).sorted { problem.arcScore[$0] != problem.arcScore[$1] ? problem.arcScore[$0] > problem.arcScore[$1] : problem.arcMentor[$0] < problem.arcMentor[$1] }
                    .map { Int(problem.arcMentor[$0]) }
            }
            // A pair's score by binary search: a problem made from pairs keeps each mentee's arcs
            // in mentor order (a linear search made each eviction cost the mentee's whole list).
            func score(_ e: Int, _ m: Int) -> Int64 {
                var low = problem.arcStart[e], high = problem.arcStart[e + 1]
                while low < high {
                    let middle = (low + high) / 2
                    if problem.arcMentor[middle] < Int32(m) { low = middle + 1 } else { high = middle }
                }
                return problem.arcScore[low]
            }
            let held = DeferredAcceptance.run(proposals: proposals, capacity: capacities) { m, a, b in
                let sa = score(a, m), sb = score(b, m)
                return sa != sb ? sa < sb : a > b
            }
            for m in held.indices { for e in held[m] { mentorOf[e] = Int32(m) } }
        }
        var pairs: [Pair] = [], unmatched: [String] = []
        for e in 0..<n {
            if let score = problem.score(of: e, in: mentorOf) {
                pairs.append(Pair(mentee: mentees[e], mentor: mentors[Int(mentorOf[e])], score: score))
            } else {
                unmatched.append(mentees[e])
            }
        }
        return Outcome(
            pairs: pairs, unmatched: unmatched, menteeCount: n, mentorCount: mentors.count, allowedPairs: problem.arcCount,
            provenOptimal: proven, solveSeconds: (clock.now - start).inSeconds
        )
    }
}
