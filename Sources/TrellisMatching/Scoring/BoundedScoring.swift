/// 256 lanes: four 64-bit words, one vector operation each where the machine has 256-bit vectors.
/// (Eight words with AVX-512 were measured: scoring took 8 s instead of 4.5 s at 100k × 25k.)
typealias LaneMask = SIMD4<UInt64>

extension LaneMask {
    /// Calls `body` with every set lane, lowest first.
    @inline(__always)
    func forEachLane(_ body: (Int) -> Void) {
        for word in 0..<scalarCount where self[word] != 0 {
            var bits = self[word]
            while bits != 0 {
                body(word &* 64 &+ bits.trailingZeroBitCount)
                bits &= bits &- 1
            }
        }
    }
}

/// Bounding the scores of 256 pairs at once, so that most pairs are never scored.
///
/// A 100,000 × 25,000 run has 2.5 billion pairs, but a mentee keeps only its best 25 mentors and a
/// mentor its best 50 mentees, and once a list is full a pair has to beat its weakest entry. The
/// candidate pass therefore walks each row (a mentee, then in a second pass a mentor) over the other
/// side in blocks of 256 lanes, computes an upper bound of the score of all 256 pairs together, and
/// scores exactly only the lanes whose bound reaches the row's weakest kept score.
///
/// The bound of a lane is the sum of:
/// - for complementary strengths, shared interests and shared values, the contribution of the lane's
///   exact number of shared tags, counted for all 256 lanes at once in bit-sliced counters (one 256-bit
///   column per tag and block; plane i of a counter holds bit i of every lane's count), divided by the
///   smallest count the block allows (a lane's share is s / max(s, fewest));
/// - the best time-zone + meeting-frequency, experience and language contribution of any lane of the
///   block. Each side is ordered by time zone, meeting frequency, list lengths and experience, so a
///   block is nearly uniform in these and the bound is nearly exact. (In the mentor pass the
///   mentees are grouped by bands of their own lists' bars before list lengths and experience, so
///   its blocks are less uniform in those; see `CandidateGraph.build`.)
///
/// A lane is left out only when its bound is below its row's weakest kept score, so the pair could not
/// have entered the row's list, or (mentor pass) when the pair is already in the mentee's list and
/// was offered before the pass: the lists are exactly those of scoring every pair (a test compares).
///
/// A lane that passes is scored from what the counters counted and the lane's facts
/// (`ScoringKernel.Facts`: 32 bytes in block order), and its record is read for the hard rules only
/// when the pair would enter the list; most pairs that pass the bound do not, and a record is a
/// cache line the pass would otherwise fetch for each of them.
struct LaneBlocks: ~Copyable, @unchecked Sendable {
    static let width = 256
    /// Counters have four planes: they count up to 15 tags of a row's list. A longer list (up to
    /// `Tags.maximumCount`) has its first 15 tags counted and the rest taken as shared with every
    /// lane, which keeps the bound above the score (each tag adds at most one to what a lane
    /// shares); such rows used to be scored in full, which made lists of 16 tags cost three
    /// times as much to score as lists of 8.
    static let largestCount = 15
    let count: Int
    /// True for blocks of mentors (rows are mentees), false for blocks of mentees.
    let mentors: Bool
    /// Slot (mentor or mentee) per lane; -1 past the last one.
    let slots: UnsafeMutablePointer<Int32>
    let valid: UnsafeMutablePointer<LaneMask>
    let skillVocabulary: Int, interestVocabulary: Int, valueVocabulary: Int
    /// Per block, one 256-bit column per tag (expertise for mentors, development areas for mentees).
    let skillColumns: UnsafeMutablePointer<LaneMask>
    let interestColumns: UnsafeMutablePointer<LaneMask>
    let valueColumns: UnsafeMutablePointer<LaneMask>
    /// Per block, its distinct (time zone, meeting frequency) codes: `zone << 3 | frequency`
    /// (`PreparedInstance.frequencyCodes` is at most 8; checked where the codes are made).
    let codeStart: UnsafeMutablePointer<Int32>
    let codes: UnsafeMutablePointer<Int32>
    /// Per block, the years of experience that score best (the most among mentors, the fewest among
    /// mentees), -1 when no lane's years are known, and whether some lane's are unknown.
    let bestYears: UnsafeMutablePointer<Int32>
    let unknownYears: UnsafeMutablePointer<Bool>
    /// Per block, the fewest development areas (mentee blocks; Int32.max for mentor blocks), interests
    /// and values a lane has: the divisors of the shares.
    let fewestSkills: UnsafeMutablePointer<Int32>
    let fewestInterests: UnsafeMutablePointer<Int32>
    let fewestValues: UnsafeMutablePointer<Int32>
    /// The first block whose first lane is in each time zone or a later one.
    let firstBlockOfZone: [Int]
    /// Bars, when the blocks are made with them (`init`'s `bars`): per block, the lanes that have
    /// one, the band of each lane's bar in four planes (as the counters hold counts), and the
    /// highest bar of any lane (Int64.min when no lane has one; Int64.max without bars).
    let barred: UnsafeMutablePointer<LaneMask>
    let bandPlanes: UnsafeMutablePointer<LaneMask>
    let greatestBar: UnsafeMutablePointer<Int64>
    /// The lowest bar of bands 1 to 15 (band 0 is below the first): at the sixteenths of the
    /// lanes that have a bar, in order of bar (equal bars share a band, so some bands may be
    /// empty and others larger).
    let bandEdges: [Int64]
    /// Bands are numbered in four bit planes, like the counters' counts.
    static let bands = 16

