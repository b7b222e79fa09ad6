import Foundation
import Testing
import TrellisCore
@testable import TrellisMatching
import TrellisFixtures

/// The parts every solver shares (`SparseProblem`, `ValueScale`, `DualCertificate`,
/// `DeferredAcceptance`), on random sparse problems.
@Suite struct SharedSolverPartsTests {
    static func randomProblem(_ rng: inout SeededGenerator, mentees: Int = 30, mentors: Int = 8) -> SparseProblem {
        let capacity = (0..<mentors).map { _ in Int32(Int.random(in: 0...3, using: &rng)) }
        var pairs: [(mentee: Int, mentor: Int, score: Int64)] = []
        for e in 0..<mentees {
            for m in 0..<mentors where Int.random(in: 0..<3, using: &rng) == 0 {
                // Few distinct scores, so that ties are common.
                pairs.append((e, m, Int64.random(in: 0...8, using: &rng) * 125_000))
            }
        }
        return SparseProblem(menteeCount: mentees, capacity: capacity, pairs: pairs.shuffled(using: &rng))
    }

    @Test("pairs given in any order make the same arcs, each mentee's in mentor order, each with its score")
    func arcsInOrder() {
        var rng = SeededGenerator(seed: 5)
        var pairs: [(mentee: Int, mentor: Int, score: Int64)] = []
        for e in 0..<40 { for m in 0..<9 where Int.random(in: 0..<3, using: &rng) == 0 { pairs.append((e, m, Int64(e * 1_000 + m))) } }
        let first = SparseProblem(menteeCount: 40, capacity: Array(repeating: 1, count: 9), pairs: pairs.shuffled(using: &rng))
        let second = SparseProblem(menteeCount: 40, capacity: Array(repeating: 1, count: 9), pairs: pairs.shuffled(using: &rng))
        #expect(first.arcStart == second.arcStart && first.arcMentor == second.arcMentor && first.arcScore == second.arcScore)
        var seen: [String] = []
        for e in 0..<first.menteeCount {
            let mentors = first.arcs(of: e).map { first.arcMentor[$0] }
            #expect(mentors == mentors.sorted())
            for arc in first.arcs(of: e) { seen.append("\(e) \(first.arcMentor[arc]) \(first.arcScore[arc])") }
        }
        #expect(seen.sorted() == pairs.map { "\($0.mentee) \($0.mentor) \($0.score)" }.sorted())
    }

    @Test("the certificate refuses an assignment that overfills a mentor or uses a pair not in the problem")
    func certificateRefusesInfeasible() throws {
        // Two mentees, one mentor with one place; both pairs worth the same.
        let problem = SparseProblem(menteeCount: 2, capacity: [1, 0], pairs: [(0, 0, 500_000), (1, 0, 500_000)])
        let scale = try #require(ValueScale(menteeCount: 2, capacity: problem.capacity, maxScore: problem.maxScore, objective: .score))
        let values = scale.values(of: problem)
        let result = AuctionSolver(problem, values: values).solve()
        let profits = DualCertificate.profits(problem, values: values, prices: result.mentorPrice)
        #expect(DualCertificate.proves(problem, values: values, prices: result.mentorPrice, profits: profits, mentorOf: result.mentorOf, scale: scale))
        #expect(!DualCertificate.proves(problem, values: values, prices: result.mentorPrice, profits: profits, mentorOf: [0, 0], scale: scale))
        #expect(!DualCertificate.proves(problem, values: values, prices: result.mentorPrice, profits: profits, mentorOf: [1, -1], scale: scale))
    }

