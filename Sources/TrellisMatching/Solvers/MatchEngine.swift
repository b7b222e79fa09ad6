import Foundation
import TrellisCore

/// The matching engine: scores pairs with reasons, keeps every hard rule, and solves with the
/// algorithm asked for. Build one per run; it is safe to read from several threads.
public final class MatchEngine: @unchecked Sendable {
    let instance: PreparedInstance
    /// The candidate graph, once made (`candidates`), behind a lock: the engine is read from
    /// several threads.
    private let candidateLock = NSLock()
    private var candidateCache: (CandidateRun, PhaseTimings)?

    /// Phases reported to a progress callback.
    public enum Phase: String, Sendable { case scoring, solving, proving }

    public init(participants: [Participant], options: MatchOptions = MatchOptions()) throws {
        let weightProblems = options.weights.validate()
        if !weightProblems.isEmpty { throw MatchInputError("Weights: \(weightProblems.summary)") }
        guard (0...1).contains(options.minimumScore) else { throw MatchInputError("The minimum score must be from 0 to 1 (it is \(options.minimumScore)).") }
        instance = try PreparedInstance(participants: participants, options: options)
    }

    public var mentorCount: Int { instance.mentorPerson.count }
    public var menteeCount: Int { instance.menteePerson.count }

    /// The score and reasons of any pair, allowed or not.
    public func explain(menteeID: String, mentorID: String) throws -> PairExplanation {
        guard let e = menteeSlot(menteeID) else {
            throw MatchInputError("“\(menteeID)” is not a mentee in this run.")
        }
        guard let m = mentorSlot(mentorID) else { throw MatchInputError("“\(mentorID)” is not a mentor in this run (role, or no capacity).") }
        return instance.explain(mentee: e, mentor: m)
    }

    func menteeSlot(_ id: String) -> Int? {
        guard let person = instance.indexOfID[id], instance.menteeSlotOfPerson[person] >= 0 else { return nil }
        return Int(instance.menteeSlotOfPerson[person])
    }

    func mentorSlot(_ id: String) -> Int? {
        guard let person = instance.indexOfID[id], instance.mentorSlotOfPerson[person] >= 0 else { return nil }
        return Int(instance.mentorSlotOfPerson[person])
    }

    /// Locked pairs, checked: known people, allowed pairs, each mentee once, within capacity.
    func lockedPairs() throws -> (pairs: [(mentee: Int, mentor: Int)], capacityLeft: [Int32]) {
        var capacityLeft = instance.mentorCapacity
        var seen = Set<Int>()
        var result: [(Int, Int)] = []
        for lock in instance.options.locks {
            guard let e = menteeSlot(lock.mentee) else { throw MatchInputError("Lock \(lock.mentee) → \(lock.mentor): “\(lock.mentee)” is not a mentee in this run.") }
            guard let m = mentorSlot(lock.mentor) else { throw MatchInputError("Lock \(lock.mentee) → \(lock.mentor): “\(lock.mentor)” is not a mentor with capacity in this run.") }
            if let broken = instance.ruleBroken(mentee: e, mentor: m) {
                throw MatchInputError("Lock \(lock.mentee) → \(lock.mentor) breaks a hard rule: \(broken.sentence)")
            }
            guard seen.insert(e).inserted else { throw MatchInputError("\(lock.mentee) is locked to more than one mentor.") }
            guard capacityLeft[m] > 0 else { throw MatchInputError("\(lock.mentor) has more locked mentees than their capacity (\(instance.mentorCapacity[m])).") }
            capacityLeft[m] -= 1
            result.append((e, m))
        }
        return (result, capacityLeft)
    }

    // MARK: Optimal