    /// `bars`, when given, holds a value per slot (Int64.min for none) by which the lanes of a time
    /// zone and meeting frequency are grouped, from the highest band to the lowest (and those with
    /// none last), before list lengths and years: blocks of low bars can then be passed over whole
    /// (`CandidateGraph.build` uses the mentees' bars in the mentor pass).
    init(_ instance: PreparedInstance, slots list: [Int32], mentors: Bool, bars: [Int64]? = nil) {
        self.mentors = mentors
        func person(_ slot: Int32) -> Int { Int(mentors ? instance.mentorPerson[Int(slot)] : instance.menteePerson[Int(slot)]) }
        precondition(Self.bands <= 16, "bands are numbered in four bit planes")
        var edges: [Int64] = []
        var band: [Int8] = []
        if let bars {
            let known = list.map { bars[Int($0)] }.filter { $0 != Int64.min }.sorted()
            if !known.isEmpty { edges = (1..<Self.bands).map { known[known.count * $0 / Self.bands] } }
            band = bars.map { bar in bar == Int64.min ? -1 : Int8(Self.band(of: bar, edges: edges)) }
        }
        bandEdges = edges
        let order = list.sorted { a, b in
            let p = person(a), q = person(b)
            let left = (instance.timezoneIndex[p], instance.frequencyCode[p]), right = (instance.timezoneIndex[q], instance.frequencyCode[q])
            if left != right { return left < right }
            if !band.isEmpty && band[Int(a)] != band[Int(b)] { return band[Int(a)] > band[Int(b)] }
            let leftCounts = (mentors ? 0 : instance.developmentCount[p], instance.interestCount[p], instance.valueCount[p])
            let rightCounts = (mentors ? 0 : instance.developmentCount[q], instance.interestCount[q], instance.valueCount[q])
            if leftCounts != rightCounts { return leftCounts < rightCounts }
            let leftYears = mentors ? -instance.years[p] : instance.years[p], rightYears = mentors ? -instance.years[q] : instance.years[q]
            return leftYears != rightYears ? leftYears < rightYears : a < b
        }
        // Blocks: a new one at every change of (time zone, meeting frequency) when there are few
        // such groups, so that a block's time-zone and frequency bound is exact; otherwise packed.
        precondition(PreparedInstance.frequencyCodes <= 8, "a frequency code must fit in three bits")
        var runs: [[Int32]] = []
        var previousCode: Int32 = -1
        for slot in order {
            let p = person(slot)
            let code = instance.timezoneIndex[p] << 3 | instance.frequencyCode[p]
            if code != previousCode || runs.isEmpty { runs.append([]); previousCode = code }
            runs[runs.count - 1].append(slot)
        }
        var members: [ArraySlice<Int32>] = []
        if runs.count <= max(1, order.count / 128) {
            for run in runs { for start in stride(from: 0, to: run.count, by: Self.width) { members.append(run[start..<min(run.count, start + Self.width)]) } }
        } else {
            for start in stride(from: 0, to: order.count, by: Self.width) { members.append(order[start..<min(order.count, start + Self.width)]) }
        }
        let blockCount = members.count
        count = blockCount
        skillVocabulary = max(1, instance.skillNames.count)
        interestVocabulary = max(1, instance.interestNames.count)
        valueVocabulary = max(1, instance.valueNames.count)
        let blocks = max(1, blockCount)
        slots = .allocate(capacity: blocks * Self.width); slots.initialize(repeating: -1, count: blocks * Self.width)
        valid = .allocate(capacity: blocks); valid.initialize(repeating: .zero, count: blocks)
        skillColumns = .allocate(capacity: blocks * skillVocabulary); skillColumns.initialize(repeating: .zero, count: blocks * skillVocabulary)
        interestColumns = .allocate(capacity: blocks * interestVocabulary); interestColumns.initialize(repeating: .zero, count: blocks * interestVocabulary)
        valueColumns = .allocate(capacity: blocks * valueVocabulary); valueColumns.initialize(repeating: .zero, count: blocks * valueVocabulary)
        codeStart = .allocate(capacity: blocks + 1)
        bestYears = .allocate(capacity: blocks); bestYears.initialize(repeating: -1, count: blocks)
        unknownYears = .allocate(capacity: blocks); unknownYears.initialize(repeating: false, count: blocks)
        fewestSkills = .allocate(capacity: blocks); fewestSkills.initialize(repeating: Int32.max, count: blocks)
        fewestInterests = .allocate(capacity: blocks); fewestInterests.initialize(repeating: Int32.max, count: blocks)
        fewestValues = .allocate(capacity: blocks); fewestValues.initialize(repeating: Int32.max, count: blocks)
        barred = .allocate(capacity: blocks); barred.initialize(repeating: .zero, count: blocks)
        bandPlanes = .allocate(capacity: blocks * 4); bandPlanes.initialize(repeating: .zero, count: blocks * 4)
        greatestBar = .allocate(capacity: blocks); greatestBar.initialize(repeating: bars == nil ? Int64.max : Int64.min, count: blocks)
        var codeList: [Int32] = []
        var firstOfZone = [Int](repeating: blockCount, count: max(1, instance.zoneCount))
        func setColumns(_ target: UnsafeMutablePointer<LaneMask>, _ vocabulary: Int, _ bits: UnsafeMutablePointer<UInt64>, _ words: Int, person: Int, block: Int, lane: Int) {
            for word in 0..<words {
                var remaining = bits[person * words + word]
                while remaining != 0 {
                    let tag = word * 64 + remaining.trailingZeroBitCount
                    remaining &= remaining - 1
                    if tag < vocabulary { target[block * vocabulary + tag][lane / 64] |= UInt64(1) << UInt64(lane % 64) }
                }
            }
        }
        for block in 0..<blockCount {
            codeStart[block] = Int32(codeList.count)
            var blockCodes: [Int32] = []
            for (lane, slot) in members[block].enumerated() {
                let position = block * Self.width + lane
                let p = person(slot)
                slots[position] = slot
                valid[block][lane / 64] |= UInt64(1) << UInt64(lane % 64)
                setColumns(skillColumns, skillVocabulary, mentors ? instance.expertiseBits : instance.developmentBits, instance.skillWords, person: p, block: block, lane: lane)
                setColumns(interestColumns, interestVocabulary, instance.interestBits, instance.interestWords, person: p, block: block, lane: lane)
                setColumns(valueColumns, valueVocabulary, instance.valueBits, instance.valueWords, person: p, block: block, lane: lane)
                let code = instance.timezoneIndex[p] << 3 | instance.frequencyCode[p]
                if !blockCodes.contains(code) { blockCodes.append(code) }
                let years = instance.years[p]
                if years < 0 { unknownYears[block] = true }
                else if bestYears[block] < 0 { bestYears[block] = years }
                else { bestYears[block] = mentors ? max(bestYears[block], years) : min(bestYears[block], years) }
                if !mentors { fewestSkills[block] = min(fewestSkills[block], instance.developmentCount[p]) }
                fewestInterests[block] = min(fewestInterests[block], instance.interestCount[p])
                fewestValues[block] = min(fewestValues[block], instance.valueCount[p])
                if let bars, band[Int(slot)] >= 0 {
                    let bit = UInt64(1) << UInt64(lane % 64)
                    barred[block][lane / 64] |= bit
                    for plane in 0..<4 where Int(band[Int(slot)]) >> plane & 1 != 0 { bandPlanes[block * 4 + plane][lane / 64] |= bit }
                    greatestBar[block] = max(greatestBar[block], bars[Int(slot)])
                }
                if lane == 0 {
                    let zone = Int(instance.timezoneIndex[p])
                    for earlier in 0...zone where firstOfZone[earlier] == blockCount { firstOfZone[earlier] = block }
                }
            }
            codeList += blockCodes
        }
        codeStart[blockCount] = Int32(codeList.count)
        codes = .allocate(capacity: max(1, codeList.count))
        _ = UnsafeMutableBufferPointer(start: codes, count: codeList.count).initialize(from: codeList)
        firstBlockOfZone = firstOfZone.map { $0 == blockCount ? 0 : $0 }
    }

