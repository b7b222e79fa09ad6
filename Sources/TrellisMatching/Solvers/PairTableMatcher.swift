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
    public let capacities: [Int32]
    let arcStart: [Int]
    let arcMentor: [Int32]
    let arcScore: [Int64]

    /// - Throws: `MatchInputError` for a pair naming an unknown mentor, a pair listed twice, or a negative score.
    public init(pairs: [Pair], capacities capacityByMentor: [(mentor: String, capacity: Int)]) throws {
        var mentorIndex: [String: Int] = [:]
        var mentors: [String] = [], capacities: [Int32] = []
        for entry in capacityByMentor {
            guard mentorIndex[entry.mentor] == nil else { throw MatchInputError("Mentor “\(entry.mentor)” has more than one capacity.") }
            guard entry.capacity >= 0 else { throw MatchInputError("Mentor “\(entry.mentor)” has a negative capacity.") }
            mentorIndex[entry.mentor] = mentors.count
            mentors.append(entry.mentor); capacities.append(Int32(entry.capacity))
        }
        var menteeIndex: [String: Int] = [:], mentees: [String] = []
        var perMentee: [[(Int32, Int64)]] = []
        var seen = Set<String>()
        for pair in pairs {
            guard let m = mentorIndex[pair.mentor] else { throw MatchInputError("The pair \(pair.mentee) → \(pair.mentor) names a mentor with no capacity listed.") }
            guard pair.score >= 0 else { throw MatchInputError("The pair \(pair.mentee) → \(pair.mentor) has a negative score.") }
            guard seen.insert(pair.mentee + "\u{0}" + pair.mentor).inserted else { throw MatchInputError("The pair \(pair.mentee) → \(pair.mentor) is listed twice.") }
            let e: Int
            if let known = menteeIndex[pair.mentee] { e = known } else {
                e = mentees.count; menteeIndex[pair.mentee] = e; mentees.append(pair.mentee); perMentee.append([])
            }
            perMentee[e].append((Int32(m), pair.score))
        }
        var arcStart = [0], arcMentor: [Int32] = [], arcScore: [Int64] = []
        for list in perMentee {
            for (mentor, score) in list.sorted(by: { $0.0 < $1.0 }) { arcMentor.append(mentor); arcScore.append(score) }
            arcStart.append(arcMentor.count)
        }
        self.mentees = mentees; self.mentors = mentors; self.capacities = capacities
        self.arcStart = arcStart; self.arcMentor = arcMentor; self.arcScore = arcScore
    }

    public func run(_ algorithm: MatchAlgorithm, objective: MatchObjective = .score) throws -> Outcome {
        let clock = ContinuousClock()
        let start = clock.now
        let n = mentees.count
        var mentorOf = [Int32](repeating: -1, count: n)
        var proven = false
        switch algorithm {
        case .optimal:
            let scale = 2 * (Int64(n) + capacities.reduce(0) { $0 + Int64($1) }) + 2
            let maxScore = arcScore.max() ?? 0
            let bonus: Int64 = objective == .participation ? maxScore * Int64(max(1, n)) + 1 : 0
            let (top, overflow) = (maxScore + bonus).multipliedReportingOverflow(by: scale)
            if overflow || top > Int64.max / 8 { throw MatchInputError("The scores are too large to solve exactly.") }
            let values = arcScore.map { ($0 + bonus) * scale }
            let result = AuctionSolver(menteeCount: n, capacity: capacities, arcStart: arcStart, arcMentor: arcMentor, arcValue: values).solve()
            mentorOf = result.mentorOf
            // Certificate: u = max(0, best value − price) over every listed pair; the gap between the
            // dual and primal objectives must be below one scaled unit.
            var gap: Int64 = 0, broken = false
            var load = [Int32](repeating: 0, count: mentors.count)
            for e in 0..<n {
                var profit: Int64 = 0
                for arc in arcStart[e]..<arcStart[e + 1] { profit = max(profit, values[arc] - result.mentorPrice[Int(arcMentor[arc])]) }
                if mentorOf[e] >= 0 {
                    load[Int(mentorOf[e])] += 1
                    let arc = (arcStart[e]..<arcStart[e + 1]).first { arcMentor[$0] == mentorOf[e] }!
                    let (sum, over) = gap.addingReportingOverflow(profit + result.mentorPrice[Int(mentorOf[e])] - values[arc])
                    if over { broken = true } else { gap = sum }
                } else {
                    let (sum, over) = gap.addingReportingOverflow(profit)
                    if over { broken = true } else { gap = sum }
                }
            }
            for m in mentors.indices where load[m] < capacities[m] {
                let (slack, over1) = result.mentorPrice[m].multipliedReportingOverflow(by: Int64(capacities[m] - load[m]))
                let (sum, over2) = gap.addingReportingOverflow(slack)
                if over1 || over2 { broken = true } else { gap = sum }
            }
            proven = !broken && gap < scale
        case .greedy, .stable:
            // Greedy: best pair first. Stable: both sides rank by the given score, mentees propose.
            var menteeOfArc = [Int32](repeating: 0, count: arcMentor.count)
            for e in 0..<n { for arc in arcStart[e]..<arcStart[e + 1] { menteeOfArc[arc] = Int32(e) } }
            if algorithm == .greedy {
                mentorOf = Greedy.assign(arcStart: arcStart, arcMentor: arcMentor, arcScore: arcScore, capacity: capacities)
            } else {
                var lists = (0..<n).map { e in Array(arcStart[e]..<arcStart[e + 1]).sorted { arcScore[$0] != arcScore[$1] ? arcScore[$0] > arcScore[$1] : arcMentor[$0] < arcMentor[$1] } }
                var next = [Int](repeating: 0, count: n)
                var held = [[Int]](repeating: [], count: mentors.count)   // arcs held by each mentor
                var free = Array((0..<n).reversed())
                while let e = free.popLast() {
                    guard next[e] < lists[e].count else { continue }
                    let arc = lists[e][next[e]]; next[e] += 1
                    let m = Int(arcMentor[arc])
                    guard capacities[m] > 0 else { free.append(e); continue }
                    held[m].append(arc)
                    if held[m].count > Int(capacities[m]) {
                        let worst = held[m].min { arcScore[$0] != arcScore[$1] ? arcScore[$0] < arcScore[$1] : menteeOfArc[$0] > menteeOfArc[$1] }!
                        held[m].removeAll { $0 == worst }
                        free.append(Int(menteeOfArc[worst]))
                    }
                }
                for m in mentors.indices { for arc in held[m] { mentorOf[Int(menteeOfArc[arc])] = Int32(m) } }
                lists.removeAll()
            }
        }
        var pairs: [Pair] = [], unmatched: [String] = []
        for e in 0..<n {
            if mentorOf[e] >= 0 {
                let arc = (arcStart[e]..<arcStart[e + 1]).first { arcMentor[$0] == mentorOf[e] }!
                pairs.append(Pair(mentee: mentees[e], mentor: mentors[Int(mentorOf[e])], score: arcScore[arc]))
            } else {
                unmatched.append(mentees[e])
            }
        }
        return Outcome(
            pairs: pairs, unmatched: unmatched, menteeCount: n, mentorCount: mentors.count, allowedPairs: arcMentor.count,
            provenOptimal: proven, solveSeconds: (clock.now - start).inSeconds
        )
    }
}
