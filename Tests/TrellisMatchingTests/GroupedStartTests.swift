import Foundation
import Testing
import TrellisCore
@testable import TrellisMatching
import TrellisFixtures

/// The start from the kinds' best assignment (`GroupedStart`): the flow between kinds is exact
/// and its prices are a proof of it, the engine's result stays optimal when hard rules keep people
/// from where the kinds' answer puts them, and where nothing keeps them the start is the optimum.
@Suite struct GroupedStartTests {
    /// Random transportation problems, against the reference min-cost flow over the same problem
    /// spelled out a person at a time; the prices must be feasible, never negative, and prove
    /// the flow (the bound they give equals its value, so every complementary-slackness condition
    /// holds).
    @Test(arguments: 0..<40)
    func `the flow between kinds is the best one and its prices prove it`(seed: Int) throws {
        var rng = SeededGenerator(seed: UInt64(seed) &* 97 &+ 11)
        let kindsOfMentee = Int.random(in: 1...6, using: &rng), kindsOfMentor = Int.random(in: 1...6, using: &rng)
        let supply = (0..<kindsOfMentee).map { _ in Int.random(in: 0...7, using: &rng) }
        let capacity = (0..<kindsOfMentor).map { _ in Int.random(in: 0...9, using: &rng) }
        var arcs: [GroupFlow.Arc] = []
        for g in 0..<kindsOfMentee {
            for h in 0..<kindsOfMentor where Int.random(in: 0..<4, using: &rng) > 0 {
                // Few distinct values, so that ties are common.
                arcs.append(GroupFlow.Arc(from: g, to: h, value: Int64(Int.random(in: 0...5, using: &rng)) * 1_000))
            }
        }
        let flow = try #require(GroupFlow(supply: supply, capacity: capacity, arcs: arcs))

        var out = [Int](repeating: 0, count: kindsOfMentee), into = [Int](repeating: 0, count: kindsOfMentor)
        var value: Int64 = 0
        for (index, arc) in arcs.enumerated() {
            #expect(flow.flow[index] >= 0)
            out[arc.from] += flow.flow[index]; into[arc.to] += flow.flow[index]
            value += Int64(flow.flow[index]) * arc.value
        }
        #expect(out.indices.allSatisfy { out[$0] <= supply[$0] })
        #expect(into.indices.allSatisfy { into[$0] <= capacity[$0] })
        #expect(flow.total == out.reduce(0, +))

        // The same problem a person at a time: each kind of mentor one mentor of its places.
        var people: [Reference.Pair] = []
        var person = 0
        for g in 0..<kindsOfMentee {
            for _ in 0..<supply[g] {
                for arc in arcs where arc.from == g { people.append(Reference.Pair(mentee: person, mentor: arc.to, score: arc.value)) }
                person += 1
            }
        }
        let reference = Reference.minCostFlow(pairs: people, mentees: person, capacities: capacity, objective: .score)
        #expect(value == reference.total)

        #expect(flow.menteeDual.allSatisfy { $0 >= 0 } && flow.mentorDual.allSatisfy { $0 >= 0 })
        for arc in arcs { #expect(flow.menteeDual[arc.from] + flow.mentorDual[arc.to] >= arc.value) }
        var bound: Int64 = 0
        for g in 0..<kindsOfMentee { bound += Int64(supply[g]) * flow.menteeDual[g] }
        for h in 0..<kindsOfMentor { bound += Int64(capacity[h]) * flow.mentorDual[h] }
        #expect(bound == value, "the prices' bound is the flow's value")
    }

    /// People of a few kinds with every hard rule in play: departments (on some seeds one per
    /// kind), reporting lines, exclusions (on some seeds splitting each kind's market into
    /// uneven classes the kinds' answer does not see), locks, a minimum score, both objectives. The result is the
    /// reference optimum, proven, the same total as without the grouped start, and keeps every rule.
    @Test(arguments: 0..<10)
    func `a grouped start stays optimal when hard rules keep people from the kinds' answer`(seed: Int) throws {
        _ = try Self.withRules(seed: seed)
    }

    /// The seeds above take each way the start can go: every place of the kinds' answer given
    /// and proven at once, some kept from it by a rule (and found by the proof), and too many
    /// kept (a tenth: no grouped start).
    @Test func `the seeds with rules take every way the start can go`() throws {
        var ways = Set<String>()
        for seed in 0..<10 {
            let lines = try Self.withRules(seed: seed)
            let start = lines.first { $0.hasPrefix("grouped start:") }
            // One department per kind, kept apart: the kinds are taken by department too, and
            // the kinds' answer pairs no kind with its own.
            if seed % 3 == 0 { #expect(start != nil, "seed \(seed)") }
            guard let start else { ways.insert("none"); continue }
            let words = start.split(separator: " ")
            let given = words.firstIndex(of: "places").map { (Int(words[$0 - 3])!, Int(words[$0 - 1])!) }!
            ways.insert(given.0 == given.1 ? "all given" : "some kept")
        }
        #expect(ways == ["none", "all given", "some kept"])
    }

    /// The cohort and options of `withRules` for `seed`.
    static func cohortWithRules(seed: Int) -> ([Participant], MatchOptions) {
        var rng = SeededGenerator(seed: UInt64(seed) &+ 501)
        let kinds = 2 + seed % 4
        var people = TiedScoresTests.kinds(seed: UInt64(seed), kinds: kinds, mentees: 240, mentors: 70, capacities: 1...4)
        for index in people.indices {
            let kind = Int(people[index].id.dropFirst())! % kinds
            people[index].department = seed % 3 == 0 ? "D\(kind)" : "D\(Int.random(in: 0..<3, using: &rng))"
        }
        // Reporting lines: some mentees report to a mentor, some mentors to another (a tree).
        for index in people.indices where Int.random(in: 0..<5, using: &rng) == 0 {
            let number = Int(people[index].id.dropFirst())!
            if people[index].role == .mentee { people[index].managerID = "m\(Int.random(in: 0..<70, using: &rng))" }
            else if number > 0 { people[index].managerID = "m\(Int.random(in: 0..<number, using: &rng))" }
        }
        // The locked mentees report to nobody and exclude nobody (their locks keep every rule).
        let locks: [(mentee: String, mentor: String)] = seed % 5 == 4 ? [("e0", "m1"), ("e6", "m1")] : []
        for index in people.indices where ["e0", "e6"].contains(people[index].id) { people[index].managerID = nil }
        let objective: MatchObjective = seed % 2 == 0 ? .participation : .score
        let options = MatchOptions(
            objective: objective, excludeSameDepartment: seed % 3 != 1, minimumScore: seed % 4 == 3 ? 0.3 : 0,
            exclusions: (0..<20).map { _ in ("e\(Int.random(in: 1..<240, using: &rng))", "m\(Int.random(in: 0..<70, using: &rng))") }.filter { $0.0 != "e6" }
                + (seed % 2 == 1 ? Self.classes(mentees: 240, mentors: 70, kinds: kinds, split: 2 + seed % 3) : []),
            locks: locks,
            menteeCandidates: 3, mentorCandidates: 6, threads: 2)
        return (people, options)
    }

    /// The run of `a grouped start stays optimal…` for `seed`, checked; returns the trace's lines
    /// other than the auction's.
    static func withRules(seed: Int) throws -> [String] {
        let people: [Participant]
        var options: MatchOptions
        (people, options) = cohortWithRules(seed: seed)
        let locks = options.locks, objective = options.objective
        let engine = try MatchEngine(participants: people, options: options)
        let lines = TiedScoresTests.Lines()
        let result = try engine.optimal(trace: { lines.append($0) })
        #expect(result.provenOptimal)
        // The reference solves for everyone but the locked mentees.
        let locked = result.pairs.filter(\.locked)
        #expect(locked.count == locks.count)
        let reference = Reference.minCostFlow(engine, objective: objective)
        #expect(result.totalScore - locked.reduce(0) { $0 + $1.score } == reference.total)
        if objective == .participation { #expect(result.pairs.count - locked.count == reference.count) }
        checkRules(result, engine, people, options)

        options.groupedStart = false
        let without = try MatchEngine(participants: people, options: options).optimal()
        #expect(without.totalScore == result.totalScore)
        return lines.all.filter { !$0.hasPrefix("auction") }
    }

    /// Exclusions that split each kind into `split` classes: a mentee may have a mentor of its own
    /// kind only of its own class, so that each kind's market is several markets of their own
    /// (uneven ones), which the kinds' answer takes for one.
    static func classes(mentees: Int, mentors: Int, kinds: Int, split: Int) -> [(mentee: String, mentor: String)] {
        var pairs: [(mentee: String, mentor: String)] = []
        for e in 0..<mentees where e != 0 && e != 6 {
            for m in 0..<mentors where m % kinds == e % kinds && (m / kinds) % split != (e / kinds) % split { pairs.append(("e\(e)", "m\(m)")) }
        }
        return pairs
    }

    /// Where no hard rule keeps anyone from the place the kinds' answer gives them, that answer
    /// and its prices are the optimum and its proof: the first search of the left-out pairs
    /// finds none that break it.
    @Test(arguments: [(60, 1200, 300), (5, 900, 200), (1, 285, 39)])
    func `where no rule binds, the kinds' answer is proven at once`(kinds: Int, mentees: Int, mentors: Int) throws {
        let people = TiedScoresTests.kinds(seed: UInt64(kinds), kinds: kinds, mentees: mentees, mentors: mentors, capacities: 1...3)
        let engine = try MatchEngine(participants: people, options: MatchOptions(menteeCandidates: 6, mentorCandidates: 12, threads: 2))
        let lines = TiedScoresTests.Lines()
        let result = try engine.optimal(trace: { lines.append($0) })
        let start = try #require(lines.all.first { $0.hasPrefix("grouped start:") })
        #expect(start.hasSuffix("ε 1"), "\(start)")
        #expect(lines.all.filter { $0.hasPrefix("round") } == ["round 1: 0 left-out pairs could improve the result, 0 added"])
        #expect(result.provenOptimal)
        #expect(result.totalScore == Reference.minCostFlow(engine, objective: .score).total)
    }

    /// What the start gives out keeps every rule: each pair allowed and scored as the engine
    /// scores it, nobody twice, no locked mentee, no mentor past their places left, on the cohorts
    /// with rules above.
    @Test(arguments: 0..<10)
    func `the start gives out only allowed pairs within everyone's places`(seed: Int) throws {
        let (people, options) = Self.cohortWithRules(seed: seed)
        let engine = try MatchEngine(participants: people, options: options)
        let (run, _) = try engine.candidates(progress: nil)
        let scale = try #require(ValueScale(menteeCount: engine.menteeCount, capacity: run.capacityLeft, maxScore: ScoreUnits.perOne, objective: options.objective))
        guard let start = engine.groupedStart(run: run, scale: scale) else {
            #expect(seed == 5, "only seed 5 keeps too many from the kinds' answer")
            return
        }
        #expect(start.placed == start.pairs.count && start.placed <= start.flow && start.placed * 10 >= start.flow * 9)
        #expect(Set(start.pairs.map(\.mentee)).count == start.pairs.count, "nobody twice")
        #expect(start.pairs.allSatisfy { !run.lockedMentees.contains($0.mentee) })
        var load = [Int32](repeating: 0, count: engine.mentorCount)
        for pair in start.pairs {
            load[pair.mentor] += 1
            #expect(engine.instance.eligibleScore(mentee: pair.mentee, mentor: pair.mentor) == pair.score, "\(pair)")
        }
        #expect(load.indices.allSatisfy { load[$0] <= run.capacityLeft[$0] })
        #expect(start.price.allSatisfy { $0 >= 0 })
    }

    /// Mentors of more places than their lists are long, and people without a department in a
    /// run that keeps departments apart (they are kept from nobody: without that, every pair of
    /// kinds was left out of the kinds' problem and the start gave out nothing).
    @Test(arguments: [(8...12, false), (8...12, true), (1...3, true)])
    func `mentors of many places and people without a department start from the kinds' answer`(capacities: ClosedRange<Int>, noDepartments: Bool) throws {
        var people = TiedScoresTests.kinds(seed: 9, kinds: 4, mentees: 160, mentors: 40, capacities: capacities)
        if noDepartments { for index in people.indices { people[index].department = "" } }
        let options = MatchOptions(excludeSameDepartment: noDepartments, menteeCandidates: 3, mentorCandidates: 4, threads: 2)
        let engine = try MatchEngine(participants: people, options: options)
        let lines = TiedScoresTests.Lines()
        let result = try engine.optimal(trace: { lines.append($0) })
        let start = try #require(lines.all.first { $0.hasPrefix("grouped start:") })
        #expect(!start.contains(" 0 of 0 places"))
        #expect(result.provenOptimal)
        #expect(result.totalScore == Reference.minCostFlow(engine, objective: .score).total)
    }

    /// The kinds' price is taken off mentors the auction keeps at 0 (a place for everyone who has
    /// a pair with them), and only off them; such a cohort is proven optimal.
    @Test(arguments: [(2, 60, 24), (3, 90, 30), (2, 40, 10)])
    func `mentors with a place for everyone who has a pair with them start at price 0`(kinds: Int, mentees: Int, mentors: Int) throws {
        let people = TiedScoresTests.kinds(seed: UInt64(mentees), kinds: kinds, mentees: mentees, mentors: mentors, capacities: 2...6)
        let engine = try MatchEngine(participants: people, options: MatchOptions(menteeCandidates: 1, mentorCandidates: 1, threads: 2))
        var (run, _) = try engine.candidates(progress: nil)
        let scale = try #require(ValueScale(menteeCount: engine.menteeCount, capacity: run.capacityLeft, maxScore: ScoreUnits.perOne, objective: .score))
        var start = try #require(engine.groupedStart(run: run, scale: scale))
        run.graph.add(start.pairs)
        let problem = run.graph.problem(capacity: run.capacityLeft)
        var pairs = [Int](repeating: 0, count: engine.mentorCount)
        for mentor in problem.arcMentor { pairs[Int(mentor)] += 1 }
        let open = Set((0..<engine.mentorCount).filter { run.capacityLeft[$0] > 0 && Int(run.capacityLeft[$0]) >= pairs[$0] })
        let before = start.price
        #expect(!open.isEmpty)
        start.freeOpenMentors(problem)
        for m in 0..<engine.mentorCount { #expect(start.price[m] == (open.contains(m) ? 0 : before[m])) }
        let result = try engine.optimal()
        #expect(result.provenOptimal)
        #expect(result.totalScore == Reference.minCostFlow(engine, objective: .score).total)
    }

    /// The same on a problem written out: mentors 0 and 2 have places for all their pairs, mentor
    /// 1 has one place for two pairs and keeps the kinds' price.
    @Test func `only open mentors lose the kinds' price`() {
        var start = GroupedStart(pairs: [], price: [5, 7, 9, 0], menteeKinds: 1, mentorKinds: 1, flow: 0, placed: 0)
        let problem = SparseProblem(capacity: [2, 1, 3, 0], arcStart: [0, 1, 2, 4], arcMentor: [0, 1, 1, 2], arcScore: [1, 1, 1, 1])
        start.freeOpenMentors(problem)
        #expect(start.price == [0, 7, 0, 0])
    }

    /// Two files of an independent test (81 people each: everyone both mentor and mentee, places
    /// of 0, 1 and one of 10, manager chains within kinds; and one kind of mentee, blank profiles,
    /// chains within departments) where hard rules keep a few places of the kinds' answer from
    /// everyone. Those places start empty at their kind's price; started at ε = 1 they bid for
    /// tied mentees a unit at a time (17.6 million bids, 1.9 s, for the first; a file of 1,000
    /// such people did not finish in two minutes). ε now starts at such a price too.
    @Test(arguments: ["kept-places-81.csv", "kept-places-81b.csv"])
    func `places the start leaves empty do not fight over tied mentees`(file: String) throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(file)")
        let (header, rows) = try PeopleFile.read(try PeopleFile.decode(try Data(contentsOf: url)))
        let parsed = PeopleTable.parse(header: header, rows: rows)
        #expect(parsed.isValid)
        let people = parsed.records.map(Participant.init)
        let engine = try MatchEngine(participants: people, options: MatchOptions(threads: 2))
        let lines = TiedScoresTests.Lines()
        let (result, bids) = try TiedScoresTests.solve(engine, lines: lines)
        let start = try #require(lines.all.first { $0.hasPrefix("grouped start:") })
        #expect(!start.hasSuffix("ε 1"), "places were left empty: \(start)")
        #expect(result.provenOptimal)
        #expect(result.totalScore == Reference.minCostFlow(engine, objective: .score).total)
        #expect(bids < 100 * people.count, "bids: \(bids)")
    }

    /// Distinct people are not of few kinds: no grouped start.
    @Test func `distinct people start as before`() throws {
        let people = cohort(seed: 5, mentees: 300, mentors: 90)
        let engine = try MatchEngine(participants: people, options: MatchOptions(threads: 2))
        let lines = TiedScoresTests.Lines()
        let result = try engine.optimal(trace: { lines.append($0) })
        #expect(!lines.all.contains { $0.hasPrefix("grouped start:") })
        #expect(result.provenOptimal)
    }
}