    deinit {
        slots.deallocate(); valid.deallocate(); skillColumns.deallocate(); interestColumns.deallocate(); valueColumns.deallocate()
        codeStart.deallocate(); codes.deallocate(); bestYears.deallocate(); unknownYears.deallocate()
        fewestSkills.deallocate(); fewestInterests.deallocate(); fewestValues.deallocate()
        barred.deallocate(); bandPlanes.deallocate(); greatestBar.deallocate()
    }
}

/// Every participant's tags as lists of vocabulary indices, for the rows of the bounded pass.
struct TagLists: ~Copyable, @unchecked Sendable {
    /// Per participant: skills (development areas for mentees, expertise for mentors), interests, values.
    let start: UnsafeMutablePointer<Int32>   // 4 offsets per (participant, side)
    let tags: UnsafeMutablePointer<Int32>
    let participants: Int

    init(_ instance: PreparedInstance) {
        participants = instance.participants.count
        var offsets: [Int32] = [], list: [Int32] = []
        offsets.reserveCapacity(participants * 8)
        func append(_ bits: UnsafeMutablePointer<UInt64>, _ words: Int, _ person: Int) {
            for word in 0..<words {
                var remaining = bits[person * words + word]
                while remaining != 0 { list.append(Int32(word * 64 + remaining.trailingZeroBitCount)); remaining &= remaining - 1 }
            }
        }
        // Mentor side rows first, then mentee side rows: (person, side) → 4 offsets.
        for side in 0..<2 {
            for person in 0..<participants {
                offsets.append(Int32(list.count))
                append(side == 0 ? instance.expertiseBits : instance.developmentBits, instance.skillWords, person)
                offsets.append(Int32(list.count))
                append(instance.interestBits, instance.interestWords, person)
                offsets.append(Int32(list.count))
                append(instance.valueBits, instance.valueWords, person)
                offsets.append(Int32(list.count))
            }
        }
        start = .allocate(capacity: offsets.count)
        _ = UnsafeMutableBufferPointer(start: start, count: offsets.count).initialize(from: offsets)
        tags = .allocate(capacity: max(1, list.count))
        _ = UnsafeMutableBufferPointer(start: tags, count: list.count).initialize(from: list)
    }

