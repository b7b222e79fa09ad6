import Foundation
import Testing
import TrellisCore
@testable import TrellisMatching
import TrellisFixtures

/// Cohorts that put every branch of the block bound to work: few or many time-zone groups (so
/// blocks are aligned to groups or packed), unknown time zones, years, languages and frequencies,
/// languages shared by some pairs and not others,
/// mentees without development areas, lists too long for the bit-sliced counters, people in both
/// roles, departments and reporting lines, and uneven weights.
func boundedCohort(seed: UInt64, mentees: Int, mentors: Int, fewZones: Bool) -> [Participant] {
    var people = SyntheticPopulation.make(mentees: mentees, mentors: mentors, capacities: 1...4, skills: 40, seed: seed)
    var rng = SeededGenerator(seed: seed &* 97 &+ 5)
    let zones = fewZones ? ["Europe/London", "Asia/Tokyo", ""] : SyntheticPopulation.zones + [""]
    let skills = (0..<40).map { "skill-\($0)" }
    for index in people.indices {
        people[index].department = "D\(Int.random(in: 0..<4, using: &rng))"
        people[index].timezone = rng.pick(zones)
        if Int.random(in: 0..<10, using: &rng) == 0 { people[index].yearsExperience = nil }
        // Years no form accepts, as a caller of the library might give them: negative ones count
        // as unknown, huge ones as many.
        if Int.random(in: 0..<30, using: &rng) == 0 { people[index].yearsExperience = rng.pick([-3, -1, Int.max, 1_000_000]) }
        if Int.random(in: 0..<12, using: &rng) == 0 { people[index].languages = [] }
        // Languages not everyone shares: the bound takes each lane's language apart.
        else if Int.random(in: 0..<4, using: &rng) == 0 { people[index].languages = [rng.pick(["French", "Yoruba", "Korean", "Hindi"])] }
        // Seeds 3 and 7: more languages than one 64-bit word holds, so that the bounded pass
        // scores from the records (elsewhere from each lane's facts and the counters).
        if seed % 4 == 3 && Int.random(in: 0..<3, using: &rng) == 0 { people[index].languages = ["language-\(Int.random(in: 0..<70, using: &rng))"] }
        if Int.random(in: 0..<8, using: &rng) == 0 { people[index].meetingFrequency = nil }
        if Int.random(in: 0..<10, using: &rng) == 0 { people[index].interests = [] }
        if Int.random(in: 0..<40, using: &rng) == 0 {
            // Longer than the counters count: these rows have their first 15 tags counted and the
            // rest taken as shared.
            if (people[index].role?.canMentor == true) { people[index].expertise = Array(skills.prefix(17)) } else { people[index].developmentAreas = Array(skills.prefix(16 + Int.random(in: 0..<4, using: &rng))) }
        }
        if (people[index].role?.wantsMentor == true) && Int.random(in: 0..<15, using: &rng) == 0 { people[index].developmentAreas = [] }
        if Int.random(in: 0..<40, using: &rng) == 0 {
            // Interests and values past what the counters count, up to the most a list may hold.
            people[index].interests = (0..<Int.random(in: 16...Tags.maximumCount, using: &rng)).map { "interest-\(($0 * 7 + index) % 60)" }
            people[index].values = (0..<Int.random(in: 16...24, using: &rng)).map { "value-\(($0 * 5 + index) % 24)" }
        }
        if Int.random(in: 0..<60, using: &rng) == 0, people[index].role?.canMentor == true {
            people[index].expertise = (0..<Tags.maximumCount).map { "skill-\(($0 * 3 + index) % 40)" }
        }
    }
    if people.count > mentors + 1 {
        people[mentors].role = .both; people[mentors].capacity = 2; people[mentors].expertise = ["skill-1", "skill-2", "skill-3"]
    }
    return people
}