    /// The assignment with the best objective under every hard rule, with a proof. `trace`, when
    /// given, receives a line per auction phase and per proof round (for studying the solver; the
    /// engine itself reads no environment and prints nothing).
    public func optimal(progress: (@Sendable (Phase, Double) -> Void)? = nil, trace: (@Sendable (String) -> Void)? = nil) throws -> MatchResult {
        let clock = ContinuousClock()
        var (run, timings) = try candidates(progress: progress)

        // Values: scores scaled so that an ε of 1 is exact (`ValueScale`), for any score a pair
        // can have, including those the proof adds.
        guard let scale = ValueScale(menteeCount: menteeCount, capacity: run.capacityLeft, maxScore: ScoreUnits.perOne, objective: instance.options.objective) else {
            throw MatchInputError("This run is too large for the participation objective.")
        }

        var warm: [Int64]? = nil, warmSlots: [Int32]? = nil, startingEpsilon: Int64? = nil
        var added = 0
        var proven = false
        var result: AuctionSolver.Result
        // The first solve stops part-way, when prices are within a few millionths of a score of
        // their final values, so that the pairs the proof would add are added then, and the
        // solve continues from there instead of starting over.
        var stopEpsilon: Int64? = scale.scale * 16
        var round = 0
        var checked: CheckedDuals? = nil
        // On people of a few kinds, from the kinds' best assignment and prices (`GroupedStart`).
        let groupedClock = clock.now
        if var start = groupedStart(run: run, scale: scale) {
            run.graph.add(start.pairs)
            let problem = run.graph.problem(capacity: run.capacityLeft)
            start.freeOpenMentors(problem)
            let values = scale.values(of: problem)
            let (prices, slots, emptyPrice) = start.warmState(capacity: problem.capacity, menteeCount: menteeCount)
            let profit = DualCertificate.profits(problem, values: values, prices: start.price, skipping: run.lockedMentees)
            var held = [Int64](repeating: 0, count: menteeCount)
            for pair in start.pairs { held[pair.mentee] = scale.value(pair.score) - start.price[pair.mentor] }
            warm = prices
            warmSlots = slots
            // ε covers both ways the start can be off: a mentee below their best, and a place
            // left empty at a price above 0 (from ε = 1, such a place bid for tied mentees one
            // unit at a time: 17 million bids for 81 people).
            startingEpsilon = max(1, emptyPrice, zip(profit, held).map { $0 - $1 }.max() ?? 1)
            // From a start that is far off (someone kept from their place by a hard rule, say),
            // the first solve stops part-way, as a cold one does, for the proof to add pairs.
            stopEpsilon = startingEpsilon! > scale.scale * 16 ? scale.scale * 16 : nil
            trace?("grouped start: \(start.menteeKinds) kinds of mentee and \(start.mentorKinds) of mentor, \(start.placed) of \(start.flow) places given, ε \(startingEpsilon!)")
        }
        timings.solve += (clock.now - groupedClock).inSeconds
        repeat {
            round += 1
            var start = clock.now
            progress?(.solving, 0)
            let problem = run.graph.problem(capacity: run.capacityLeft)
            let values = scale.values(of: problem)
            result = AuctionSolver(problem, values: values).solve(warmPrices: warm, warmSlots: warmSlots, startingEpsilon: startingEpsilon, stopEpsilon: stopEpsilon, trace: trace)
            let intermediate = result.epsilon > 1
            stopEpsilon = nil
            progress?(.solving, 1)
            timings.solve += (clock.now - start).inSeconds

            // The proof (`DualCertificate`) over the kept pairs, and a search of the left-out
            // pairs for any that would break it.
            start = clock.now
            progress?(.proving, 0)
            let profit = DualCertificate.profits(problem, values: values, prices: result.mentorPrice, skipping: run.lockedMentees)
            let (violations, found, overfull) = leftOutViolations(
                run: run, profit: profit, prices: result.mentorPrice, scale: scale, perMentee: Self.additionsPerMentee(round: round), since: checked)
            checked = CheckedDuals(profit: profit, price: result.mentorPrice, overfull: overfull)
            if intermediate {
                startingEpsilon = max(1, result.epsilon / AuctionSolver.reduction)
                if !violations.isEmpty {
                    added += violations.count
                    run.graph.add(violations)
                    startingEpsilon = max(startingEpsilon!, largestViolation(violations, profit: profit, prices: result.mentorPrice, scale: scale))
                }
                warm = result.slotPrices
                warmSlots = result.personSlots
            } else if violations.isEmpty {
                proven = DualCertificate.proves(
                    problem, values: values, prices: result.mentorPrice, profits: profit, mentorOf: result.mentorOf, skipping: run.lockedMentees, scale: scale)
            } else {
                added += violations.count
                run.graph.add(violations)
                warm = result.slotPrices
                warmSlots = result.personSlots
                // The re-solve keeps prices and places and scales ε down again from the size of
                // the largest violation. (Starting at a small ε lets tied mentees fight over a
                // slot in tiny steps for a very long time; measured, it is far slower.)
                startingEpsilon = largestViolation(violations, profit: profit, prices: result.mentorPrice, scale: scale)
            }
            timings.proof += (clock.now - start).inSeconds
            trace?("round \(round)\(intermediate ? " (part-way)" : ""): \(found) left-out pairs could improve the result, \(violations.count) added")
            progress?(.proving, 1)
            if violations.isEmpty && !intermediate { break }
        } while round < 50

        return self.result(
            .optimal, objective: instance.options.objective, mentorOf: result.mentorOf, run: run, timings: timings, provenOptimal: proven,
            pairsAddedByProof: added
        )
    }