    deinit { start.deallocate(); tags.deallocate() }
}

/// What bounding needs to know about the row: a mentee against mentor blocks, or a mentor against
/// mentee blocks.
struct RowBound {
    let skills: UnsafePointer<Int32>, skillCount: Int
    let interests: UnsafePointer<Int32>, interestCount: Int
    let values: UnsafePointer<Int32>, valueCount: Int
    /// The row's own divisor of the complementary-strengths share: its development areas for a
    /// mentee, none (Int.max) for a mentor.
    let skillDivisor: Int
    /// Tags of each list beyond what the counters count (`LaneBlocks.largestCount`): taken as
    /// shared with every lane.
    let extraSkills: Int, extraInterests: Int, extraValues: Int
    let zoneRow: UnsafePointer<Int64>
    let frequencyRow: UnsafePointer<Int64>
    let years: Int32
    let languageMax: Int64
    /// Whether the counters count all of the row's lists, so that what they count is exactly
    /// what a pair shares.
    var countsExactly: Bool { extraSkills == 0 && extraInterests == 0 && extraValues == 0 }

    init(person: Int, mentor: Bool, _ instance: PreparedInstance, lists: borrowing TagLists, tables: borrowing ScoringTables) {
        let base = lists.start + ((mentor ? 0 : lists.participants) + person) * 4
        skills = UnsafePointer(lists.tags + Int(base[0])); skillCount = Int(base[1] - base[0])
        interests = UnsafePointer(lists.tags + Int(base[1])); interestCount = Int(base[2] - base[1])
        values = UnsafePointer(lists.tags + Int(base[2])); valueCount = Int(base[3] - base[2])
        skillDivisor = mentor ? Int.max : skillCount
        extraSkills = max(0, skillCount - LaneBlocks.largestCount)
        extraInterests = max(0, interestCount - LaneBlocks.largestCount)
        extraValues = max(0, valueCount - LaneBlocks.largestCount)
        zoneRow = UnsafePointer(tables.zones + Int(instance.timezoneIndex[person]) * tables.zoneCount)
        frequencyRow = UnsafePointer(tables.frequency + Int(instance.frequencyCode[person]) * PreparedInstance.frequencyCodes)
        years = instance.years[person]
        languageMax = instance.languageCount[person] == 0 ? tables.languageUnknown : max(tables.languageShared, tables.languageUnknown)
    }
}

extension LaneBlocks {
    /// Adds a column to a four-plane bit-sliced counter.
    @inline(__always)
    static func add(_ column: LaneMask, _ p0: inout LaneMask, _ p1: inout LaneMask, _ p2: inout LaneMask, _ p3: inout LaneMask) {
        var carry = column
        var next = p0 & carry; p0 ^= carry; carry = next
        next = p1 & carry; p1 ^= carry; carry = next
        next = p2 & carry; p2 ^= carry; carry = next
        p3 ^= carry
    }

    /// Lanes whose four-plane count is at least `value` (1...15).
    @inline(__always)
    static func atLeast(_ value: Int, _ p0: LaneMask, _ p1: LaneMask, _ p2: LaneMask, _ p3: LaneMask) -> LaneMask {
        var greater = LaneMask.zero, equal = ~LaneMask.zero
        if value & 8 != 0 { equal &= p3 } else { greater |= equal & p3; equal &= ~p3 }
        if value & 4 != 0 { equal &= p2 } else { greater |= equal & p2; equal &= ~p2 }
        if value & 2 != 0 { equal &= p1 } else { greater |= equal & p1; equal &= ~p1 }
        if value & 1 != 0 { equal &= p0 } else { greater |= equal & p0; equal &= ~p0 }
        return greater | equal
    }

