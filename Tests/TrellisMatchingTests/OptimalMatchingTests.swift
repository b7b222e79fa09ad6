import Foundation
import Testing
import TrellisCore
@testable import TrellisMatching
import TrellisFixtures

/// A small random cohort with every kind of hard rule in play.
func cohort(seed: UInt64, mentees: Int, mentors: Int, capacities: ClosedRange<Int> = 1...3, skills: Int = 12) -> [Participant] {
    var people = SyntheticPopulation.make(mentees: mentees, mentors: mentors, capacities: capacities, skills: skills, seed: seed)
    var rng = SeededGenerator(seed: seed &* 31)
    // Several departments, and somebody who is both mentor and mentee.
    for index in people.indices { people[index].department = "D\(Int.random(in: 0..<3, using: &rng))" }
    if people.count > mentors { people[mentors].role = .both; people[mentors].capacity = 1; people[mentors].expertise = ["skill-1", "skill-2"] }
    return people
}

func randomOptions(seed: UInt64, people: [Participant], objective: MatchObjective, candidates: (Int, Int) = (15, 30)) -> MatchOptions {
    var rng = SeededGenerator(seed: seed &* 7 &+ 3)
    let mentees = people.filter { ($0.role?.wantsMentor == true) }.map(\.id)
    let mentors = people.filter { ($0.role?.canMentor == true) && $0.capacity > 0 }.map(\.id)
    var exclusions: [(mentee: String, mentor: String)] = []
    for _ in 0..<Int.random(in: 0...3, using: &rng) where !mentees.isEmpty && !mentors.isEmpty {
        exclusions.append((rng.pick(mentees), rng.pick(mentors)))
    }
    return MatchOptions(
        objective: objective, excludeSameDepartment: rng.next() % 3 == 0, minimumScore: rng.next() % 4 == 0 ? 0.35 : 0,
        exclusions: exclusions, menteeCandidates: candidates.0, mentorCandidates: candidates.1, threads: 2
    )
}

