import Foundation
import Testing
import TrellisCore
@testable import TrellisMatching
import TrellisFixtures

/// Cohorts of a few kinds of people, everyone of a kind alike, so that most scores tie: the
/// candidate lists name the same few mentors of a kind for everyone, the part-way solve leaves
/// prices far from where the full problem puts them, and the proof finds thousands of left-out
/// pairs that break it. Before these tests, 285 alike mentees and 39 alike mentors took the
/// solver 100 million bids (17 s), and 5,000 people of three kinds eleven minutes. (Such
/// cohorts now start from the kinds' own assignment, `GroupedStart`, tested on its own in
/// `GroupedStartTests`; these tests turn it off, so that they keep testing the proof's rounds.)
@Suite struct TiedScoresTests {
    /// `mentees` mentees and `mentors` mentors, each of one of `kinds` kinds (a kind's people
    /// share every tag), mentors' capacities drawn from `capacities`.
    static func kinds(seed: UInt64, kinds: Int, mentees: Int, mentors: Int, capacities: ClosedRange<Int>) -> [Participant] {
        var rng = SeededGenerator(seed: seed)
        let skills = (0..<8).map { "skill-\($0)" }
        func tags(_ kind: Int, _ salt: Int) -> [String] { (0..<3).map { skills[(kind * 3 + $0 * salt) % skills.count] } }
        var people: [Participant] = []
        for index in 0..<mentors {
            let kind = index % kinds
            people.append(Participant(
                id: "m\(index)", role: .mentor, department: "D", timezone: "Europe/Berlin", languages: ["English"],
                expertise: tags(kind, 1), interests: ["x\(kind)"], values: ["y"], capacity: Int.random(in: capacities, using: &rng),
                meetingFrequency: .weekly, yearsExperience: 20))
        }
        for index in 0..<mentees {
            let kind = index % kinds
            people.append(Participant(
                id: "e\(index)", role: .mentee, department: "E", timezone: "Europe/Berlin", languages: ["English"],
                developmentAreas: tags(kind, 2), interests: ["x\(kind)"], values: ["y"], meetingFrequency: .weekly, yearsExperience: 2))
        }
        return people
    }