    /// The highest count of any of `lanes` in a four-plane counter, found plane by plane.
    @inline(__always)
    static func highest(_ lanes: LaneMask, _ p0: LaneMask, _ p1: LaneMask, _ p2: LaneMask, _ p3: LaneMask) -> Int {
        var candidates = lanes, top = 0
        if candidates & p3 != .zero { top |= 8; candidates &= p3 }
        if candidates & p2 != .zero { top |= 4; candidates &= p2 }
        if candidates & p1 != .zero { top |= 2; candidates &= p1 }
        if candidates & p0 != .zero { top |= 1 }
        return top
    }

    /// The best time-zone + meeting-frequency, experience and language contribution any lane of
    /// `block` can have with the row: what the bound takes for them.
    @inline(__always)
    func bestOtherFactors(block: Int, row: RowBound, tables: borrowing ScoringTables) -> Int64 {
        var zoneFrequency = Int64.min
        for index in Int(codeStart[block])..<Int(codeStart[block &+ 1]) {
            let code = Int(codes[index])
            zoneFrequency = max(zoneFrequency, row.zoneRow[code &>> 3] &+ row.frequencyRow[code & 7])
        }
        var experience: Int64
        if row.years < 0 { experience = tables.experienceUnknown }
        else {
            experience = Int64.min
            let best = bestYears[block]
            if best >= 0 {
                let gap = mentors ? best &- row.years : row.years &- best
                experience = tables.experience[Int(min(max(gap, -1), 8)) &+ 1]
            }
            if unknownYears[block] { experience = max(experience, tables.experienceUnknown) }
        }
        return zoneFrequency &+ experience &+ row.languageMax
    }

    /// Per block, its lowest slot (Int32.max for a block without lanes). A pair ties with a
    /// list's weakest entry only to lose to it unless its slot is lower (lists keep the lower
    /// slot of two equal scores: `CandidateGraph.key`), so a block whose lanes all have higher
    /// slots than the weakest entry's must beat its score, not reach it: on people of a few
    /// kinds, where a row ties with thousands of lanes, this passes over nearly every block.
    func lowestSlots() -> [Int32] {
        (0..<count).map { block in
            var lowest = Int32.max
            for lane in 0..<Self.width where slots[block &* Self.width &+ lane] >= 0 { lowest = min(lowest, slots[block &* Self.width &+ lane]) }
            return lowest
        }
    }

    /// The lanes of `block` whose score with the row could reach `reach` (all lanes for Int64.min).
    @inline(__always)
    func lanes(reaching reach: Int64, block: Int, row: RowBound, tables: borrowing ScoringTables) -> LaneMask {
        var counts = LaneCounts()
        return withUnsafeMutablePointer(to: &counts) { lanes(reaching: reach, block: block, row: row, tables: tables, counts: $0).lanes }
    }

    /// The band of a bar: how many of `bandEdges` it reaches.
    @inline(__always)
    func band(of bar: Int64) -> Int { Self.band(of: bar, edges: bandEdges) }

    @inline(__always)
    static func band(of bar: Int64, edges: [Int64]) -> Int {
        var band = 0
        for edge in edges where bar >= edge { band &+= 1 }
        return band
    }

    /// The lanes of `block` that have a bar in `band` or a higher one: every lane whose bar is at
    /// least a value of that band, and perhaps some below it in the same band.
    @inline(__always)
    func lanes(fromBand band: Int, block: Int) -> LaneMask {
        if band == 0 { return barred[block] }
        let planes = bandPlanes + block &* 4
        return barred[block] & Self.atLeast(band, planes[0], planes[1], planes[2], planes[3])
    }

    /// The same, counting into `counts` when the bar needs the block's counts; `counted` in the
    /// result says whether `counts` holds them afterwards. Only lanes of `within` are looked at
    /// (all of the block's when nil).
    @inline(__always)
    func lanes(reaching reach: Int64, block: Int, row: RowBound, tables: borrowing ScoringTables, counts: UnsafeMutablePointer<LaneCounts>, within: LaneMask? = nil) -> (lanes: LaneMask, counted: Bool) {
        let lanes = within ?? valid[block]
        if reach == Int64.min { return (lanes, false) }
        let need = reach &- bestOtherFactors(block: block, row: row, tables: tables)
        // Shares are never negative: every lane reaches a bar that the other factors reach alone
        // (common with a minimum score, which is the mentee pass's bar for every block).
        if need <= 0 { return (lanes, false) }
        let shares = Shares(block: block, row: row, blocks: self, tables: tables)
        // A block no lane of which could reach even sharing every tag of the row is passed over
        // before any counting (a share grows with what is shared).
        if need > shares.most { return (.zero, false) }
        count(block: block, row: row, into: counts)
        return (staircase(need: need, lanes: lanes, row: row, shares: shares, counts: UnsafePointer(counts)), true)
    }

