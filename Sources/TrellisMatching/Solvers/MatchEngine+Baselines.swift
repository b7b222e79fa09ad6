import Foundation

/// One entry of a ranked shortlist: `ranker` puts `ranked` at `rank` (1 = first choice).
public struct Ranking: Sendable, Equatable {
    public var ranker: String
    public var ranked: String
    public var rank: Int

    public init(ranker: String, ranked: String, rank: Int) {
        self.ranker = ranker
        self.ranked = ranked
        self.rank = rank
    }
}

extension MatchEngine {
    /// Best pair first over the same candidate pairs the optimal solver sees: the baseline that
    /// shows what optimisation gains.
    public func greedy(progress: (@Sendable (Phase, Double) -> Void)? = nil) throws -> MatchResult {
        let clock = ContinuousClock()
        let (run, scored) = try candidates(progress: progress)
        var timings = scored
        let start = clock.now
        let mentorOf = Greedy.assign(run.graph.problem(capacity: run.capacityLeft))
        timings.solve = (clock.now - start).inSeconds
        return result(.greedy, objective: .score, mentorOf: mentorOf, run: run, timings: timings)
    }

    /// The mentee-optimal stable assignment (deferred acceptance with capacities). Only pairs
    /// both sides ranked, and that keep every hard rule, are ever made. No mentee and mentor would
    /// both rather be together than with what they got.
    public func stable(rankings: [Ranking]) throws -> MatchResult {
        var timings = PhaseTimings()
        let clock = ContinuousClock()
        let start = clock.now
        let (locks, capacityLeft) = try lockedPairs()
        let lockedMentees = Set(locks.map(\.mentee))
        var menteeList = [[(rank: Int, mentor: Int)]](repeating: [], count: menteeCount)
        var mentorRank = [[Int: Int]](repeating: [:], count: mentorCount)   // mentor → mentee → rank
        for entry in rankings {
            guard entry.rank >= 1 else { throw MatchInputError("Ranking \(entry.ranker) → \(entry.ranked): the rank must be 1 or more.") }
            if let e = menteeSlot(entry.ranker), let m = mentorSlot(entry.ranked) {
                menteeList[e].append((entry.rank, m))
            } else if let m = mentorSlot(entry.ranker), let e = menteeSlot(entry.ranked) {
                if let existing = mentorRank[m][e] { mentorRank[m][e] = min(existing, entry.rank) } else { mentorRank[m][e] = entry.rank }
            } else {
                throw MatchInputError("Ranking \(entry.ranker) → \(entry.ranked): a ranking must be from a mentee to a mentor or from a mentor to a mentee in this run.")
            }
        }
        let rankedSomeone = menteeList.map { !$0.isEmpty }
        // Each list in rank order (ties by id), keeping only mutually ranked, allowed pairs.
        for e in 0..<menteeCount {
            var seen = Set<Int>()
            menteeList[e] = menteeList[e]
                .sorted { ($0.rank, id(mentor: $0.mentor)) < ($1.rank, id(mentor: $1.mentor)) }
                .filter { seen.insert($0.mentor).inserted && mentorRank[$0.mentor][e] != nil && instance.eligibleScore(mentee: e, mentor: $0.mentor) != nil }
        }
        let held = DeferredAcceptance.run(
            proposals: menteeList.indices.map { lockedMentees.contains($0) ? [] : menteeList[$0].map(\.mentor) }, capacity: capacityLeft
        ) { m, a, b in
            let ra = mentorRank[m][a]!, rb = mentorRank[m][b]!
            return ra != rb ? ra > rb : id(mentee: a) > id(mentee: b)
        }
        var pairs = lockedMatches(locks)
        var matched = Set<Int>()
        for m in 0..<mentorCount {
            for e in held[m] {
                matched.insert(e)
                pairs.append(MatchedPair(menteeID: id(mentee: e), mentorID: id(mentor: m), score: instance.score(mentee: e, mentor: m), locked: false))
            }
        }
        let unmatched = (0..<menteeCount).filter { !matched.contains($0) && !lockedMentees.contains($0) }.map { e in
            UnmatchedMentee(menteeID: id(mentee: e), reason: !rankedSomeone[e] ? .rankedNobody : menteeList[e].isEmpty ? .noMutualRanking : .notChosen)
        }
        timings.solve = (clock.now - start).inSeconds
        return MatchResult(
            algorithm: .stable, objective: .score, pairs: pairs.sorted { $0.menteeID < $1.menteeID }, unmatched: unmatched,
            mentorCount: mentorCount, menteeCount: menteeCount, people: instance.participants.count,
            eligiblePairs: menteeList.reduce(0) { $0 + $1.count }, candidatePairs: menteeList.reduce(0) { $0 + $1.count },
            provenOptimal: false, pairsAddedByProof: 0, timings: timings
        )
    }