    /// How many of the left-out pairs that break the proof the round `round` adds per mentee (the
    /// most breaking ones): a few at first, doubling each round, so that the rounds stay few
    /// when many must be added.
    /// (16 at first: on 30,000 people of five kinds 4 added 554,638 pairs in all and 16 407,712,
    /// equally fast.)
    static func additionsPerMentee(round: Int) -> Int { 16 << min(max(0, round - 1), 24) }

    /// By how much the worst of `violations` breaks the proof (at least 1).
    func largestViolation(_ violations: [(mentee: Int, mentor: Int, score: Int64)], profit: [Int64], prices: [Int64], scale: ValueScale) -> Int64 {
        max(1, violations.map { scale.value($0.score) - profit[$0.mentee] - prices[$0.mentor] }.max() ?? 1)
    }

    /// What every solver over the candidate graph starts from: the locked pairs (checked), the
    /// places left, and the candidate graph of everyone else.
    struct CandidateRun {
        var locks: [(mentee: Int, mentor: Int)]
        var capacityLeft: [Int32]
        var lockedMentees: Set<Int>
        var graph: CandidateGraph
    }

    /// The locks checked and the candidate graph built, timed.
    func candidates(progress: (@Sendable (Phase, Double) -> Void)?) throws -> (CandidateRun, PhaseTimings) {
        // The candidate pairs depend only on the input: made once per engine, so that a greedy
        // baseline after an optimal run (as the app shows beside every run) does not score every
        // pair again (at 100,000 × 25,000 that was twelve seconds).
        candidateLock.lock()
        defer { candidateLock.unlock() }
        if let made = candidateCache { return made }
        let made = try makeCandidates(progress: progress)
        candidateCache = made
        return made
    }

    private func makeCandidates(progress: (@Sendable (Phase, Double) -> Void)?) throws -> (CandidateRun, PhaseTimings) {
        var timings = PhaseTimings()
        let clock = ContinuousClock()
        let (locks, capacityLeft) = try lockedPairs()
        let lockedMentees = Set(locks.map(\.mentee))
        let start = clock.now
        let graph = CandidateGraph.build(instance, skipMentees: lockedMentees, capacityLeft: capacityLeft, progress: progress.map { report in { @Sendable fraction in report(.scoring, fraction) } })
        timings.scoring = (clock.now - start).inSeconds - graph.listingSeconds
        timings.candidates = graph.listingSeconds
        return (CandidateRun(locks: locks, capacityLeft: capacityLeft, lockedMentees: lockedMentees, graph: graph), timings)
    }