    /// How many of the row's tags each lane of `block` shares, per kind, in four-plane counters
    /// (the first `largestCount` tags of each of the row's lists; the rest are `RowBound.extra…`).
    @inline(__always)
    func count(block: Int, row: RowBound, into counts: UnsafeMutablePointer<LaneCounts>) {
        var s0 = LaneMask.zero, s1 = LaneMask.zero, s2 = LaneMask.zero, s3 = LaneMask.zero
        Self.add(skillColumns + block &* skillVocabulary, row.skills, row.skillCount &- row.extraSkills, &s0, &s1, &s2, &s3)
        var i0 = LaneMask.zero, i1 = LaneMask.zero, i2 = LaneMask.zero, i3 = LaneMask.zero
        Self.add(interestColumns + block &* interestVocabulary, row.interests, row.interestCount &- row.extraInterests, &i0, &i1, &i2, &i3)
        var v0 = LaneMask.zero, v1 = LaneMask.zero, v2 = LaneMask.zero, v3 = LaneMask.zero
        Self.add(valueColumns + block &* valueVocabulary, row.values, row.valueCount &- row.extraValues, &v0, &v1, &v2, &v3)
        counts.pointee = LaneCounts(s0: s0, s1: s1, s2: s2, s3: s3, i0: i0, i1: i1, i2: i2, i3: i3, v0: v0, v1: v1, v2: v2, v3: v3)
    }

    /// Adds the columns of `count` tags (at most `largestCount`, so that no count overflows) to a
    /// four-plane counter. Four at a time with carry-save adders (two full adders into plane 0,
    /// one for their carries into plane 1, its carry into planes 2 and 3: 18 operations where
    /// adding one by one takes 28), the rest one by one.
    @inline(__always)
    static func add(_ columns: UnsafeMutablePointer<LaneMask>, _ tags: UnsafePointer<Int32>, _ count: Int, _ p0: inout LaneMask, _ p1: inout LaneMask, _ p2: inout LaneMask, _ p3: inout LaneMask) {
        var index = 0
        while index &+ 4 <= count {
            let a = columns[Int(tags[index])], b = columns[Int(tags[index &+ 1])]
            let c = columns[Int(tags[index &+ 2])], d = columns[Int(tags[index &+ 3])]
            var half = p0 ^ a
            let low = (half & b) | (p0 & a)
            p0 = half ^ b
            half = p0 ^ c
            let high = (half & d) | (p0 & c)
            p0 = half ^ d
            half = p1 ^ low
            let four = (half & high) | (p1 & low)
            p1 = half ^ high
            p3 ^= p2 & four
            p2 ^= four
            index &+= 4
        }
        while index < count {
            add(columns[Int(tags[index])], &p0, &p1, &p2, &p3)
            index &+= 1
        }
    }

    /// What a lane shares of the tags of the row's lists beyond those the counters count
    /// (`RowBound.extra…`), read from the block's columns a tag at a time: with what the counters
    /// hold, exactly what the pair shares.
    @inline(__always)
    func extraShared(block: Int, lane: Int, row: RowBound) -> (skills: Int, interests: Int, values: Int) {
        let word = lane &>> 6, bit = UInt64(truncatingIfNeeded: lane & 63)
        @inline(__always) func shared(_ columns: UnsafeMutablePointer<LaneMask>, _ tags: UnsafePointer<Int32>, _ count: Int, _ extra: Int) -> Int {
            var result = 0
            for index in (count &- extra)..<count { result &+= Int(truncatingIfNeeded: (columns[Int(tags[index])][word] &>> bit) & 1) }
            return result
        }
        return (shared(skillColumns + block &* skillVocabulary, row.skills, row.skillCount, row.extraSkills),
                shared(interestColumns + block &* interestVocabulary, row.interests, row.interestCount, row.extraInterests),
                shared(valueColumns + block &* valueVocabulary, row.values, row.valueCount, row.extraValues))
    }

    /// What a lane shares with the row: what the counters `counted`, and unless they count the
    /// row's lists `exactly`, the rest of its tags read from the columns (`extraShared`).
    @inline(__always)
    func shared(block: Int, lane: Int, row: RowBound, counted: (Int, Int, Int), exactly: Bool) -> (skills: Int, interests: Int, values: Int) {
        guard !exactly else { return counted }
        let extra = extraShared(block: block, lane: lane, row: row)
        return (counted.0 &+ extra.skills, counted.1 &+ extra.interests, counted.2 &+ extra.values)
    }

    /// A row's shares of the weights of skills, interests and values against one block: at most
    /// shared / max(shared, divisor) of each, the divisor being the fewest the pair can have.
    struct Shares {
        let complement: UnsafeMutablePointer<Int64>, interest: UnsafeMutablePointer<Int64>, value: UnsafeMutablePointer<Int64>
        let tableRow: Int, skillDivisor: Int, interestDivisor: Int, valueDivisor: Int
        /// All three when the lane shares every tag of the row.
        let most: Int64