@Suite struct BoundedScoringTests {
    static let shapes: [(seed: UInt64, mentees: Int, mentors: Int, fewZones: Bool)] = [
        (1, 700, 600, true), (2, 900, 300, true), (3, 500, 520, false), (4, 60, 300, true),
        (5, 800, 40, false), (6, 1_100, 700, true), (7, 300, 1_000, true), (8, 1, 5, false),
    ]

    @Test("bounding gives exactly the lists of scoring every pair", arguments: shapes)
    func boundedEqualsFull(shape: (seed: UInt64, mentees: Int, mentors: Int, fewZones: Bool)) throws {
        let people = boundedCohort(seed: shape.seed, mentees: shape.mentees, mentors: shape.mentors, fewZones: shape.fewZones)
        var rng = SeededGenerator(seed: shape.seed &+ 1_000)
        let menteeIDs = people.filter { ($0.role?.wantsMentor == true) }.map(\.id), mentorIDs = people.filter { ($0.role?.canMentor == true) && $0.capacity > 0 }.map(\.id)
        var exclusions: [(mentee: String, mentor: String)] = []
        for _ in 0..<20 { exclusions.append((rng.pick(menteeIDs), rng.pick(mentorIDs))) }
        let weights = MatchWeights(complementarity: Double(Int.random(in: 1...6, using: &rng)), sharedInterests: Double(Int.random(in: 0...3, using: &rng)), sharedValues: 1, timeZone: Double(Int.random(in: 0...3, using: &rng)), language: 1, meetingFrequency: 1, experience: Double(Int.random(in: 0...2, using: &rng)))
        for variant in 0..<3 {
            let options = MatchOptions(
                weights: weights, excludeSameDepartment: variant == 1, minimumScore: variant == 2 ? 0.3 : 0,
                exclusions: exclusions, menteeCandidates: 6 + variant, mentorCandidates: 9 + 2 * variant, threads: 2
            )
            let instance = try PreparedInstance(participants: people, options: options)
            var capacityLeft = instance.mentorCapacity
            for m in capacityLeft.indices where m % 7 == 3 { capacityLeft[m] = 0 } // some mentors full (locks)
            let skip = Set((0..<instance.menteePerson.count).filter { $0 % 11 == 5 })
            let bounded = CandidateGraph.build(instance, skipMentees: skip, capacityLeft: capacityLeft, bounded: true, progress: nil)
            let full = CandidateGraph.build(instance, skipMentees: skip, capacityLeft: capacityLeft, bounded: false, progress: nil)
            #expect(bounded.arcStart == full.arcStart)
            #expect(bounded.arcMentor == full.arcMentor)
            #expect(bounded.arcScore == full.arcScore)
            #expect(bounded.menteeBound == full.menteeBound)
            #expect(bounded.mentorBound == full.mentorBound)
            #expect(bounded.aboveMinimum == full.aboveMinimum)

            // Counts of allowed pairs, checked pair by pair against the rules.
            var eligible = [Int32](repeating: 0, count: instance.menteePerson.count)
            var above = [Int32](repeating: 0, count: instance.menteePerson.count)
            for e in 0..<instance.menteePerson.count where !skip.contains(e) {
                for m in 0..<instance.mentorPerson.count where capacityLeft[m] > 0 && instance.ruleBroken(mentee: e, mentor: m) == nil {
                    eligible[e] += 1
                    if instance.score(mentee: e, mentor: m) >= instance.minimumScore { above[e] += 1 }
                }
            }
            #expect(bounded.eligibleMentors == eligible)
            #expect(bounded.aboveMinimum == above)
            #expect(bounded.eligiblePairs == eligible.reduce(0) { $0 + Int($1) })

            // Every kept pair's score is the pair's real score, and no left-out pair beats a bound.
            for e in 0..<instance.menteePerson.count {
                var kept = Set<Int>()
                for arc in bounded.arcStart[e]..<bounded.arcStart[e + 1] {
                    let m = Int(bounded.arcMentor[arc])
                    kept.insert(m)
                    // A mentee's arcs go to its mentors in order, each once (a pair in both lists
                    // is one arc).
                    if arc > bounded.arcStart[e] { #expect(bounded.arcMentor[arc - 1] < bounded.arcMentor[arc], "mentee \(e)'s arcs out of order or repeated") }
                    #expect(instance.ruleBroken(mentee: e, mentor: m) == nil)
                    #expect(bounded.arcScore[arc] == instance.score(mentee: e, mentor: m))
                }
                if skip.contains(e) { #expect(kept.isEmpty); continue }
                for m in 0..<instance.mentorPerson.count where capacityLeft[m] > 0 && !kept.contains(m) && instance.ruleBroken(mentee: e, mentor: m) == nil {
                    let score = instance.score(mentee: e, mentor: m)
                    guard score >= instance.minimumScore else { continue }
                    #expect(score <= bounded.menteeBound[e] && score <= bounded.mentorBound[m], "left-out pair \(e)–\(m) scores \(score)")
                }
            }

            // Each side's list, worked out here from every pair rather than by either build (both
            // start the mentors' lists from the mentees'): its weakest kept score is the k-th best
            // allowed score, and every pair scoring above that is in the graph.
            func expectLists(rows: Int, listLength: Int, bound: [Int64], scores: (Int) -> [(other: Int, score: Int64)], arc: (Int, Int) -> Bool) {
                for row in 0..<rows {
                    let allowed = scores(row).filter { $0.score >= instance.minimumScore }.sorted { $0.score > $1.score }
                    let weakest = allowed.count >= listLength ? allowed[listLength - 1].score : -1
                    #expect(bound[row] == weakest, "row \(row): weakest kept \(bound[row]), k-th best \(weakest)")
                    for pair in allowed where pair.score > weakest { #expect(arc(row, pair.other), "row \(row) lost \(pair.other)") }
                }
            }
            func hasArc(_ e: Int, _ m: Int) -> Bool { bounded.arcMentor[bounded.arcStart[e]..<bounded.arcStart[e + 1]].contains(Int32(m)) }
            let menteeRows = (0..<instance.menteePerson.count).filter { !skip.contains($0) }
            let mentorRows = (0..<instance.mentorPerson.count).filter { capacityLeft[$0] > 0 }
            func allowedScore(_ e: Int, _ m: Int) -> Int64? { instance.ruleBroken(mentee: e, mentor: m) == nil ? instance.score(mentee: e, mentor: m) : nil }
            expectLists(rows: instance.menteePerson.count, listLength: options.menteeCandidates, bound: bounded.menteeBound, scores: { e in
                skip.contains(e) ? [] : mentorRows.compactMap { m in allowedScore(e, m).map { (m, $0) } }
            }, arc: hasArc)
            expectLists(rows: instance.mentorPerson.count, listLength: options.mentorCandidates, bound: bounded.mentorBound, scores: { m in
                capacityLeft[m] == 0 ? [] : menteeRows.compactMap { e in allowedScore(e, m).map { (e, $0) } }
            }, arc: { m, e in hasArc(e, m) })
        }
    }

    @Test("the bound never falls below a pair's score")
    func boundIsAnUpperBound() throws {
        for seed: UInt64 in 20...23 {
            let people = boundedCohort(seed: seed, mentees: 400, mentors: 500, fewZones: seed % 2 == 0)
            let instance = try PreparedInstance(participants: people, options: MatchOptions(threads: 1))
            let tables = ScoringTables(instance)
            let lists = TagLists(instance)
            let mentors = LaneBlocks(instance, slots: instance.mentorPerson.indices.map(Int32.init), mentors: true)
            let mentees = LaneBlocks(instance, slots: instance.menteePerson.indices.map(Int32.init), mentors: false)
            // For sampled pairs: asking for exactly the pair's score must keep the pair's lane.
            var rng = SeededGenerator(seed: seed)
            for _ in 0..<150 {
                let e = Int.random(in: 0..<instance.menteePerson.count, using: &rng)
                let block = Int.random(in: 0..<mentors.count, using: &rng)
                let row = RowBound(person: Int(instance.menteePerson[e]), mentor: false, instance, lists: lists, tables: tables)
                for lane in 0..<LaneBlocks.width {
                    let m = mentors.slots[block * LaneBlocks.width + lane]
                    guard m >= 0 else { continue }
                    let score = instance.score(mentee: e, mentor: Int(m))
                    let lanes = mentors.lanes(reaching: score, block: block, row: row, tables: tables)
                    #expect(lanes[lane / 64] & (UInt64(1) << UInt64(lane % 64)) != 0, "mentee \(e), mentor \(m), score \(score)")
                }
                let m = Int.random(in: 0..<instance.mentorPerson.count, using: &rng)
                let menteeBlock = Int.random(in: 0..<mentees.count, using: &rng)
                let mentorRow = RowBound(person: Int(instance.mentorPerson[m]), mentor: true, instance, lists: lists, tables: tables)
                for lane in 0..<LaneBlocks.width {
                    let other = mentees.slots[menteeBlock * LaneBlocks.width + lane]
                    guard other >= 0 else { continue }
                    let score = instance.score(mentee: Int(other), mentor: m)
                    let lanes = mentees.lanes(reaching: score, block: menteeBlock, row: mentorRow, tables: tables)
                    #expect(lanes[lane / 64] & (UInt64(1) << UInt64(lane % 64)) != 0, "mentor \(m), mentee \(other), score \(score)")
                }
            }
        }
    }

    /// A lane's bound, worked out for that lane alone: the best other factors of its block, and for
    /// each tag list the share of the tags it shares (of the row's first 15, counted, plus the rest,
    /// taken as shared) over the divisor the block allows. `lanes(reaching:)` must keep exactly the
    /// lanes whose bound reaches the bar, no fewer (a pair would be lost) and no more (the bound
    /// would be looser than it is said to be).
    func laneBound(_ blocks: borrowing LaneBlocks, block: Int, lane: Int, row: RowBound, tables: borrowing ScoringTables) -> Int64 {
        func counted(_ columns: UnsafeMutablePointer<LaneMask>, _ vocabulary: Int, _ tags: UnsafePointer<Int32>, _ count: Int, _ extra: Int) -> Int {
            var shared = 0
            for index in 0..<(count - extra) where columns[block * vocabulary + Int(tags[index])][lane / 64] & (UInt64(1) << UInt64(lane % 64)) != 0 { shared += 1 }
            return shared + extra
        }
        func share(_ table: UnsafeMutablePointer<Int64>, _ shared: Int, _ divisor: Int) -> Int64 {
            shared == 0 ? 0 : table[max(shared, divisor) * tables.row + shared]
        }
        let skills = counted(blocks.skillColumns, blocks.skillVocabulary, row.skills, row.skillCount, row.extraSkills)
        let interests = counted(blocks.interestColumns, blocks.interestVocabulary, row.interests, row.interestCount, row.extraInterests)
        let values = counted(blocks.valueColumns, blocks.valueVocabulary, row.values, row.valueCount, row.extraValues)
        return blocks.bestOtherFactors(block: block, row: row, tables: tables)
            + share(tables.complement, skills, min(row.skillDivisor, Int(blocks.fewestSkills[block])))
            + share(tables.interest, interests, min(row.interestCount, Int(blocks.fewestInterests[block])))
            + share(tables.value, values, min(row.valueCount, Int(blocks.fewestValues[block])))
    }

    @Test("a block keeps exactly the lanes whose own bound reaches the bar")
    func lanesAreExactlyThoseReaching() throws {
        var checked = 0, kept = 0
        for seed: UInt64 in 40...43 {
            let people = boundedCohort(seed: seed, mentees: 500, mentors: 600, fewZones: seed % 2 == 0)
            var rng = SeededGenerator(seed: seed &+ 1_000)
            let weights = MatchWeights(complementarity: Double(Int.random(in: 1...6, using: &rng)), sharedInterests: Double(Int.random(in: 0...3, using: &rng)), sharedValues: Double(Int.random(in: 0...3, using: &rng)), timeZone: Double(Int.random(in: 0...3, using: &rng)), language: 1, meetingFrequency: 1, experience: Double(Int.random(in: 0...2, using: &rng)))
            let instance = try PreparedInstance(participants: people, options: MatchOptions(weights: weights, threads: 1))
            let tables = ScoringTables(instance)
            let lists = TagLists(instance)
            for mentorRows in [false, true] {
                let blocks = LaneBlocks(instance, slots: (mentorRows ? instance.menteePerson : instance.mentorPerson).indices.map(Int32.init), mentors: !mentorRows)
                for _ in 0..<50 {
                    let slot = Int.random(in: 0..<(mentorRows ? instance.mentorPerson.count : instance.menteePerson.count), using: &rng)
                    let row = RowBound(person: Int(mentorRows ? instance.mentorPerson[slot] : instance.menteePerson[slot]), mentor: mentorRows, instance, lists: lists, tables: tables)
                    let block = Int.random(in: 0..<blocks.count, using: &rng)
                    let bounds = (0..<LaneBlocks.width).map { laneBound(blocks, block: block, lane: $0, row: row, tables: tables) }
                    let valid = (0..<LaneBlocks.width).filter { blocks.slots[block * LaneBlocks.width + $0] >= 0 }
                    // Bars at, just above and just below the lanes' own bounds, and a few anywhere.
                    var bars = valid.prefix(12).flatMap { [bounds[$0], bounds[$0] + 1, bounds[$0] - 1] }
                    for _ in 0..<6 { bars.append(Int64.random(in: -10...ScoreUnits.perOne + 10, using: &rng)) }
                    for bar in bars {
                        let lanes = blocks.lanes(reaching: bar, block: block, row: row, tables: tables)
                        for lane in 0..<LaneBlocks.width {
                            let inMask = lanes[lane / 64] & (UInt64(1) << UInt64(lane % 64)) != 0
                            let expected = valid.contains(lane) && bounds[lane] >= bar
                            #expect(inMask == expected, "seed \(seed), \(mentorRows ? "mentor" : "mentee") row \(slot), block \(block), lane \(lane): bound \(bounds[lane]), bar \(bar)")
                            checked += 1
                            if inMask { kept += 1 }
                        }
                    }
                }
            }
        }
        // Both answers were put to the test.
        #expect(kept > 0 && kept < checked)
    }

    /// Heavy ties: a handful of kinds of people, so that many mentees' lists end on the same score
    /// as many mentors' (where the mentor pass must still look at a mentee whose bar equals the
    /// mentor's: a pair scoring exactly that may be outside the mentee's list by the tie-break and
    /// inside the mentor's), lists of 16 to 30 tags, and mentees with fewer candidates than their
    /// list holds. The lists must be those of scoring every pair.
    @Test("bounding gives exactly the lists of scoring every pair when scores tie", arguments: [UInt64(60), 61, 62])
    func boundedEqualsFullWithTies(seed: UInt64) throws {
        var people = SyntheticPopulation.make(mentees: 600, mentors: 300, capacities: 1...3, skills: 40, seed: seed)
        var rng = SeededGenerator(seed: seed)
        let kinds = (0..<4).map { kind in
            (skills: (0..<Int.random(in: 2...20, using: &rng)).map { "skill-\(($0 * 3 + kind) % 40)" },
             interests: (0..<Int.random(in: 1...18, using: &rng)).map { "interest-\($0 + kind)" },
             values: (0..<Int.random(in: 1...4, using: &rng)).map { "value-\($0 * kind)" })
        }
        for index in people.indices {
            let kind = rng.pick(kinds)
            people[index].department = "D\(index % 3)"
            people[index].timezone = "Europe/London"
            people[index].languages = ["English"]
            people[index].meetingFrequency = .monthly
            people[index].yearsExperience = [5, 10, 20][index % 3]
            people[index].interests = kind.interests
            people[index].values = kind.values
            if people[index].role?.canMentor == true { people[index].expertise = kind.skills } else { people[index].developmentAreas = kind.skills }
        }
        for variant in 0..<2 {
            let options = MatchOptions(excludeSameDepartment: variant == 1, menteeCandidates: 5, mentorCandidates: 7, threads: 2)
            let instance = try PreparedInstance(participants: people, options: options)
            let capacityLeft = instance.mentorCapacity
            let bounded = CandidateGraph.build(instance, capacityLeft: capacityLeft, bounded: true, progress: nil)
            let full = CandidateGraph.build(instance, capacityLeft: capacityLeft, bounded: false, progress: nil)
            #expect(bounded.arcStart == full.arcStart, "seed \(seed), variant \(variant)")
            #expect(bounded.arcMentor == full.arcMentor, "seed \(seed), variant \(variant)")
            #expect(bounded.arcScore == full.arcScore)
            #expect(bounded.menteeBound == full.menteeBound)
            #expect(bounded.mentorBound == full.mentorBound)
            // The ties are real: many mentees end their lists on one score.
            let bars = bounded.menteeBound.filter { $0 >= 0 }
            #expect(Set(bars).count * 10 < bars.count)
        }
    }

    /// The mentor pass leaves out the lanes of mentees whose bar is below the mentor's: a block's
    /// lanes from a band must hold every lane whose bar reaches a value in that band (a lane left
    /// out wrongly loses a pair; the lists test above checks the whole) and none of a lower band or
    /// without a bar; each block's highest bar is its lanes' highest.
    @Test("bars: the lanes from a band hold every lane whose bar reaches a value of that band")
    func lanesFromBand() throws {
        // Seeds 50-52: bars with many ties (a few dozen values) and some mentees without one;
        // 53: only five mentees with a bar; 54: none.
        for seed: UInt64 in 50...54 {
            let people = boundedCohort(seed: seed, mentees: 900, mentors: 200, fewZones: seed % 2 == 0)
            let instance = try PreparedInstance(participants: people, options: MatchOptions(threads: 1))
            var rng = SeededGenerator(seed: seed)
            let values = (0..<Int.random(in: 3...40, using: &rng)).map { _ in Int64.random(in: 0...ScoreUnits.perOne, using: &rng) }
            let bars = instance.menteePerson.indices.map { e -> Int64 in
                switch seed {
                case 53: return e % 150 == 7 ? rng.pick(values) : Int64.min
                case 54: return Int64.min
                default: return Int.random(in: 0..<9, using: &rng) == 0 ? Int64.min : rng.pick(values)
                }
            }
            // Some mentees are not rows (as the engine skips some), though every one has a bar.
            let slots = instance.menteePerson.indices.filter { $0 % 11 != 5 }.map(Int32.init)
            let blocks = LaneBlocks(instance, slots: slots, mentors: false, bars: bars)
            #expect(blocks.bandEdges == blocks.bandEdges.sorted())
            #expect(blocks.bandEdges.count == (seed == 54 ? 0 : LaneBlocks.bands - 1))
            let plain = LaneBlocks(instance, slots: slots, mentors: false)
            #expect(plain.bandEdges.isEmpty && (0..<plain.count).allSatisfy { plain.greatestBar[$0] == Int64.max })
            var keptBelow = 0, checked = 0
            for block in 0..<blocks.count {
                let lanes = (0..<LaneBlocks.width).filter { blocks.slots[block * LaneBlocks.width + $0] >= 0 }
                let laneBars = lanes.map { bars[Int(blocks.slots[block * LaneBlocks.width + $0])] }
                #expect(blocks.greatestBar[block] == (laneBars.max() ?? Int64.min))
                for bar in values + [Int64.min, -1, ScoreUnits.perOne + 1] + values.map({ $0 + 1 }) {
                    let band = blocks.band(of: bar)
                    let kept = blocks.lanes(fromBand: band, block: block)
                    // Never a lane past the block's last one.
                    #expect(kept & ~blocks.valid[block] == .zero)
                    for (lane, laneBar) in zip(lanes, laneBars) {
                        let inMask = kept[lane / 64] & (UInt64(1) << UInt64(lane % 64)) != 0
                        checked += 1
                        if laneBar == Int64.min { #expect(!inMask, "block \(block) lane \(lane) has no bar"); continue }
                        if laneBar >= bar { #expect(inMask, "block \(block) lane \(lane): bar \(laneBar) left out at \(bar)") }
                        #expect(inMask == (blocks.band(of: laneBar) >= band), "block \(block) lane \(lane): band \(blocks.band(of: laneBar)) against \(band)")
                        if inMask && laneBar < bar { keptBelow += 1 }
                    }
                }
                // Lanes go from the highest band to the lowest within a time zone and frequency.
                for (a, b) in zip(lanes, lanes.dropFirst()) {
                    let p = Int(instance.menteePerson[Int(blocks.slots[block * LaneBlocks.width + a])])
                    let q = Int(instance.menteePerson[Int(blocks.slots[block * LaneBlocks.width + b])])
                    guard instance.timezoneIndex[p] == instance.timezoneIndex[q] && instance.frequencyCode[p] == instance.frequencyCode[q] else { continue }
                    let left = bars[Int(blocks.slots[block * LaneBlocks.width + a])], right = bars[Int(blocks.slots[block * LaneBlocks.width + b])]
                    #expect((left == Int64.min ? -1 : blocks.band(of: left)) >= (right == Int64.min ? -1 : blocks.band(of: right)))
                }
            }
            // Bands are coarser than bars: some lanes below a value share its band.
            #expect(seed >= 53 || keptBelow > 0)
            #expect(checked > 0)
            if seed == 54 { #expect((0..<blocks.count).allSatisfy { blocks.greatestBar[$0] == Int64.min && blocks.barred[$0] == .zero }) }
        }
    }

    @Test("preparing on one core or two gives the same vocabularies and tag bits")
    func vocabulariesOnTwoCores() throws {
        let people = boundedCohort(seed: 9, mentees: 700, mentors: 300, fewZones: false)
        let one = try PreparedInstance(participants: people, options: MatchOptions(threads: 1))
        let two = try PreparedInstance(participants: people, options: MatchOptions(threads: 2))
        #expect(one.skillNames == two.skillNames && one.interestNames == two.interestNames)
        #expect(one.valueNames == two.valueNames && one.languageNames == two.languageNames)
        #expect(!one.skillNames.isEmpty && !one.interestNames.isEmpty && !one.valueNames.isEmpty)
        func same(_ a: UnsafeMutablePointer<UInt64>, _ b: UnsafeMutablePointer<UInt64>, _ words: Int) -> Bool {
            (0..<(people.count * words)).allSatisfy { a[$0] == b[$0] }
        }
        #expect(same(one.expertiseBits, two.expertiseBits, one.skillWords) && same(one.developmentBits, two.developmentBits, one.skillWords))
        #expect(same(one.interestBits, two.interestBits, one.interestWords) && same(one.valueBits, two.valueBits, one.valueWords))
        #expect(same(one.languageBits, two.languageBits, one.languageWords))
        #expect(one.developmentCount == two.developmentCount && one.interestCount == two.interestCount && one.valueCount == two.valueCount)
    }
}