    /// The proof's search of the pairs left out of the sparse problem. With mentor prices p and
    /// mentee profits u, every allowed pair must satisfy u + p ≥ value (pairs kept in the graph
    /// do, by the profits' definition). A left-out pair scores at most its mentee's and its
    /// mentor's weakest kept score, so only mentees and mentors whose duals sit below those
    /// bounds can hide a violation, and only their pairs are scored again.
    ///
    /// With `since`, the duals an earlier search checked every left-out pair against, only the
    /// pairs whose duals have fallen are looked at again: the rows of mentees whose profit fell
    /// (or who had more breaking pairs than were added) against every mentor, and the rest
    /// against the mentors whose price fell. Any other pair satisfied the rule at duals no
    /// larger than today's. On a long tail of rounds that each add a few pairs this reads a
    /// tenth of the pairs of a full search.
    ///
    /// Mentors are read in groups of those who score alike (`AlikeGroups`): a group's score with
    /// the mentee once, then its members cheapest first while one could break the rule, at most
    /// `perMentee` of them (a mentee cut short counts as `overfull`).
    ///
    /// Returns how many allowed left-out pairs break it (`found`: all of them, unless a group was
    /// cut short; 0 exactly when none does), and of those, per mentee, the
    /// `perMentee` that break it most (`pairs`, by mentee and mentor), ties between mentors
    /// broken by a hash of the pair. On data with many tied scores a part-way solve can leave
    /// millions of such pairs (every mentor of a tied kind but those the lists happened to
    /// name), and nearly all of them hold once a few are added and prices settle: adding them
    /// all made the problem a hundred times larger (30,000 people of five kinds: 140 million
    /// pairs, a minute). The hash spreads what is added over the tied mentors instead of giving
    /// every mentee the same few. `overfull`: the mentees with breaking pairs not added.
    func leftOutViolations(
        run: CandidateRun, profit: [Int64], prices: [Int64], scale: ValueScale, perMentee: Int, since: CheckedDuals? = nil
    ) -> (pairs: [(mentee: Int, mentor: Int, score: Int64)], found: Int, overfull: Set<Int>) {
        let graph = run.graph, lockedMentees = run.lockedMentees, capacityLeft = run.capacityLeft
        let menteeList = (0..<menteeCount).filter { e in
            !lockedMentees.contains(e) && graph.menteeBound[e] >= instance.minimumScore && graph.menteeBound[e] >= 0 && profit[e] < scale.value(graph.menteeBound[e])
        }
        let suspiciousMentors = (0..<mentorCount).filter { m in
            capacityLeft[m] > 0 && graph.mentorBound[m] >= 0 && prices[m] < scale.value(graph.mentorBound[m])
        }
        guard !menteeList.isEmpty && !suspiciousMentors.isEmpty else { return ([], 0, []) }
        let found = ViolationCollector()
        let inst = instance
        let menteeRecords = ScoringKernel(instance, mentors: false)
        let mentorRecords = ScoringKernel(instance, mentors: true)
        let layout = menteeRecords.layout
        // Mentees who score alike next to each other, so that a worker meets each group's
        // members in a row and works out the group's score with each mentor group once.
        let (menteeGroup, _) = AlikeGroups.number(menteeList, records: menteeRecords)
        let menteeOrder = menteeList.indices.sorted { (menteeGroup[$0], menteeList[$0]) < (menteeGroup[$1], menteeList[$1]) }
        let mentorBoundValue = (0..<mentorCount).map { graph.mentorBound[$0] >= 0 ? scale.value(graph.mentorBound[$0]) : Int64.min }
        let allMentors = AlikeGroups(suspiciousMentors, records: mentorRecords, prices: prices, bounds: mentorBoundValue)
        let fellMentors = since.map { checked in
            AlikeGroups(suspiciousMentors.filter { prices[$0] < checked.price[$0] }, records: mentorRecords, prices: prices, bounds: mentorBoundValue)
        }
        let tables = ScoringTables(instance)
        let minimum = instance.minimumScore
        let excludeDepartment = instance.options.excludeSameDepartment
        let keep = max(1, perMentee)
        let threads = max(1, min(instance.options.threads, menteeList.count))
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            var local: [(Int, Int, Int64)] = []
            var count = 0
            var overfull: [Int] = []
            var worst = WorstFirst(capacity: keep)
            // Per mentor group (of all mentors, and of those whose price fell), its score with
            // the mentee group it was last worked out for.
            var allScores = GroupScores(count: allMentors.count), fellScores = GroupScores(count: fellMentors?.count ?? 0)
            for index in stride(from: worker, to: menteeOrder.count, by: threads) {
                let position = menteeOrder[index], e = menteeList[position], group = menteeGroup[position]
                let arcs = graph.arcStart[e]..<graph.arcStart[e + 1]
                let menteeRecord = menteeRecords.record(e)
                let profitE = profit[e]
                let limit = scale.value(graph.menteeBound[e]) - profitE
                let excluded = inst.exclusions[e]
                let department = ScoringKernel.departmentRule(mentee: menteeRecord, excludeSameDepartment: excludeDepartment)
                worst.removeAll()
                let whole = since.map { checked in profitE < checked.profit[e] || checked.overfull.contains(e) } ?? true
                let groups = whole ? allMentors : fellMentors!
                let before = count
                var cut = false
                for k in groups.order {
                    let k = Int(k)
                    let cheapest = groups.minPrice[k]
                    if cheapest >= limit { break }
                    if groups.maxBound[k] <= profitE + cheapest { continue }
                    // The value every allowed pair of the two groups has (one mentor: none needed).
                    var value = Int64.max
                    if groups.start[k + 1] - groups.start[k] > 1 {
                        let first = mentorRecords.record(Int(groups.members[groups.start[k]]))
                        let score = { layout.unforbiddenScore(mentee: menteeRecord, mentor: first, tables: tables) }
                        value = whole ? allScores.score(of: k, with: group, score) : fellScores.score(of: k, with: group, score)
                        if value < minimum { continue }
                        value = scale.value(value)
                        if value <= profitE + cheapest { continue }
                    }
                    // The group's mentors cheapest first; among those of one price, from a place
                    // that depends on the mentee, so that what is added spreads over them.
                    var taken = 0
                    var place = groups.start[k]
                    let end = groups.start[k + 1]
                    members: while place < end {
                        let price = prices[Int(groups.members[place])]
                        if price >= limit || value <= profitE + price { break }
                        let runEnd = groups.runEnd[place], length = runEnd - place
                        let offset = length > 1 ? Int(ViolationKey.tie(e, place) % UInt64(length)) : 0
                        for step in 0..<length {
                            var at = place + offset + step
                            if at >= runEnd { at -= length }
                            let m = Int(groups.members[at])
                            if mentorBoundValue[m] <= profitE + price { continue }
                            let score = layout.score(mentee: menteeRecord, mentor: mentorRecords.record(m), mentorSlot: Int32(m), tables: tables, excluded: excluded, department: department)
                            if score < 0 || score < minimum { continue }
                            let excess = scale.value(score) - profitE - price
                            guard excess > 0, !graph.arcMentor[arcs].contains(Int32(m)) else { continue }
                            count += 1
                            worst.offer(ViolationKey(excess: excess, tie: ViolationKey.tie(e, m)), mentor: m, score: score)
                            taken += 1
                            // The rest of the group break the rule by no more than these (they
                            // score the same at a price no lower): this mentee is read again
                            // in full next round.
                            if taken >= keep { cut = true; break members }
                        }
                        place = runEnd
                    }
                }
                for kept in worst.entries { local.append((e, kept.mentor, kept.score)) }
                if cut || count - before > worst.entries.count { overfull.append(e) }
            }
            found.append(local, count: count, overfull: overfull)
        }
        let pairs = found.all.sorted { ($0.0, $0.1) < ($1.0, $1.1) }.map { (mentee: $0.0, mentor: $0.1, score: $0.2) }
        return (pairs, found.count, Set(found.overfull))
    }

    /// The result of a solver over the candidate graph: the locked pairs, the solver's (a mentor
    /// per mentee, or -1), and each unmatched mentee with the reason.
    func result(
        _ algorithm: MatchAlgorithm, objective: MatchObjective, mentorOf: [Int32], run: CandidateRun, timings: PhaseTimings,
        provenOptimal: Bool = false, pairsAddedByProof: Int = 0
    ) -> MatchResult {
        var pairs = lockedMatches(run.locks)
        var load = [Int32](repeating: 0, count: mentorCount)
        for e in 0..<menteeCount where mentorOf[e] >= 0 {
            let m = Int(mentorOf[e])
            load[m] += 1
            pairs.append(MatchedPair(menteeID: id(mentee: e), mentorID: id(mentor: m), score: instance.score(mentee: e, mentor: m), locked: false))
        }
        let unmatched = (0..<menteeCount).filter { mentorOf[$0] < 0 && !run.lockedMentees.contains($0) }.map { e in
            UnmatchedMentee(menteeID: id(mentee: e), reason: reason(e, graph: run.graph, capacityLeft: run.capacityLeft, load: load))
        }
        return MatchResult(
            algorithm: algorithm, objective: objective, pairs: pairs.sorted { $0.menteeID < $1.menteeID }, unmatched: unmatched,
            mentorCount: mentorCount, menteeCount: menteeCount, people: instance.participants.count, eligiblePairs: run.graph.eligiblePairs,
            candidatePairs: run.graph.arcCount, provenOptimal: provenOptimal, pairsAddedByProof: pairsAddedByProof, timings: timings
        )
    }

    /// The locked pairs, as they appear in a result.
    func lockedMatches(_ locks: [(mentee: Int, mentor: Int)]) -> [MatchedPair] {
        locks.map { MatchedPair(menteeID: id(mentee: $0.mentee), mentorID: id(mentor: $0.mentor), score: instance.score(mentee: $0.mentee, mentor: $0.mentor), locked: true) }
    }

    func id(mentee e: Int) -> String { instance.participants[Int(instance.menteePerson[e])].id }
    func id(mentor m: Int) -> String { instance.participants[Int(instance.mentorPerson[m])].id }

    func reason(_ e: Int, graph: CandidateGraph, capacityLeft: [Int32], load: [Int32]) -> UnmatchedReason {
        if graph.eligibleMentors[e] == 0 { return .noEligibleMentor }
        if graph.aboveMinimum[e] == 0 { return .belowMinimumScore }
        if instance.options.objective == .participation {
            let arcs = graph.arcStart[e]..<graph.arcStart[e + 1]
            if arcs.allSatisfy({ load[Int(graph.arcMentor[$0])] >= capacityLeft[Int(graph.arcMentor[$0])] }) { return .mentorsFull(eligible: Int(graph.aboveMinimum[e])) }
            return .noRoom
        }
        return .mentorsFull(eligible: Int(graph.aboveMinimum[e]))
    }
}