        @inline(__always)
        init(block: Int, row: RowBound, blocks: borrowing LaneBlocks, tables: borrowing ScoringTables) {
            complement = tables.complement; interest = tables.interest; value = tables.value; tableRow = tables.row
            skillDivisor = min(row.skillDivisor, Int(blocks.fewestSkills[block]))
            interestDivisor = min(row.interestCount, Int(blocks.fewestInterests[block]))
            valueDivisor = min(row.valueCount, Int(blocks.fewestValues[block]))
            let skillTable = complement, interestTable = interest, valueTable = value, tableRow = tableRow
            let (skills, interests, values) = (skillDivisor, interestDivisor, valueDivisor)
            most = Self.share(skillTable, tableRow, row.skillCount, skills) &+ Self.share(interestTable, tableRow, row.interestCount, interests)
                &+ Self.share(valueTable, tableRow, row.valueCount, values)
        }

        @inline(__always) func skill(_ shared: Int) -> Int64 { Self.share(complement, tableRow, shared, skillDivisor) }
        @inline(__always) func interests(_ shared: Int) -> Int64 { Self.share(interest, tableRow, shared, interestDivisor) }
        @inline(__always) func values(_ shared: Int) -> Int64 { Self.share(value, tableRow, shared, valueDivisor) }
        @inline(__always) static func share(_ table: UnsafeMutablePointer<Int64>, _ tableRow: Int, _ shared: Int, _ divisor: Int) -> Int64 {
            shared == 0 ? 0 : table[max(shared, divisor) &* tableRow &+ shared]
        }
    }

    /// The lanes whose shares can make up `need`. A lane sharing s tags scores at most
    /// s / max(s, divisor) of the weight, and a share grows with what is shared. So a lane can
    /// reach `need` exactly when, for some counts i ≤ its shared interests and v ≤ its shared
    /// values, its shared skills reach the fewest k(i, v) that make up the rest; k falls as i and v
    /// grow. The lanes are found along that staircase from the block's highest counts down, and a
    /// step is left as soon as no lane of the block shares k skills (each lower step needs at
    /// least as many).
    @inline(__always)
    func staircase(need: Int64, lanes: LaneMask, row: RowBound, shares: Shares, counts: UnsafePointer<LaneCounts>) -> LaneMask {
        let c = counts.pointee
        let topSkills = Self.highest(lanes, c.s0, c.s1, c.s2, c.s3)
        let topInterests = Self.highest(lanes, c.i0, c.i1, c.i2, c.i3)
        let topValues = Self.highest(lanes, c.v0, c.v1, c.v2, c.v3)
        // k: the fewest shared skills (counted ones and the extra ones, which are taken as
        // shared) whose share makes up what a step needs. What a step needs grows as it goes
        // down in values, and from one row of steps to the next, so k is searched from where the
        // step before (the row before's first step) left it rather than from nothing.
        var result = LaneMask.zero
        var interests = topInterests
        var rowStart = 0
        while interests >= 0 {
            let interestBound = shares.interests(interests &+ row.extraInterests)
            let interestLanes = interests == 0 ? lanes : Self.atLeast(interests, c.i0, c.i1, c.i2, c.i3) & lanes
            var values = topValues
            var k = rowStart
            while values >= 0 {
                let needed = need &- interestBound &- shares.values(values &+ row.extraValues)
                while k <= row.skillCount && shares.skill(k) < needed { k &+= 1 }
                // More than any lane of the block counts (or than the row has): no lane reaches
                // this step, nor any lower one of the row.
                if k > row.skillCount || k &- row.extraSkills > topSkills { break }
                if values == topValues { rowStart = k }
                let counted = k &- row.extraSkills
                var both = values == 0 ? interestLanes : interestLanes & Self.atLeast(values, c.v0, c.v1, c.v2, c.v3)
                if counted > 0 { both &= Self.atLeast(counted, c.s0, c.s1, c.s2, c.s3) }
                result |= both
                values &-= 1
            }
            // Not even the block's most values reached with these interests: fewer cannot.
            if values == topValues { break }
            interests &-= 1
        }
        return result
    }
}

/// A block's four-plane counters of shared skills, interests and values (plane i holds bit i of
/// every lane's count).
struct LaneCounts {
    var s0 = LaneMask.zero, s1 = LaneMask.zero, s2 = LaneMask.zero, s3 = LaneMask.zero
    var i0 = LaneMask.zero, i1 = LaneMask.zero, i2 = LaneMask.zero, i3 = LaneMask.zero
    var v0 = LaneMask.zero, v1 = LaneMask.zero, v2 = LaneMask.zero, v3 = LaneMask.zero