    @Test("the certificate proves the solver's answer and refuses one a pair worse")
    func certificate() throws {
        var rng = SeededGenerator(seed: 77)
        var refused = 0
        for objective in MatchObjective.allCases {
            for _ in 0..<20 {
                let problem = Self.randomProblem(&rng)
                let scale = try #require(ValueScale(menteeCount: problem.menteeCount, capacity: problem.capacity, maxScore: problem.maxScore, objective: objective))
                let values = scale.values(of: problem)
                let result = AuctionSolver(problem, values: values).solve()
                let profits = DualCertificate.profits(problem, values: values, prices: result.mentorPrice)
                #expect(DualCertificate.proves(problem, values: values, prices: result.mentorPrice, profits: profits, mentorOf: result.mentorOf, scale: scale))
                // Leaving a paired mentee out loses their pair's value: the same duals prove nothing.
                if let e = (0..<problem.menteeCount).first(where: { (problem.score(of: $0, in: result.mentorOf) ?? 0) > 0 || (objective == .participation && result.mentorOf[$0] >= 0) }) {
                    var worse = result.mentorOf
                    worse[e] = -1
                    #expect(!DualCertificate.proves(problem, values: values, prices: result.mentorPrice, profits: profits, mentorOf: worse, scale: scale))
                    refused += 1
                }
            }
        }
        #expect(refused > 30)
    }