final class ViolationCollector: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var all: [(Int, Int, Int64)] = []
    private(set) var count = 0
    private(set) var overfull: [Int] = []
    func append(_ items: [(Int, Int, Int64)], count found: Int, overfull more: [Int]) {
        lock.lock(); all.append(contentsOf: items); count += found; overfull.append(contentsOf: more); lock.unlock()
    }
}

/// Per group of mentors, its score with the group of mentees it was last worked out for: a
/// worker meets a mentee group's members in a row, and works out each pair of groups once.
struct GroupScores {
    private var forGroup: [Int32]
    private var scores: [Int64]

    init(count: Int) {
        forGroup = [Int32](repeating: -1, count: count)
        scores = [Int64](repeating: 0, count: count)
    }

    /// Mentor group `k`'s score with mentee group `group`, worked out by `score` if not known.
    @inline(__always) mutating func score(of k: Int, with group: Int32, _ score: () -> Int64) -> Int64 {
        if forGroup[k] != group { forGroup[k] = group; scores[k] = score() }
        return scores[k]
    }
}

/// The duals the proof's search last checked the left-out pairs against: every left-out pair
/// satisfied `value ≤ profit + price` then, except pairs of the `overfull` mentees.
struct CheckedDuals {
    var profit: [Int64]
    var price: [Int64]
    var overfull: Set<Int>
}