    /// Calls `body(lane, skills, interests, values)` with every lane of `lanes`, lowest first, and
    /// what it shares of each kind as counted (exactly what the pair shares when none of the row's
    /// lists is longer than the counters count).
    @inline(__always)
    static func forEachLane(_ lanes: LaneMask, of counts: UnsafePointer<LaneCounts>, _ body: (Int, Int, Int, Int) -> Void) {
        let c = counts
        for word in 0..<LaneMask.scalarCount where lanes[word] != 0 {
            let a0 = c.pointee.s0[word], a1 = c.pointee.s1[word], a2 = c.pointee.s2[word], a3 = c.pointee.s3[word]
            let b0 = c.pointee.i0[word], b1 = c.pointee.i1[word], b2 = c.pointee.i2[word], b3 = c.pointee.i3[word]
            let c0 = c.pointee.v0[word], c1 = c.pointee.v1[word], c2 = c.pointee.v2[word], c3 = c.pointee.v3[word]
            @inline(__always) func count(_ p0: UInt64, _ p1: UInt64, _ p2: UInt64, _ p3: UInt64, _ bit: UInt64) -> Int {
                Int(truncatingIfNeeded: (p0 &>> bit) & 1 | ((p1 &>> bit) & 1) &<< 1 | ((p2 &>> bit) & 1) &<< 2 | ((p3 &>> bit) & 1) &<< 3)
            }
            var bits = lanes[word]
            while bits != 0 {
                let bit = UInt64(truncatingIfNeeded: bits.trailingZeroBitCount)
                body(word &* 64 &+ Int(bit), count(a0, a1, a2, a3, bit), count(b0, b1, b2, b3, bit), count(c0, c1, c2, c3, bit))
                bits &= bits &- 1
            }
        }
    }
}

extension PreparedInstance {
    /// For every mentee, how many of `activeMentors` pass every hard rule, counted without
    /// looking at pairs: all active mentors, less the mentee themself, their reporting line
    /// (managers above through the manager chain, reports below as an interval of the tour),
    /// the same department when the run excludes it, and explicit exclusions, each counted once.
    func eligibleMentorCounts(activeMentors: [Int32], skipMentees: Set<Int>) -> [Int32] {
        let active = activeMentors.count
        var isActive = [Bool](repeating: false, count: participants.count)
        for slot in activeMentors { isActive[Int(mentorPerson[Int(slot)])] = true }
        let tours = activeMentors.map { tourIn[Int(mentorPerson[Int($0)])] }.sorted()
        var departmentTours: [Int32: [Int32]] = [:]
        for slot in activeMentors {
            let person = Int(mentorPerson[Int(slot)])
            if department[person] >= 0 { departmentTours[department[person], default: []].append(tourIn[person]) }
        }
        for key in departmentTours.keys { departmentTours[key]!.sort() }
        /// Entries of a sorted array strictly between two values.
        func countBetween(_ sorted: [Int32], _ low: Int32, _ high: Int32) -> Int {
            func firstAbove(_ value: Int32) -> Int {
                var lower = 0, upper = sorted.count
                while lower < upper { let mid = (lower + upper) / 2; if sorted[mid] <= value { lower = mid + 1 } else { upper = mid } }
                return lower
            }
            func firstAtLeast(_ value: Int32) -> Int {
                var lower = 0, upper = sorted.count
                while lower < upper { let mid = (lower + upper) / 2; if sorted[mid] < value { lower = mid + 1 } else { upper = mid } }
                return lower
            }
            return max(0, firstAtLeast(high) - firstAbove(low))
        }
        var result = [Int32](repeating: 0, count: menteePerson.count)
        for e in menteePerson.indices where !skipMentees.contains(e) {
            let person = Int(menteePerson[e])
            var ineligible = 0
            if isActive[person] { ineligible += 1 }
            var ancestor = Int(managerIndex[person])
            var ancestorsInDepartment = 0
            while ancestor >= 0 {
                if isActive[ancestor] {
                    ineligible += 1
                    if department[ancestor] == department[person] { ancestorsInDepartment += 1 }
                }
                ancestor = Int(managerIndex[ancestor])
            }
            ineligible += countBetween(tours, tourIn[person], tourOut[person])
            let ownDepartment = department[person]
            if options.excludeSameDepartment && ownDepartment >= 0, let list = departmentTours[ownDepartment] {
                let below = countBetween(list, tourIn[person], tourOut[person])
                ineligible += list.count - (isActive[person] ? 1 : 0) - ancestorsInDepartment - below
            }
            for m in exclusions[e] {
                let mentor = Int(mentorPerson[Int(m)])
                guard isActive[mentor] else { continue }
                if mentor == person || isAbove(mentor, person) || isAbove(person, mentor) { continue }
                if options.excludeSameDepartment && ownDepartment >= 0 && department[mentor] == ownDepartment { continue }
                ineligible += 1
            }
            result[e] = Int32(active - ineligible)
        }
        return result
    }
}
