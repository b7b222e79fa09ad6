import Foundation
import Testing
import TrellisCore
@testable import TrellisMatching
import TrellisFixtures

/// A pair's score is written three times for speed: `PreparedInstance.score` (the reference), the
/// scoring kernel on one record per participant (`ScoringKernel.Layout.score`, what the candidate lists and the proof
/// use) and the explanation's factor by factor sum (`PreparedInstance.explain`, what people read).
/// Here all three meet on every pair of randomised cohorts, with the hard rules' verdicts.
@Suite struct ScoringAgreementTests {
    static let shapes: [(seed: UInt64, mentees: Int, mentors: Int, fewZones: Bool)] = [
        (31, 160, 140, true), (32, 110, 230, false), (33, 240, 35, true), (34, 1, 6, false), (35, 90, 90, false),
    ]

    @Test("the kernel, the reference and the explanation give every pair the same score and verdict", arguments: shapes)
    func everyPair(shape: (seed: UInt64, mentees: Int, mentors: Int, fewZones: Bool)) throws {
        let people = boundedCohort(seed: shape.seed, mentees: shape.mentees, mentors: shape.mentors, fewZones: shape.fewZones)
        var rng = SeededGenerator(seed: shape.seed &* 31 &+ 7)
        let menteeIDs = people.filter { $0.role?.wantsMentor == true }.map(\.id)
        let mentorIDs = people.filter { $0.role?.canMentor == true && $0.capacity > 0 }.map(\.id)
        var exclusions: [(mentee: String, mentor: String)] = []
        for _ in 0..<min(25, menteeIDs.count * mentorIDs.count / 4) { exclusions.append((rng.pick(menteeIDs), rng.pick(mentorIDs))) }
        var allowed = 0, forbidden = 0
        for variant in 0..<4 {
            // Uneven weights, some factors switched off, fractions included.
            func weight() -> Double { Int.random(in: 0..<5, using: &rng) == 0 ? 0 : Double(Int.random(in: 1...40, using: &rng)) / 8 }
            let weights = MatchWeights(
                complementarity: weight() + 0.5, sharedInterests: weight(), sharedValues: weight(), timeZone: weight(),
                language: weight(), meetingFrequency: weight(), experience: weight()
            )
            let options = MatchOptions(
                weights: weights, excludeSameDepartment: variant % 2 == 1, minimumScore: variant >= 2 ? 0.4 : 0,
                exclusions: exclusions, threads: 1
            )
            let instance = try PreparedInstance(participants: people, options: options)
            let mentees = ScoringKernel(instance, mentors: false), mentors = ScoringKernel(instance, mentors: true)
            let tables = ScoringTables(instance)
            var disagreements: [String] = []
            for e in 0..<instance.menteePerson.count {
                let department = ScoringKernel.departmentRule(mentee: mentees.record(e), excludeSameDepartment: options.excludeSameDepartment)
                for m in 0..<instance.mentorPerson.count {
                    let broken = instance.ruleBroken(mentee: e, mentor: m)
                    if broken == nil { allowed += 1 } else { forbidden += 1 }
                    let reference = instance.score(mentee: e, mentor: m)
                    let fast = mentees.layout.score(mentee: mentees.record(e), mentor: mentors.record(m), mentorSlot: Int32(m), tables: tables, excluded: instance.exclusions[e], department: department)
                    let explanation = instance.explain(mentee: e, mentor: m)
                    let verdict = broken ?? (reference < instance.minimumScore ? .belowMinimumScore : nil)
                    let kernelAgrees = broken == nil ? fast == reference : fast == -1
                    if !kernelAgrees || explanation.score != reference || explanation.brokenRule != verdict || !(0...ScoreUnits.perOne).contains(reference) {
                        disagreements.append("variant \(variant), mentee \(e), mentor \(m): reference \(reference), kernel \(fast), explanation \(explanation.score), rule \(String(describing: broken)) / \(String(describing: explanation.brokenRule))")
                    }
                }
            }
            #expect(disagreements.count == 0, "pairs disagree, the first: \(disagreements.prefix(5))")
        }
        // Both verdicts were put to the test (excluded pairs, departments, the minimum).
        #expect(allowed > 0)
        if shape.mentees > 1 { #expect(forbidden > 0) }
    }
}