/// How much a left-out pair breaks the proof, and a hash of the pair that orders pairs breaking
/// it equally (the same on every run and machine).
struct ViolationKey: Comparable {
    var excess: Int64
    var tie: UInt64

    static func < (a: ViolationKey, b: ViolationKey) -> Bool { (a.excess, a.tie) < (b.excess, b.tie) }

    /// SplitMix64's finaliser over the mentee and mentor slots.
    static func tie(_ mentee: Int, _ mentor: Int) -> UInt64 {
        var z = (UInt64(truncatingIfNeeded: mentee) << 32 | UInt64(truncatingIfNeeded: mentor) & 0xFFFF_FFFF) &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Mentors in groups of those who score alike with anyone (the same `Layout.scoringWords`):
/// the proof's search works out a mentee's score with a group once, and reads the group's
/// members, cheapest first, only while one of them could break the rule. On data of a few kinds
/// of people this is what keeps the search from scoring every pair.
struct AlikeGroups {
    /// Each group's members (mentor slots) in `members[start[k]..<start[k + 1]]`, cheapest first.
    var start: [Int] = [0]
    var members: [Int32] = []
    /// Per place in `members`, where the run of members of the same price that holds it ends.
    var runEnd: [Int] = []
    /// Per group: its cheapest price, its members' largest bound, and the groups cheapest first.
    var minPrice: [Int64] = []
    var maxBound: [Int64] = []
    var order: [Int32] = []
    var count: Int { minPrice.count }

    /// A group number per entry of `slots` (in order of first appearance), and how many groups.
    /// `byDepartment`: people of different departments in different groups too. Past `limit`
    /// groups it stops and returns a count above the limit (and groups for only some slots).
    static func number(_ slots: [Int], records: borrowing ScoringKernel, byDepartment: Bool = false, limit: Int = .max) -> ([Int32], Int) {
        let words = records.layout.scoringWords
        // By a hash of the words, checked against the group's first member (a different group
        // with the same hash takes the next free hash).
        var numbers: [UInt64: Int32] = [:]
        var firsts: [UnsafeMutablePointer<UInt64>] = [], firstDepartments: [Int32] = []
        var group = [Int32](repeating: 0, count: slots.count)
        for (index, slot) in slots.enumerated() {
            let record = records.record(slot) + words.lowerBound
            let department = byDepartment ? ScoringKernel.field(records.record(slot), ScoringKernel.Field.department) : 0
            var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(UInt32(bitPattern: department))
            for word in 0..<words.count { hash = ViolationKey.tie(Int(truncatingIfNeeded: hash), Int(truncatingIfNeeded: record[word])) ^ record[word] }
            while true {
                guard let known = numbers[hash] else {
                    numbers[hash] = Int32(firsts.count); group[index] = Int32(firsts.count); firsts.append(record); firstDepartments.append(department)
                    if firsts.count > limit { return (group, firsts.count) }
                    break
                }
                if firstDepartments[Int(known)] == department && memcmp(firsts[Int(known)], record, words.count * 8) == 0 { group[index] = known; break }
                hash &+= 1
            }
        }
        return (group, firsts.count)
    }

    init(_ mentors: [Int], records: borrowing ScoringKernel, prices: [Int64], bounds: [Int64]) {
        let (group, groups) = Self.number(mentors, records: records)
        var sizes = [Int](repeating: 0, count: groups + 1)
        for g in group { sizes[Int(g) + 1] += 1 }
        for k in 0..<groups { sizes[k + 1] += sizes[k] }
        start = sizes
        var fill = Array(sizes.dropLast())
        members = [Int32](repeating: 0, count: mentors.count)
        for (index, m) in mentors.enumerated() { members[fill[Int(group[index])]] = Int32(m); fill[Int(group[index])] += 1 }
        minPrice = [Int64](repeating: 0, count: groups)
        maxBound = [Int64](repeating: Int64.min, count: groups)
        runEnd = [Int](repeating: 0, count: mentors.count)
        for k in 0..<groups {
            let range = start[k]..<start[k + 1]
            members[range].sort { (prices[Int($0)], $0) < (prices[Int($1)], $1) }
            minPrice[k] = prices[Int(members[range.lowerBound])]
            var end = range.upperBound
            for place in range.reversed() {
                if place + 1 < range.upperBound && prices[Int(members[place])] != prices[Int(members[place + 1])] { end = place + 1 }
                runEnd[place] = end
                maxBound[k] = max(maxBound[k], bounds[Int(members[place])])
            }
        }
        order = (0..<Int32(groups)).sorted { (minPrice[Int($0)], $0) < (minPrice[Int($1)], $1) }
    }
}

/// The `capacity` largest keys offered, in a min-heap (the smallest kept on top).
struct WorstFirst {
    struct Entry { var key: ViolationKey; var mentor: Int; var score: Int64 }
    let capacity: Int
    private(set) var entries: [Entry] = []

    init(capacity: Int) { self.capacity = capacity; entries.reserveCapacity(min(capacity, 1024)) }

    mutating func removeAll() { entries.removeAll(keepingCapacity: true) }

    mutating func offer(_ key: ViolationKey, mentor: Int, score: Int64) {
        let entry = Entry(key: key, mentor: mentor, score: score)
        if entries.count < capacity {
            entries.append(entry)
            var place = entries.count - 1
            while place > 0 {
                let parent = (place - 1) / 2
                guard entries[place].key < entries[parent].key else { break }
                entries.swapAt(place, parent)
                place = parent
            }
            return
        }
        guard entries[0].key < key else { return }
        entries[0] = entry
        var place = 0
        while true {
            var child = 2 * place + 1
            if child >= entries.count { break }
            if child + 1 < entries.count && entries[child + 1].key < entries[child].key { child += 1 }
            guard entries[child].key < entries[place].key else { break }
            entries.swapAt(place, child)
            place = child
        }
    }
}

extension Duration {
    /// The duration in seconds, as a number.
    public var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