    @Test("dividing the scores by their common unit keeps the optimum, and lets participation solve a large table of large scores")
    func commonUnit() throws {
        #expect(ValueScale.unit(of: [0, 250_000, 750_000, 1_000_000]) == 250_000)
        #expect(ValueScale.unit(of: [0, 0]) == 1 && ValueScale.unit(of: []) == 1 && ValueScale.unit(of: [7, 3]) == 1)
        var rng = SeededGenerator(seed: 91)
        for objective in MatchObjective.allCases {
            for _ in 0..<20 {
                let problem = Self.randomProblem(&rng)
                func solve(unit: Int64) throws -> (count: Int, total: Int64, proven: Bool) {
                    let scale = try #require(ValueScale(menteeCount: problem.menteeCount, capacity: problem.capacity, maxScore: problem.maxScore, objective: objective, unit: unit))
                    let values = scale.values(of: problem)
                    let result = AuctionSolver(problem, values: values).solve()
                    let profits = DualCertificate.profits(problem, values: values, prices: result.mentorPrice)
                    let proven = DualCertificate.proves(problem, values: values, prices: result.mentorPrice, profits: profits, mentorOf: result.mentorOf, scale: scale)
                    let matched = (0..<problem.menteeCount).filter { result.mentorOf[$0] >= 0 }
                    return (matched.count, matched.reduce(0) { $0 + (problem.score(of: $1, in: result.mentorOf) ?? 0) }, proven)
                }
                let unit = ValueScale.unit(of: problem.arcScore)
                #expect(unit >= 125_000, "the random scores are multiples of 125,000")
                let (plain, divided) = (try solve(unit: 1), try solve(unit: unit))
                #expect(plain.proven && divided.proven)
                #expect(divided.total == plain.total)
                if objective == .participation { #expect(divided.count == plain.count) }
            }
        }
        // One mentor with a place for each of 20,000 mentees who all score 1,000: refused before
        // as "too large to solve exactly" from 16,977 mentees (values of about 4 × 10⁹ n²).
        let n = 20_000
        let arcs = (0..<n).map { (mentee: $0, mentor: 0, score: 1_000 * ScoreUnits.perOne) }
        let matcher = try PairTableMatcher(mentees: (0..<n).map { "e\($0)" }, mentors: ["m"], capacities: [n], arcs: arcs)
        let outcome = try matcher.run(.optimal, objective: .participation)
        #expect(outcome.pairs.count == n && outcome.provenOptimal)
    }

    @Test("mentors with many pairs and too few places bid back from a shortlist and reach the optimum")
    func shortlistedReverseBids() throws {
        // Mentors of more than 128 pairs keep a shortlist for reverse bids; these have 150 to
        // 400 pairs, fewer places than pairs, and scores with ties, so that places given up as ε
        // shrinks bid back many times.
        var rng = SeededGenerator(seed: 404)
        var shortlisted = 0
        for round in 0..<12 {
            let mentees = 400, mentors = 3
            let capacity = (0..<mentors).map { _ in Int32(Int.random(in: 20...140, using: &rng)) }
            var pairs: [(mentee: Int, mentor: Int, score: Int64)] = []
            for e in 0..<mentees {
                for m in 0..<mentors where m == 0 || Int.random(in: 0..<3, using: &rng) > 0 {
                    let score = round % 2 == 0 ? Int64.random(in: 0...ScoreUnits.perOne, using: &rng) : Int64.random(in: 0...6, using: &rng) * 150_000
                    pairs.append((e, m, score))
                }
            }
            let problem = SparseProblem(menteeCount: mentees, capacity: capacity, pairs: pairs.shuffled(using: &rng))
            for objective in MatchObjective.allCases {
                let scale = try #require(ValueScale(menteeCount: mentees, capacity: capacity, maxScore: problem.maxScore, objective: objective))
                let values = scale.values(of: problem)
                let result = AuctionSolver(problem, values: values).solve()
                let profits = DualCertificate.profits(problem, values: values, prices: result.mentorPrice)
                #expect(DualCertificate.proves(problem, values: values, prices: result.mentorPrice, profits: profits, mentorOf: result.mentorOf, scale: scale), "round \(round), \(objective)")
                let matched = (0..<mentees).filter { result.mentorOf[$0] >= 0 }
                let total = matched.reduce(Int64(0)) { $0 + (problem.score(of: $1, in: result.mentorOf) ?? 0) }
                let reference = Reference.minCostFlow(pairs: pairs.map { Reference.Pair(mentee: $0.mentee, mentor: $0.mentor, score: $0.score) }, mentees: mentees, capacities: capacity.map(Int.init), objective: objective)
                #expect(total == reference.total, "round \(round), \(objective)")
                if objective == .participation { #expect(matched.count == reference.count) }
            }
            let state = AuctionState(menteeCount: mentees, capacity: capacity, arcStart: problem.arcStart, arcMentor: problem.arcMentor, arcValue: problem.arcScore)
            shortlisted += state.shortlists
        }
        #expect(shortlisted > 12, "most of these mentors bid back from a shortlist")
    }

    @Test("a pair table listing a mentor without places is still proven optimal")
    func mentorWithoutPlaces() throws {
        let matcher = try PairTableMatcher(
            pairs: [.init(mentee: "a", mentor: "full", score: 900_000), .init(mentee: "a", mentor: "x", score: 400_000), .init(mentee: "b", mentor: "full", score: 800_000)],
            capacities: [("full", 0), ("x", 1)]
        )
        for objective in MatchObjective.allCases {
            let outcome = try matcher.run(.optimal, objective: objective)
            #expect(outcome.pairs == [.init(mentee: "a", mentor: "x", score: 400_000)])
            #expect(outcome.provenOptimal, "the certificate gave up on \(objective)")
        }
    }

    @Test("a pair table refuses a pair listed twice, a mentor listed twice, a negative score or capacity")
    func pairTableRefusesBadInput() {
        #expect(throws: MatchInputError.self) {
            try PairTableMatcher(pairs: [.init(mentee: "a", mentor: "x", score: 1), .init(mentee: "b", mentor: "x", score: 2), .init(mentee: "a", mentor: "x", score: 3)], capacities: [("x", 1)])
        }
        #expect(throws: MatchInputError.self) { try PairTableMatcher(pairs: [], capacities: [("x", 1), ("x", 2)]) }
        #expect(throws: MatchInputError.self) { try PairTableMatcher(pairs: [.init(mentee: "a", mentor: "x", score: -1)], capacities: [("x", 1)]) }
        #expect(throws: MatchInputError.self) { try PairTableMatcher(pairs: [], capacities: [("x", -1)]) }
        #expect(throws: MatchInputError.self) { try PairTableMatcher(mentees: ["a"], mentors: ["x"], capacities: [1], arcs: [(0, 1, 5)]) }
        #expect(throws: MatchInputError.self) { try PairTableMatcher(mentees: ["a"], mentors: ["x"], capacities: [], arcs: []) }
        // One name under two numbers: the same pair twice, unseen by the check on numbers.
        #expect(throws: MatchInputError.self) { try PairTableMatcher(mentees: ["a", "a"], mentors: ["x"], capacities: [1], arcs: [(0, 0, 5), (1, 0, 5)]) }
        #expect(throws: MatchInputError.self) { try PairTableMatcher(mentees: ["a"], mentors: ["x", "x"], capacities: [1, 1], arcs: [(0, 0, 5), (0, 1, 5)]) }
        do {
            _ = try PairTableMatcher(pairs: [.init(mentee: "a", mentor: "x", score: 1), .init(mentee: "a", mentor: "x", score: 3)], capacities: [("x", 1)])
            Issue.record("a pair listed twice was taken")
        } catch let error as MatchInputError {
            #expect(error.message == "The pair a → x is listed twice.")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test("values leave no room for overflow, or the scale says so")
    func scaleRefusesOverflow() {
        #expect(ValueScale(menteeCount: 10, capacity: [3], maxScore: ScoreUnits.perOne, objective: .participation) != nil)
        #expect(ValueScale(menteeCount: 3_000_000, capacity: [1_000_000], maxScore: Int64(1) << 40, objective: .participation) == nil)
    }

    @Test("deferred acceptance over scores leaves no blocking pair")
    func stableByScores() throws {
        var rng = SeededGenerator(seed: 11)
        for _ in 0..<30 {
            let problem = Self.randomProblem(&rng)
            var pairs: [PairTableMatcher.Pair] = []
            for e in 0..<problem.menteeCount {
                for arc in problem.arcs(of: e) { pairs.append(.init(mentee: "e\(e)", mentor: "m\(problem.arcMentor[arc])", score: problem.arcScore[arc])) }
            }
            let matcher = try PairTableMatcher(pairs: pairs, capacities: problem.capacity.enumerated().map { (mentor: "m\($0.offset)", capacity: Int($0.element)) })
            let outcome = try matcher.run(.stable)
            let mentorOf = Dictionary(uniqueKeysWithValues: outcome.pairs.map { ($0.mentee, ($0.mentor, $0.score)) })
            var held: [String: [(String, Int64)]] = [:]
            for pair in outcome.pairs { held[pair.mentor, default: []].append((pair.mentee, pair.score)) }
            for (index, mentor) in matcher.mentors.enumerated() { #expect((held[mentor]?.count ?? 0) <= Int(matcher.capacities[index])) }
            // A pair blocks when the mentee would rather have this mentor (a higher score, or the
            // same score and a lower mentor) and the mentor has room or would rather have them.
            for pair in pairs {
                let capacity = Int(matcher.capacities[matcher.mentors.firstIndex(of: pair.mentor)!])
                guard capacity > 0, mentorOf[pair.mentee]?.0 != pair.mentor else { continue }
                let menteeWants = mentorOf[pair.mentee].map { current in
                    pair.score > current.1 || (pair.score == current.1 && matcher.mentors.firstIndex(of: pair.mentor)! < matcher.mentors.firstIndex(of: current.0)!)
                } ?? true
                guard menteeWants else { continue }
                let holding = held[pair.mentor] ?? []
                let mentorWants = holding.count < capacity || holding.contains { other in
                    pair.score > other.1 || (pair.score == other.1 && matcher.mentees.firstIndex(of: pair.mentee)! < matcher.mentees.firstIndex(of: other.0)!)
                }
                #expect(!mentorWants, "\(pair.mentee) and \(pair.mentor) would both rather be together")
            }
        }
    }
}

/// The auction keeps each mentor's places in a heap by price once it has more than a few, so
/// that a mentor of 30,000 places does not make every bid look at all of them, and a mentor with
/// room for everyone with a pair with them at price 0. After every phase
/// (forward bids raise prices, reverse bids lower them) the cheapest place, its price and the next
/// price read off the heap must be what looking at every place gives, and the solve must reach
/// the same total as scanning did.
@Suite struct AuctionHeapTests {
    @Test(arguments: [1, 2, 3, 4, 5, 6])
    func `each mentor's cheapest places are what a look at every place gives, after every phase`(seed: Int) {
        var rng = SeededGenerator(seed: UInt64(100 + seed))
        let mentees = 400, mentors = 12
        // Capacities on both sides of the heap's threshold, some larger than the demand.
        let capacity = (0..<mentors).map { _ in Int32(rng.pick([1, 3, AuctionState.scanned, AuctionState.scanned + 1, 25, 60, 500])) }
        var pairs: [(mentee: Int, mentor: Int, score: Int64)] = []
        for e in 0..<mentees {
            for m in 0..<mentors where Int.random(in: 0..<3, using: &rng) == 0 {
                pairs.append((e, m, Int64.random(in: 0...20, using: &rng) * 50_000))
            }
        }
        let problem = SparseProblem(menteeCount: mentees, capacity: capacity, pairs: pairs)
        guard let scale = ValueScale(menteeCount: mentees, capacity: problem.capacity, maxScore: problem.maxScore, objective: .score) else {
            Issue.record("no scale"); return
        }
        let values = scale.values(of: problem)
        let state = AuctionState(menteeCount: mentees, capacity: problem.capacity, arcStart: problem.arcStart, arcMentor: problem.arcMentor, arcValue: values)
        var epsilon = max(1, (values.max() ?? 0) / 4), phases = 0
        var openSeen = false
        while true {
            phases += 1
            state.runPhase(epsilon: epsilon, fresh: phases == 1)
            for j in 0..<mentors where state.slotStart[j + 1] > state.slotStart[j] {
                if state.open[j] {
                    // Room for everyone with a pair with them: price 0, and the place offered is free.
                    #expect((state.slotStart[j]..<state.slotStart[j + 1]).allSatisfy { state.slotPrice[$0] == 0 }, "mentor \(j)")
                    #expect(state.minPrice[j] == 0 && state.slotHolder[Int(state.minSlot[j])] < 0, "mentor \(j), phase \(phases)")
                    openSeen = true
                    continue
                }
                let prices = (state.slotStart[j]..<state.slotStart[j + 1]).map { state.slotPrice[$0] }
                let cheapest = prices.min()!
                let sorted = prices.sorted()
                #expect(state.minPrice[j] == cheapest, "mentor \(j), phase \(phases)")
                #expect(Int(state.minSlot[j]) == state.slotStart[j] + prices.firstIndex(of: cheapest)!, "mentor \(j), phase \(phases)")
                #expect(state.secondPrice[j] == (sorted.count > 1 ? sorted[1] : Int64.max), "mentor \(j), phase \(phases)")
            }
            if epsilon == 1 { break }
            epsilon = max(1, epsilon / AuctionSolver.reduction)
        }
        // And the solve is optimal: the certificate checks it.
        let result = AuctionSolver(problem, values: values).solve()
        var placed = [Int32](repeating: 0, count: mentors)
        for mentor in result.mentorOf where mentor >= 0 { placed[Int(mentor)] += 1 }
        for j in 0..<mentors { #expect(placed[j] <= problem.capacity[j]) }
        let profits = DualCertificate.profits(problem, values: values, prices: result.mentorPrice)
        #expect(DualCertificate.proves(problem, values: values, prices: result.mentorPrice, profits: profits, mentorOf: result.mentorOf, scale: scale))
        #expect(phases > 1)
        if capacity.contains(500) { #expect(openSeen, "a mentor of 500 places has room for all 400 mentees") }
    }
}