/// Every hard rule holds in the result.
func checkRules(_ result: MatchResult, _ engine: MatchEngine, _ people: [Participant], _ options: MatchOptions) {
    let byID = Dictionary(uniqueKeysWithValues: people.map { ($0.id, $0) })
    var load: [String: Int] = [:]
    var seenMentees = Set<String>()
    for pair in result.pairs {
        #expect(seenMentees.insert(pair.menteeID).inserted, "a mentee gets at most one mentor")
        load[pair.mentorID, default: 0] += 1
        #expect(pair.menteeID != pair.mentorID)
        let explanation = try! engine.explain(menteeID: pair.menteeID, mentorID: pair.mentorID)
        #expect(explanation.score == pair.score)
        if !pair.locked {
            #expect(explanation.brokenRule == nil, "\(pair.menteeID)–\(pair.mentorID): \(String(describing: explanation.brokenRule))")
            #expect(!options.exclusions.contains { $0.mentee == pair.menteeID && $0.mentor == pair.mentorID })
        }
        // Reporting line, checked from the raw data, independently of the engine's tour.
        var manager = byID[pair.menteeID]?.managerID
        while let current = manager { #expect(current != pair.mentorID, "mentor manages mentee"); manager = byID[current]?.managerID }
        manager = byID[pair.mentorID]?.managerID
        while let current = manager { #expect(current != pair.menteeID, "mentee manages mentor"); manager = byID[current]?.managerID }
    }
    for (mentor, count) in load { #expect(count <= byID[mentor]!.capacity, "\(mentor) over capacity") }
}

/// On both objectives: the engine proves its optimum, which has the reference's total (and, for
/// participation, its number of pairs), and keeps every rule.
func expectOptimum(
    _ people: [Participant], seed: Int, reference: (MatchEngine, MatchObjective) -> (count: Int, total: Int64),
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    for objective in MatchObjective.allCases {
        let options = randomOptions(seed: UInt64(seed), people: people, objective: objective)
        let engine = try MatchEngine(participants: people, options: options)
        let result = try engine.optimal()
        let expected = reference(engine, objective)
        #expect(result.provenOptimal, sourceLocation: sourceLocation)
        #expect(result.totalScore == expected.total, "seed \(seed) \(objective)", sourceLocation: sourceLocation)
        if objective == .participation { #expect(result.pairs.count == expected.count, sourceLocation: sourceLocation) }
        checkRules(result, engine, people, options)
    }
}

@Suite struct OptimalMatchingTests {
    @Test(arguments: 1...60)
    func `on tiny cohorts the optimum equals brute force, for both objectives`(seed: Int) throws {
        let people = cohort(seed: UInt64(seed), mentees: 5 + seed % 3, mentors: 3 + seed % 2)
        try expectOptimum(people, seed: seed, reference: Reference.bruteForce)
    }

    @Test(arguments: [11, 12, 13, 14, 15, 16])
    func `on a few hundred people the optimum equals a min-cost-flow reference`(seed: Int) throws {
        let people = cohort(seed: UInt64(seed), mentees: 180, mentors: 45 + seed, skills: 40)
        try expectOptimum(people, seed: seed, reference: Reference.minCostFlow)
    }

    @Test(arguments: [31, 32, 33])
    func `mentors with many places reach the min-cost-flow optimum, and a pair table's capacity is cut to its pairs`(seed: Int) throws {
        var people = cohort(seed: UInt64(seed), mentees: 240, mentors: 8, skills: 30)
        var rng = SeededGenerator(seed: UInt64(seed))
        // Many places, some more than the mentor's candidates.
        for index in people.indices where people[index].role?.canMentor == true {
            people[index].capacity = rng.pick([17, 24, 40, 64, 200])
        }
        try expectOptimum(people, seed: seed, reference: Reference.minCostFlow)
        // A pair table: one mentor with every mentee and 2 billion places, others with a few.
        let mentees = (0..<300).map { "e\($0)" }
        var arcs: [(mentee: Int, mentor: Int, score: Int64)] = []
        for e in mentees.indices {
            arcs.append((e, 0, Int64.random(in: 1...ScoreUnits.perOne, using: &rng)))
            for m in 1...3 where Int.random(in: 0..<3, using: &rng) == 0 { arcs.append((e, m, Int64.random(in: 1...ScoreUnits.perOne, using: &rng))) }
        }
        let matcher = try PairTableMatcher(mentees: mentees, mentors: ["big", "a", "b", "c"], capacities: [Int(Int32.max), 2, 30, 1], arcs: arcs)
        #expect(matcher.capacities[0] == 300, "cut to the pairs the mentor has")
        let outcome = try matcher.run(.optimal)
        #expect(outcome.provenOptimal)
        #expect(outcome.pairs.count == 300)
        // Everyone is placed, each with their best mentor within the small capacities: the greedy
        // over a single big mentor cannot beat it.
        #expect(outcome.totalScore >= (try matcher.run(.greedy)).totalScore)
    }

    @Test(arguments: [21, 22, 23, 24])
    func `with tiny candidate lists the proof adds the missing pairs and still reaches the optimum`(seed: Int) throws {
        let people = cohort(seed: UInt64(seed), mentees: 120, mentors: 40, skills: 30)
        let options = randomOptions(seed: UInt64(seed), people: people, objective: .score, candidates: (1, 1))
        let engine = try MatchEngine(participants: people, options: options)
        let result = try engine.optimal()
        #expect(result.provenOptimal)
        #expect(result.pairsAddedByProof > 0)
        #expect(result.totalScore == Reference.minCostFlow(engine, objective: .score).total)
    }

    @Test func `locks are kept and the rest is optimised around them`() throws {
        let people = cohort(seed: 5, mentees: 40, mentors: 12)
        let engine0 = try MatchEngine(participants: people, options: MatchOptions(threads: 2))
        let free = try engine0.optimal()
        // Lock two pairs the free optimum did not make.
        let mentees = people.filter { $0.role == .mentee }.map(\.id)
        let mentors = people.filter { $0.role == .mentor }
        var locks: [(mentee: String, mentor: String)] = []
        for mentee in mentees where locks.count < 2 {
            let current = free.pairs.first { $0.menteeID == mentee }?.mentorID
            if let mentor = mentors.first(where: { m in m.id != current && (try? engine0.explain(menteeID: mentee, mentorID: m.id))?.brokenRule == nil && !locks.contains { $0.mentor == m.id } }) {
                locks.append((mentee, mentor.id))
            }
        }
        let options = MatchOptions(locks: locks, threads: 2)
        let engine = try MatchEngine(participants: people, options: options)
        let result = try engine.optimal()
        for lock in locks { #expect(result.pairs.contains { $0.menteeID == lock.mentee && $0.mentorID == lock.mentor && $0.locked }) }
        let lockedScore = locks.reduce(Int64(0)) { $0 + (try! engine.explain(menteeID: $1.mentee, mentorID: $1.mentor)).score }
        #expect(result.totalScore == lockedScore + Reference.minCostFlow(engine, objective: .score).total)
        #expect(result.totalScore <= free.totalScore)
        checkRules(result, engine, people, options)
    }

    @Test func `bad locks are refused with the reason`() throws {
        let people = cohort(seed: 6, mentees: 10, mentors: 4)
        let mentor = people.first { $0.role == .mentor }!
        #expect(throws: MatchInputError.self) { try MatchEngine(participants: people, options: MatchOptions(locks: [("nobody", mentor.id)])).optimal() }
        let overCapacity = people.filter { $0.role == .mentee }.prefix(mentor.capacity + 1).map { (mentee: $0.id, mentor: mentor.id) }
        do {
            _ = try MatchEngine(participants: people, options: MatchOptions(locks: overCapacity)).optimal()
            Issue.record("a lock over capacity must be refused")
        } catch let error as MatchInputError {
            #expect(error.message.contains("capacity") || error.message.contains("hard rule"))
        }
    }

    /// The engine reads no environment and prints nothing: what it has to say about its solver
    /// goes to the caller's trace, and the result does not depend on whether anyone listens.
    @Test func `the solver's trace goes to the caller, and listening changes nothing`() throws {
        let people = cohort(seed: 11, mentees: 200, mentors: 60, skills: 40)
        final class Lines: @unchecked Sendable {
            private let lock = NSLock()
            private var stored: [String] = []
            func add(_ line: String) { lock.lock(); stored.append(line); lock.unlock() }
            var all: [String] { lock.lock(); defer { lock.unlock() }; return stored }
        }
        let lines = Lines()
        let traced = try MatchEngine(participants: people).optimal(trace: lines.add)
        let quiet = try MatchEngine(participants: people).optimal()
        #expect(lines.all.contains { $0.hasPrefix("auction phase 1:") } && lines.all.contains { $0.hasPrefix("round 1") })
        #expect(traced.pairs == quiet.pairs && traced.provenOptimal)
    }

    @Test func `the same input gives the same output`() throws {
        let people = cohort(seed: 9, mentees: 300, mentors: 90, skills: 60)
        let first = try MatchEngine(participants: people, options: MatchOptions(threads: 2)).optimal()
        let second = try MatchEngine(participants: people, options: MatchOptions(threads: 1)).optimal()
        #expect(first.pairs == second.pairs)
        #expect(first.unmatched == second.unmatched)
    }

    @Test func `greedy never beats the optimum and respects the rules`() throws {
        for seed in 30...35 {
            let people = cohort(seed: UInt64(seed), mentees: 200, mentors: 60, skills: 50)
            let options = MatchOptions(threads: 2)
            let engine = try MatchEngine(participants: people, options: options)
            let optimal = try engine.optimal()
            let greedy = try engine.greedy()
            #expect(greedy.totalScore <= optimal.totalScore)
            checkRules(greedy, engine, people, options)
        }
    }

    @Test func `unmatched mentees say why`() throws {
        var people = [
            Participant(id: "boss", role: .mentor, department: "A", capacity: 1, yearsExperience: 20),
            Participant(id: "report", role: .mentee, department: "A", managerID: "boss"),
            Participant(id: "far", role: .mentor, department: "B", timezone: "Asia/Tokyo", capacity: 1),
            Participant(id: "near1", role: .mentee, department: "C", timezone: "Asia/Tokyo", developmentAreas: ["x"]),
            Participant(id: "near2", role: .mentee, department: "C", timezone: "Asia/Tokyo", developmentAreas: ["x"]),
        ]
        people[2].expertise = ["x"]
        let engine = try MatchEngine(participants: people, options: MatchOptions(threads: 1))
        let result = try engine.optimal()
        let reasons = Dictionary(uniqueKeysWithValues: result.unmatched.map { ($0.menteeID, $0.reason) })
        #expect(result.pairs.count == 2)
        #expect(!result.pairs.contains { $0.menteeID == "report" && $0.mentorID == "boss" })
        #expect(reasons["report"] == .mentorsFull(eligible: 1), "only “far” is eligible (boss manages them), and far is taken")
        let strict = try MatchEngine(participants: people, options: MatchOptions(minimumScore: 0.99, threads: 1)).optimal()
        #expect(strict.unmatched.allSatisfy { $0.reason == .belowMinimumScore || $0.reason == .noEligibleMentor })
        let alone = try MatchEngine(participants: Array(people.prefix(2)), options: MatchOptions(threads: 1)).optimal()
        #expect(alone.unmatched == [UnmatchedMentee(menteeID: "report", reason: .noEligibleMentor)])
        #expect(engine.whyNot(menteeID: "report", mentorID: "boss", in: result).contains("reporting line"))
    }

    @Test func `someone without a mentoring role is never matched but keeps a reporting line`() throws {
        // The mentee's manager has no mentoring role; the manager's manager mentors. Without the
        // middle person the engine could not see that "top" is the mentee's skip-level manager.
        let people = [
            Participant(id: "top", role: .mentor, capacity: 2),
            Participant(id: "middle", role: nil, managerID: "top"),
            Participant(id: "report", role: .mentee, managerID: "middle"),
            Participant(id: "other", role: .mentee),
        ]
        let engine = try MatchEngine(participants: people, options: MatchOptions(threads: 1))
        let result = try engine.optimal()
        #expect(result.pairs.map(\.menteeID) == ["other"])
        #expect(result.unmatched.map(\.menteeID) == ["report"], "the one without a role is neither matched nor listed")
        #expect(engine.whyNot(menteeID: "report", mentorID: "top", in: result).contains("reporting line"))
    }
}

@Suite struct ExplanationTests {
    @Test func `explanations name the real shared tags and add up to the score`() throws {
        let mentor = Participant(
            id: "m", name: "Mira Patel", role: .mentor, timezone: "Europe/Berlin", languages: ["English", "Hindi"],
            expertise: ["Kubernetes", "Public speaking", "SQL"], interests: ["Chess", "Cycling"], values: ["Curiosity"],
            capacity: 2, meetingFrequency: .biweekly, yearsExperience: 14
        )
        let mentee = Participant(
            id: "e", name: "Tom Okafor", role: .mentee, timezone: "Europe/London", languages: ["english"],
            developmentAreas: ["kubernetes", "Negotiation", "public  speaking"], interests: ["chess"], values: ["Kindness"],
            meetingFrequency: .biweekly, yearsExperience: 2
        )
        let engine = try MatchEngine(participants: [mentor, mentee])
        let explanation = try engine.explain(menteeID: "e", mentorID: "m")
        #expect(explanation.factors.reduce(0) { $0 + $1.contribution } == explanation.score)
        let sentences = explanation.factors.map(\.sentence)
        #expect(sentences.contains("Mira's expertise covers 2 of Tom's 3 development areas (kubernetes and public speaking)."))
        #expect(sentences.contains("They share 1 interest: chess."))
        #expect(sentences.contains("They share no values."))
        #expect(sentences.contains("Their working hours overlap by 7 hours (Europe/London, Europe/Berlin)."))
        #expect(sentences.contains("Both speak English."))
        #expect(sentences.contains("Both prefer to meet every two weeks."))
        #expect(sentences.contains("Mira has 12 more years of experience (the most this factor rewards)."))
        // 0.35·2/3 + 0.15·1 + 0 + 0.15·7/8 + 0.10 + 0.05 + 0.05
        #expect(abs(ScoreUnits.value(explanation.score) - (0.35 * 2 / 3 + 0.15 + 0.15 * 7 / 8 + 0.10 + 0.05 + 0.05)) < 0.000005)
    }

    @Test func `weights change the score and bad weights are refused`() throws {
        let people = cohort(seed: 3, mentees: 5, mentors: 3)
        let onlyTime = MatchWeights(complementarity: 0, sharedInterests: 0, sharedValues: 0, timeZone: 1, language: 0, meetingFrequency: 0, experience: 0)
        let engine = try MatchEngine(participants: people, options: MatchOptions(weights: onlyTime))
        let explanation = try engine.explain(menteeID: people[4].id, mentorID: people[1].id)
        #expect(explanation.score == Int64((explanation.factors[3].value * 1_000_000).rounded()))
        #expect(throws: MatchInputError.self) { try MatchEngine(participants: people, options: MatchOptions(weights: MatchWeights(complementarity: -1))) }
        #expect(throws: MatchInputError.self) { try MatchEngine(participants: people, options: MatchOptions(weights: MatchWeights(complementarity: 0, sharedInterests: 0, sharedValues: 0, timeZone: 0, language: 0, meetingFrequency: 0, experience: 0))) }
    }

    @Test func `a reporting loop in the input is refused`() {
        let people = [
            Participant(id: "a", role: .mentor, managerID: "b", capacity: 1),
            Participant(id: "b", role: .mentee, managerID: "a"),
        ]
        #expect(throws: MatchInputError.self) { try MatchEngine(participants: people) }
    }
}

@Suite struct ScoreUnitTests {
    @Test func `scores are read and written exactly, to six places`() {
        #expect(ScoreUnits.parse("0.75") == 750_000)
        #expect(ScoreUnits.parse("12") == 12_000_000)
        #expect(ScoreUnits.parse(".5") == 500_000)
        #expect(ScoreUnits.parse("0.000001") == 1)
        for bad in ["-1", "0.1234567", "abc", "", "1.", "1e3", "0,5"] { #expect(ScoreUnits.parse(bad) == nil, "\(bad)") }
        #expect(ScoreUnits.format(1_234_567) == "1.234567")
        #expect(ScoreUnits.format(5) == "0.000005")
    }

    @Test func `the pair-table matcher proves its optimum on listed pairs`() throws {
        let matcher = try PairTableMatcher(
            pairs: [.init(mentee: "a", mentor: "x", score: 900_000), .init(mentee: "a", mentor: "y", score: 800_000), .init(mentee: "b", mentor: "x", score: 850_000)],
            capacities: [("x", 1), ("y", 1)]
        )
        let outcome = try matcher.run(.optimal)
        #expect(outcome.totalScore == 1_650_000)
        #expect(outcome.provenOptimal)
        #expect(throws: MatchInputError.self) { try PairTableMatcher(pairs: [.init(mentee: "a", mentor: "q", score: 1)], capacities: [("x", 1)]) }
    }
}