    /// The pairs of a result that would both rather be together than with what they got (under
    /// both sides' rankings and the program's rules): none for `stable(rankings:)`'s own result
    /// unless locked pairs forced otherwise. Checks every mutually ranked pair once.
    public func blockingPairs(rankings: [Ranking], in result: MatchResult) -> [(mentee: String, mentor: String)] {
        var menteeRank: [Int: [Int: Int]] = [:], mentorRank: [Int: [Int: Int]] = [:]
        for entry in rankings {
            if let e = menteeSlot(entry.ranker), let m = mentorSlot(entry.ranked) {
                menteeRank[e, default: [:]][m] = min(menteeRank[e]?[m] ?? .max, entry.rank)
            } else if let m = mentorSlot(entry.ranker), let e = menteeSlot(entry.ranked) {
                mentorRank[m, default: [:]][e] = min(mentorRank[m]?[e] ?? .max, entry.rank)
            }
        }
        var mentorOf: [Int: Int] = [:]
        var held = [[Int]](repeating: [], count: mentorCount)
        for pair in result.pairs {
            guard let e = menteeSlot(pair.menteeID), let m = mentorSlot(pair.mentorID) else { continue }
            mentorOf[e] = m
            held[m].append(e)
        }
        var blocking: [(mentee: String, mentor: String)] = []
        for (e, ranks) in menteeRank {
            for (m, rank) in ranks where mentorOf[e] != m {
                guard let theirs = mentorRank[m]?[e], instance.eligibleScore(mentee: e, mentor: m) != nil else { continue }
                // The mentee would move: unmatched, or holding a mentor they ranked lower (or a
                // mentor they did not rank, from a manager's decision, counts as worse).
                if let current = mentorOf[e], let currentRank = ranks[current], currentRank <= rank { continue }
                // The mentor would take them: a place free, or someone they like less.
                let room = held[m].count < Int(instance.mentorCapacity[m])
                let worse = held[m].contains { (mentorRank[m]?[$0] ?? .max) > theirs }
                if room || worse { blocking.append((id(mentee: e), id(mentor: m))) }
            }
        }
        return blocking.sorted { ($0.mentee, $0.mentor) < ($1.mentee, $1.mentor) }
    }

    /// Why this mentee was not paired with this mentor, in words.
    public func whyNot(menteeID: String, mentorID: String, in result: MatchResult) -> String {
        guard let e = menteeSlot(menteeID) else { return "“\(menteeID)” is not looking for a mentor in this run." }
        guard let m = mentorSlot(mentorID) else { return "“\(mentorID)” is not mentoring in this run (their role, or no capacity)." }
        if result.pairs.contains(where: { $0.menteeID == menteeID && $0.mentorID == mentorID }) { return "They are paired." }
        let explanation = instance.explain(mentee: e, mentor: m)
        if let broken = explanation.brokenRule { return broken.sentence }
        let score = ScoreUnits.format(explanation.score)
        let current = result.pairs.first { $0.menteeID == menteeID }
        let mentorsMentees = result.pairs.filter { $0.mentorID == mentorID }
        var sentences: [String] = []
        if let current {
            sentences.append("Together they would score \(score); \(menteeID) is paired with \(current.mentorID) at \(ScoreUnits.format(current.score)).")
        } else {
            sentences.append("Together they would score \(score); \(menteeID) is not paired.")
        }
        let capacity = Int(instance.mentorCapacity[m])
        if mentorsMentees.count >= capacity {
            let weakest = mentorsMentees.min { $0.score < $1.score }!
            sentences.append("\(mentorID) is full (\(capacity) of \(capacity)); their weakest pair, with \(weakest.menteeID), scores \(ScoreUnits.format(weakest.score)).")
        } else {
            sentences.append("\(mentorID) has room (\(mentorsMentees.count) of \(capacity)).")
        }
        switch result.algorithm {
        case .optimal:
            sentences.append(result.objective == .participation
                ? "Making this pair would lower the number of people matched or the total score: the assignment was proven best."
                : "Making this pair would lower the total score of the whole cohort: the assignment was proven best.")
        case .greedy:
            sentences.append("Greedy matching takes the best remaining pair first and never reconsiders.")
        case .stable:
            sentences.append("Stable matching follows both sides' rankings, not scores.")
        }
        return sentences.joined(separator: " ")
    }
}

/// Best pair first over a sparse problem given as arcs by mentee (CSR): the greedy baseline.
enum Greedy {
    /// The mentor of each mentee (-1 for none). Highest score first; ties by mentee, then mentor,
    /// so the result never depends on the order of the arcs.
    static func assign(_ problem: SparseProblem) -> [Int32] {
        var menteeOfArc = [Int32](repeating: 0, count: problem.arcCount)
        for e in 0..<problem.menteeCount { for arc in problem.arcs(of: e) { menteeOfArc[arc] = Int32(e) } }
        let arcScore = problem.arcScore, arcMentor = problem.arcMentor
        var arcs = Array(0..<problem.arcCount)
        arcs.sort { a, b in
            arcScore[a] != arcScore[b] ? arcScore[a] > arcScore[b]
                : menteeOfArc[a] != menteeOfArc[b] ? menteeOfArc[a] < menteeOfArc[b] : arcMentor[a] < arcMentor[b]
        }
        var load = [Int32](repeating: 0, count: problem.mentorCount)
        var mentorOf = [Int32](repeating: -1, count: problem.menteeCount)
        for arc in arcs {
            let e = Int(menteeOfArc[arc]), m = Int(arcMentor[arc])
            guard mentorOf[e] < 0, load[m] < problem.capacity[m] else { continue }
            mentorOf[e] = Int32(m)
            load[m] += 1
        }
        return mentorOf
    }
}