    /// Runs the engine with a trace and returns the result and the bids of every solve.
    static func solve(_ engine: MatchEngine, lines: Lines = Lines()) throws -> (MatchResult, bids: Int) {
        let result = try engine.optimal(trace: { lines.append($0) })
        // "auction phase N: ε E, F forward and R reverse bids so far": so far within one solve;
        // a solve's last phase line carries its count.
        var bids = 0, last = 0
        for line in lines.all {
            if line.hasPrefix("round") { bids += last; last = 0; continue }
            let words = line.split(separator: " ")
            guard let forward = words.firstIndex(of: "forward"), let reverse = words.firstIndex(of: "reverse"),
                  let f = Int(words[forward - 1]), let r = Int(words[reverse - 1]) else { continue }
            last = f + r
        }
        return (result, bids + last)
    }

    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var lines: [String] = []
        func append(_ line: String) { lock.lock(); lines.append(line); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return lines }
    }

    @Test(arguments: [(1, 285, 39, 5...10), (1, 200, 30, 5...9), (3, 300, 45, 5...8), (2, 150, 60, 1...3)])
    func `alike people are matched optimally with few bids`(kinds: Int, mentees: Int, mentors: Int, capacities: ClosedRange<Int>) throws {
        let people = Self.kinds(seed: UInt64(mentees + kinds), kinds: kinds, mentees: mentees, mentors: mentors, capacities: capacities)
        let engine = try MatchEngine(participants: people, options: MatchOptions(menteeCandidates: 6, mentorCandidates: 12, threads: 2, groupedStart: false))
        let (result, bids) = try Self.solve(engine)
        #expect(result.provenOptimal)
        #expect(result.totalScore == Reference.minCostFlow(engine, objective: .score).total)
        // Each solve's bids grow with the people and the log of the values, not with the values
        // themselves: without the fresh ε after the part-way round this was 100 million at 285
        // mentees and 39 mentors.
        #expect(bids < 100 * (mentees + mentors), "bids: \(bids)")
    }

    @Test(arguments: [41, 42, 43])
    func `the proof adds a few of the tied pairs that break it, not all of them`(seed: Int) throws {
        let people = Self.kinds(seed: UInt64(seed), kinds: 4, mentees: 600, mentors: 150, capacities: 1...5)
        let engine = try MatchEngine(participants: people, options: MatchOptions(menteeCandidates: 4, mentorCandidates: 8, threads: 2, groupedStart: false))
        let result = try engine.optimal()
        #expect(result.provenOptimal)
        #expect(result.totalScore == Reference.minCostFlow(engine, objective: .score).total)
        // Every mentee ties with a quarter of the mentors (150 / 4 kinds). Adding every pair that
        // breaks the part-way proof put most of them in the problem.
        #expect(result.pairsAddedByProof > 0)
        #expect(result.pairsAddedByProof < result.eligiblePairs / 8, "added \(result.pairsAddedByProof) of \(result.eligiblePairs)")
    }

    @Test(arguments: 0..<12)
    func `checking only the pairs whose duals fell still proves the optimum`(seed: Int) throws {
        // Tiny lists make many proof rounds, each checking again only what changed; ties and
        // random cohorts both. A missed pair shows as a total below the reference's.
        let people = seed % 2 == 0
            ? cohort(seed: UInt64(seed + 100), mentees: 160, mentors: 50, capacities: 1...4, skills: 6)
            : Self.kinds(seed: UInt64(seed), kinds: 3 + seed % 4, mentees: 180, mentors: 50, capacities: 1...4)
        var options = seed % 2 == 0
            ? randomOptions(seed: UInt64(seed), people: people, objective: seed % 4 == 0 ? .participation : .score, candidates: (1, 2))
            : MatchOptions(objective: seed % 3 == 0 ? .participation : .score, menteeCandidates: 1, mentorCandidates: 2, threads: 2)
        options.groupedStart = false
        let engine = try MatchEngine(participants: people, options: options)
        let result = try engine.optimal()
        #expect(result.provenOptimal)
        let reference = Reference.minCostFlow(engine, objective: options.objective)
        #expect(result.totalScore == reference.total)
        if options.objective == .participation { #expect(result.pairs.count == reference.count) }
        checkRules(result, engine, people, options)
    }
}

@Suite struct ProofSearchTests {
    /// The search by groups of people who score alike finds exactly the pairs that break the rule
    /// that a search of every pair, one by one, finds: people of a few kinds, some of each kind in
    /// another time zone, with another language or fewer interests (who must not be taken for
    /// their kind), at random prices, with every hard rule in play.
    @Test(arguments: 0..<6)
    func `the search by groups of alike people finds what a pair-by-pair search finds`(seed: Int) throws {
        var people = TiedScoresTests.kinds(seed: UInt64(seed), kinds: 2 + seed % 3, mentees: 150, mentors: 45, capacities: 1...3)
        var rng = SeededGenerator(seed: UInt64(seed) &* 13 &+ 5)
        for index in people.indices {
            switch Int.random(in: 0..<8, using: &rng) {
            case 0: people[index].timezone = "America/New_York"
            case 1: people[index].languages = ["French"]
            case 2: people[index].interests = []
            case 3: people[index].department = people[index].role == .mentor ? "E" : "D"
            default: break
            }
        }
        people[people.count - 1].managerID = "m0"
        let options = MatchOptions(
            excludeSameDepartment: seed % 2 == 1, minimumScore: seed % 3 == 2 ? 0.5 : 0, exclusions: [("e1", "m1"), ("e2", "m2")],
            menteeCandidates: 2, mentorCandidates: 3, threads: 2)
        let engine = try MatchEngine(participants: people, options: options)
        let (run, _) = try engine.candidates(progress: nil)
        let scale = try #require(ValueScale(menteeCount: engine.menteeCount, capacity: run.capacityLeft, maxScore: ScoreUnits.perOne, objective: .score))
        let top = scale.value(ScoreUnits.perOne)
        let prices = (0..<engine.mentorCount).map { _ in Int64.random(in: 0...(top / 2), using: &rng) }
        let problem = run.graph.problem(capacity: run.capacityLeft)
        let profit = DualCertificate.profits(problem, values: scale.values(of: problem), prices: prices)
        var expected: [[Int]] = []
        for pair in Reference.allowedPairs(engine) where run.capacityLeft[pair.mentor] > 0 && problem.arc(of: pair.mentee, to: Int32(pair.mentor)) == nil {
            if scale.value(pair.score) > profit[pair.mentee] + prices[pair.mentor] { expected.append([pair.mentee, pair.mentor]) }
        }
        let found = engine.leftOutViolations(run: run, profit: profit, prices: prices, scale: scale, perMentee: 1 << 20)
        #expect(expected.count > 100)
        #expect(found.found == expected.count)
        #expect(found.pairs.map { [$0.mentee, $0.mentor] } == expected.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) })
        #expect(found.overfull.isEmpty)
        // Two a mentee: every other breaking pair's mentee is marked to be read again in full.
        let few = engine.leftOutViolations(run: run, profit: profit, prices: prices, scale: scale, perMentee: 2)
        let kept = Set(few.pairs.map { [$0.mentee, $0.mentor] })
        #expect(few.pairs.count < expected.count)
        #expect(expected.filter { !kept.contains($0) && !few.overfull.contains($0[0]) }.isEmpty)
    }

