import Foundation
import Testing
import TrellisCore
@testable import TrellisMatching
import TrellisFixtures

@Suite struct StableMatchingTests {
    /// Random incomplete lists over a small cohort, every rule respected by construction.
    func instance(seed: UInt64) throws -> (MatchEngine, [Ranking], [Participant]) {
        var rng = SeededGenerator(seed: seed)
        let mentors = (0..<Int.random(in: 2...4, using: &rng)).map { Participant(id: "m\($0)", role: .mentor, capacity: Int.random(in: 1...2, using: &rng)) }
        let mentees = (0..<Int.random(in: 3...6, using: &rng)).map { Participant(id: "e\($0)", role: .mentee) }
        var rankings: [Ranking] = []
        for mentee in mentees {
            for (rank, mentor) in rng.sample(mentors, count: Int.random(in: 0...mentors.count, using: &rng)).enumerated() {
                rankings.append(Ranking(ranker: mentee.id, ranked: mentor.id, rank: rank + 1))
            }
        }
        for mentor in mentors {
            for (rank, mentee) in rng.sample(mentees, count: Int.random(in: 0...mentees.count, using: &rng)).enumerated() {
                rankings.append(Ranking(ranker: mentor.id, ranked: mentee.id, rank: rank + 1))
            }
        }
        let people = mentors + mentees
        return (try MatchEngine(participants: people, options: MatchOptions(threads: 1)), rankings, people)
    }

    func rank(_ rankings: [Ranking], _ ranker: String, _ ranked: String) -> Int? {
        rankings.first { $0.ranker == ranker && $0.ranked == ranked }?.rank
    }

    /// Every assignment of mentees to mutually ranked mentors within capacity.
    func allAssignments(_ rankings: [Ranking], _ people: [Participant]) -> [[String: String]] {
        let mentees = people.filter { $0.role == .mentee }.map(\.id)
        let mentors = people.filter { $0.role == .mentor }
        var results: [[String: String]] = []
        var load: [String: Int] = [:]
        func visit(_ index: Int, _ current: [String: String]) {
            if index == mentees.count { results.append(current); return }
            visit(index + 1, current)
            for mentor in mentors where rank(rankings, mentees[index], mentor.id) != nil && rank(rankings, mentor.id, mentees[index]) != nil && load[mentor.id, default: 0] < mentor.capacity {
                load[mentor.id, default: 0] += 1
                var next = current; next[mentees[index]] = mentor.id
                visit(index + 1, next)
                load[mentor.id, default: 0] -= 1
            }
        }
        visit(0, [:])
        return results
    }

    func isStable(_ assignment: [String: String], _ rankings: [Ranking], _ people: [Participant]) -> Bool {
        let mentors = people.filter { $0.role == .mentor }
        for mentee in people.filter({ $0.role == .mentee }).map(\.id) {
            for mentor in mentors {
                guard let menteeRank = rank(rankings, mentee, mentor.id), let mentorRank = rank(rankings, mentor.id, mentee) else { continue }
                if assignment[mentee] == mentor.id { continue }
                let menteePrefers = assignment[mentee].map { menteeRank < rank(rankings, mentee, $0)! } ?? true
                let held = assignment.filter { $0.value == mentor.id }.map(\.key)
                let mentorPrefers = held.count < mentor.capacity || held.contains { mentorRank < rank(rankings, mentor.id, $0)! }
                if menteePrefers && mentorPrefers { return false }
            }
        }
        return true
    }

    @Test(arguments: 1...80)
    func `deferred acceptance gives the mentee-optimal stable assignment`(seed: Int) throws {
        let (engine, rankings, people) = try instance(seed: UInt64(seed))
        let result = try engine.stable(rankings: rankings)
        let made = Dictionary(uniqueKeysWithValues: result.pairs.map { ($0.menteeID, $0.mentorID) })
        #expect(isStable(made, rankings, people), "seed \(seed): a blocking pair exists")
        for pair in result.pairs {
            #expect(rank(rankings, pair.menteeID, pair.mentorID) != nil && rank(rankings, pair.mentorID, pair.menteeID) != nil)
        }
        // Mentee-optimal: no stable assignment gives any mentee a mentor they rank higher.
        let stable = allAssignments(rankings, people).filter { isStable($0, rankings, people) }
        #expect(!stable.isEmpty)
        for mentee in people.filter({ $0.role == .mentee }).map(\.id) {
            let mine = made[mentee].flatMap { rank(rankings, mentee, $0) } ?? Int.max
            let bestPossible = stable.compactMap { $0[mentee].flatMap { rank(rankings, mentee, $0) } }.min() ?? Int.max
            #expect(mine == bestPossible, "seed \(seed), \(mentee)")
        }
    }

    func result(_ assignment: [String: String], _ people: [Participant]) -> MatchResult {
        MatchResult(
            algorithm: .stable, objective: .score, pairs: assignment.map { MatchedPair(menteeID: $0.key, mentorID: $0.value, score: 0, locked: false) },
            unmatched: [], mentorCount: 0, menteeCount: 0, people: people.count, eligiblePairs: 0, candidatePairs: 0,
            provenOptimal: false, pairsAddedByProof: 0, timings: PhaseTimings()
        )
    }

    @Test(arguments: 1...40)
    func `the blocking-pair check agrees with the definition on every assignment`(seed: Int) throws {
        let (engine, rankings, people) = try instance(seed: UInt64(seed))
        for assignment in allAssignments(rankings, people).prefix(200) {
            let blocking = engine.blockingPairs(rankings: rankings, in: result(assignment, people))
            #expect(blocking.isEmpty == isStable(assignment, rankings, people), "seed \(seed): \(assignment)")
        }
        #expect(engine.blockingPairs(rankings: rankings, in: try engine.stable(rankings: rankings)).isEmpty)
    }

    @Test(arguments: 1...60)
    func `why-not names who would refuse whom for every pair a stable match leaves apart`(seed: Int) throws {
        let (engine, rankings, people) = try instance(seed: UInt64(seed))
        let made = try engine.stable(rankings: rankings)
        let mentorOf = Dictionary(uniqueKeysWithValues: made.pairs.map { ($0.menteeID, $0.mentorID) })
        for mentee in people.filter({ $0.role == .mentee }) {
            for mentor in people.filter({ $0.role == .mentor }) where mentorOf[mentee.id] != mentor.id {
                let sentences = StableExplanation.whyNot(
                    mentee: mentee.id, mentor: mentor.id,
                    menteeRanksMentor: rank(rankings, mentee.id, mentor.id), mentorRanksMentee: rank(rankings, mentor.id, mentee.id),
                    menteePartner: mentorOf[mentee.id].map { .init(name: $0, rank: rank(rankings, mentee.id, $0)) },
                    mentorPartners: mentorOf.filter { $0.value == mentor.id }.map { .init(name: $0.key, rank: rank(rankings, mentor.id, $0.key)) },
                    mentorCapacity: mentor.capacity
                )
                let text = sentences.joined(separator: " ")
                let ranked = rank(rankings, mentee.id, mentor.id) != nil && rank(rankings, mentor.id, mentee.id) != nil
                if ranked {
                    #expect(text.contains("would refuse"), "seed \(seed) \(mentee.id)–\(mentor.id): \(text)")
                    #expect(!text.contains("would both rather be together"))
                } else {
                    #expect(text.contains("did not"), "seed \(seed): \(text)")
                }
            }
        }
    }

    @Test func `a locked pair can leave two people apart who would both rather be together, and why-not says so`() throws {
        let people = [
            Participant(id: "ann", role: .mentor, capacity: 1), Participant(id: "ben", role: .mentor, capacity: 1),
            Participant(id: "cat", role: .mentee), Participant(id: "dan", role: .mentee),
        ]
        let rankings = [
            Ranking(ranker: "cat", ranked: "ann", rank: 1), Ranking(ranker: "cat", ranked: "ben", rank: 2),
            Ranking(ranker: "ann", ranked: "cat", rank: 1), Ranking(ranker: "ben", ranked: "cat", rank: 1),
            Ranking(ranker: "dan", ranked: "ben", rank: 1), Ranking(ranker: "ben", ranked: "dan", rank: 2),
        ]
        // The manager locks Dan with Ann, whom neither ranked.
        let engine = try MatchEngine(participants: people, options: MatchOptions(locks: [(mentee: "dan", mentor: "ann")], threads: 1))
        let made = try engine.stable(rankings: rankings)
        #expect(Set(made.pairs.map { "\($0.menteeID)-\($0.mentorID)" }) == ["dan-ann", "cat-ben"])
        #expect(engine.blockingPairs(rankings: rankings, in: made).map { "\($0.mentee)-\($0.mentor)" } == ["cat-ann"])
        let text = StableExplanation.whyNot(
            mentee: "cat", mentor: "ann", menteeRanksMentor: 1, mentorRanksMentee: 1, menteePartner: .init(name: "ben", rank: 2),
            mentorPartners: [.init(name: "dan", rank: nil)], mentorCapacity: 1
        ).joined(separator: " ")
        #expect(text.contains("would both rather be together") && text.contains("locked or hand-made"))
        #expect(StableExplanation.ordinal(1) == "1st" && StableExplanation.ordinal(2) == "2nd" && StableExplanation.ordinal(3) == "3rd")
        #expect(StableExplanation.ordinal(11) == "11th" && StableExplanation.ordinal(12) == "12th" && StableExplanation.ordinal(22) == "22nd" && StableExplanation.ordinal(101) == "101st")
    }

    @Test func `rankings must connect a mentee and a mentor of the run`() throws {
        let (engine, _, _) = try instance(seed: 1)
        #expect(throws: MatchInputError.self) { try engine.stable(rankings: [Ranking(ranker: "e0", ranked: "e1", rank: 1)]) }
        #expect(throws: MatchInputError.self) { try engine.stable(rankings: [Ranking(ranker: "e0", ranked: "m0", rank: 0)]) }
    }

    @Test func `hard rules hold in stable matching too`() throws {
        let people = [
            Participant(id: "boss", role: .mentor, capacity: 2),
            Participant(id: "report", role: .mentee, managerID: "boss"),
            Participant(id: "other", role: .mentee),
            Participant(id: "quiet", role: .mentee),
        ]
        let engine = try MatchEngine(participants: people)
        let rankings = [
            Ranking(ranker: "report", ranked: "boss", rank: 1), Ranking(ranker: "boss", ranked: "report", rank: 1),
            Ranking(ranker: "other", ranked: "boss", rank: 1), Ranking(ranker: "boss", ranked: "other", rank: 2),
        ]
        let result = try engine.stable(rankings: rankings)
        #expect(result.pairs.map(\.menteeID) == ["other"])
        #expect(result.unmatched == [UnmatchedMentee(menteeID: "report", reason: .noMutualRanking), UnmatchedMentee(menteeID: "quiet", reason: .rankedNobody)])
    }
}