    /// The search that looks again only at pairs whose duals fell finds exactly what a search of
    /// every left-out pair finds, when the duals before are those of a search whose pairs were
    /// added: some prices lower (the mentors' columns must be read again), some higher (their
    /// mentees' profits fall, and their rows must be), and mentees with more breaking pairs than
    /// were added (read again whatever their duals).
    @Test(arguments: 0..<8)
    func `the search of what changed finds what a full search finds`(seed: Int) throws {
        // Few skills make many ties.
        let people = cohort(seed: UInt64(seed + 200), mentees: 120, mentors: 40, capacities: 1...4, skills: seed % 2 == 0 ? 6 : 3)
        let engine = try MatchEngine(participants: people, options: MatchOptions(menteeCandidates: 2, mentorCandidates: 3, threads: 2))
        var (run, _) = try engine.candidates(progress: nil)
        let scale = try #require(ValueScale(menteeCount: engine.menteeCount, capacity: run.capacityLeft, maxScore: ScoreUnits.perOne, objective: .score))
        var rng = SeededGenerator(seed: UInt64(seed) &+ 77)
        let top = scale.value(ScoreUnits.perOne)
        func profits(_ prices: [Int64]) -> [Int64] {
            let problem = run.graph.problem(capacity: run.capacityLeft)
            return DualCertificate.profits(problem, values: scale.values(of: problem), prices: prices)
        }
        let before = (0..<engine.mentorCount).map { _ in Int64.random(in: 0...(top / 2), using: &rng) }
        let profitBefore = profits(before)
        let first = engine.leftOutViolations(run: run, profit: profitBefore, prices: before, scale: scale, perMentee: 2)
        #expect(first.found > first.pairs.count, "some mentees have more breaking pairs than are added")
        #expect(!first.overfull.isEmpty)
        run.graph.add(first.pairs)
        let after = before.map { price in
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: return price / 2
            case 1, 2: return min(top, price + top / 4)
            default: return price
            }
        }
        let profitAfter = profits(after)
        #expect(profitAfter.indices.contains { profitAfter[$0] < profitBefore[$0] }, "some profits fell")
        let checked = CheckedDuals(profit: profitBefore, price: before, overfull: first.overfull)
        let changed = engine.leftOutViolations(run: run, profit: profitAfter, prices: after, scale: scale, perMentee: 1 << 20, since: checked)
        let full = engine.leftOutViolations(run: run, profit: profitAfter, prices: after, scale: scale, perMentee: 1 << 20)
        #expect(full.found > 0)
        #expect(changed.found == full.found)
        #expect(changed.pairs.map { [$0.mentee, $0.mentor] } == full.pairs.map { [$0.mentee, $0.mentor] })
    }
}
