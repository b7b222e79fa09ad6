import Foundation

/// The sparse problem: for every mentee, its best mentors, and for every mentor, its best
/// mentees, found in two multi-threaded passes that bound pairs 256 at a time and score only
/// those that could enter a list (see `LaneBlocks`). Also what the proof of optimality needs to
/// know about the pairs left out (each side's weakest kept score).
struct CandidateGraph: Sendable {
    /// CSR by mentee slot: arcs `arcStart[e]..<arcStart[e+1]` lead to `arcMentor` with `arcScore`.
    var arcStart: [Int]
    var arcMentor: [Int32]
    var arcScore: [Int64]
    /// The highest score a left-out pair of this mentee can have; -1 when none was left out.
    var menteeBound: [Int64]
    /// The same for each mentor.
    var mentorBound: [Int64]
    /// Mentors passing every hard rule, and of those, the ones scoring at least the minimum.
    var eligibleMentors: [Int32]
    var aboveMinimum: [Int32]
    /// All allowed pairs, counted during the pass.
    var eligiblePairs: Int
    /// Seconds spent turning the lists into this graph (and counting allowed pairs), after the
    /// scoring passes.
    var listingSeconds: Double = 0

    var arcCount: Int { arcMentor.count }

    /// The problem the solvers read: these arcs, with each mentor's places.
    func problem(capacity: [Int32]) -> SparseProblem {
        SparseProblem(capacity: capacity, arcStart: arcStart, arcMentor: arcMentor, arcScore: arcScore)
    }

    static let indexBits: Int64 = 24
    static let indexMask: Int64 = (1 << 24) - 1
    @inline(__always) static func key(_ score: Int64, _ index: Int) -> Int64 { (score << indexBits) | (indexMask - Int64(index)) }
    @inline(__always) static func score(ofKey key: Int64) -> Int64 { key >> indexBits }
    @inline(__always) static func index(ofKey key: Int64) -> Int { Int(indexMask - (key & indexMask)) }

    /// Keeps the `capacity` largest keys in a min-heap stored at `base`.
    @inline(__always) static func offer(_ key: Int64, heap base: UnsafeMutablePointer<Int64>, count: inout Int32, capacity: Int) {
        var size = Int(count)
        if size < capacity {
            var child = size
            base[child] = key
            while child > 0 {
                let parent = (child - 1) / 2
                if base[parent] <= base[child] { break }
                let held = base[parent]; base[parent] = base[child]; base[child] = held
                child = parent
            }
            count += 1
            return
        }
        guard key > base[0] else { return }
        base[0] = key
        var parent = 0
        size = capacity
        while true {
            let left = 2 * parent + 1
            if left >= size { break }
            let right = left + 1
            let smallest = right < size && base[right] < base[left] ? right : left
            if base[parent] <= base[smallest] { break }
            let held = base[parent]; base[parent] = base[smallest]; base[smallest] = held
            parent = smallest
        }
    }

    /// Builds the graph in two passes: every mentee against blocks of mentors (its best mentors),
    /// then every mentor against blocks of mentees (its best mentees). Each pass scores exactly only
    /// the lanes whose bound reaches the row's weakest kept score (see `LaneBlocks`), and the
    /// mentor pass only mentees whose own list's weakest score reaches the mentor's (the others'
    /// pairs that could enter are in their lists, offered to the mentors before the pass); with
    /// `bounded: false` it scores every pair, which gives the same graph, more slowly.
    static func build(_ instance: PreparedInstance, skipMentees: Set<Int> = [], capacityLeft: [Int32], bounded: Bool = true, progress: (@Sendable (Double) -> Void)?) -> CandidateGraph {
        let menteeCount = instance.menteePerson.count, mentorCount = instance.mentorPerson.count
        let k1 = max(1, instance.options.menteeCandidates), k2 = max(1, instance.options.mentorCandidates)
        let threads = max(1, min(instance.options.threads, max(1, (menteeCount + mentorCount) / 64)))
        let minimum = instance.minimumScore
        // Forbidden pairs score -1 in the reference pass and are dropped by the minimum; the bounded
        // pass drops them by the rules (`MatchEngine` accepts minimums of 0...1 only).
        precondition(minimum >= 0, "a minimum score is never negative")
        let activeMentors: [Int32] = (0..<mentorCount).filter { capacityLeft[$0] > 0 }.map(Int32.init)
        let rowMentees: [Int32] = (0..<menteeCount).filter { !skipMentees.contains($0) }.map(Int32.init)

        // Lists: min-heaps of keys, each written by the one worker that owns its row.
        let menteeHeaps = UnsafeMutablePointer<Int64>.allocate(capacity: max(1, menteeCount * k1))
        let menteeHeapCount = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, menteeCount))
        menteeHeapCount.initialize(repeating: 0, count: max(1, menteeCount))
        let above = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, menteeCount))
        above.initialize(repeating: 0, count: max(1, menteeCount))
        let mentorHeaps = UnsafeMutablePointer<Int64>.allocate(capacity: max(1, mentorCount * k2))
        let mentorHeapCount = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, mentorCount))
        mentorHeapCount.initialize(repeating: 0, count: max(1, mentorCount))
        defer {
            menteeHeaps.deallocate(); menteeHeapCount.deallocate(); above.deallocate()
            mentorHeaps.deallocate(); mentorHeapCount.deallocate()
        }
        let shared = SharedPointers(menteeHeaps: menteeHeaps, menteeHeapCount: menteeHeapCount, above: above, mentorHeaps: mentorHeaps, mentorHeapCount: mentorHeapCount)
        let done = ProgressCounter(total: 2 * max(1, rowMentees.count) * max(1, activeMentors.count), report: progress)

        let tables = ScoringTables(instance)
        let lists = TagLists(instance)
        let menteeRecords = ScoringKernel(instance, mentors: false)
        let mentorRecords = ScoringKernel(instance, mentors: true)
        let layout = menteeRecords.layout
        let excludeDepartment = instance.options.excludeSameDepartment
        // With a minimum score, the mentee pass scores every pair that could reach it, to count them.
        let countAbove = minimum > 0

        // Pass 1: mentees (rows) against blocks of mentors.
        let mentorBlocks = LaneBlocks(instance, slots: activeMentors, mentors: true)
        let lowestMentor = mentorBlocks.lowestSlots()
        let mentorBlockRecords = ScoringKernel(instance, mentors: true, order: Array(UnsafeBufferPointer(start: mentorBlocks.slots, count: mentorBlocks.count * LaneBlocks.width)))
        let anyExclusions = instance.exclusions.contains { !$0.isEmpty }
        let menteeRows = rowOrder(instance, rowMentees, mentors: false)
        // Scores come from the facts and counters when languages fit in the facts' one word.
        let exactCounts = layout.languagesInFacts
        run(rows: menteeRows, blocks: mentorBlocks, tables: tables, threads: threads, instance: instance, progress: done, perRow: activeMentors.count) { e, blockList in
            let menteeRecord = menteeRecords.record(e)
            let row = RowBound(person: Int(instance.menteePerson[e]), mentor: false, instance, lists: lists, tables: tables)
            let countsExactly = row.countsExactly
            let heap = shared.menteeHeaps + e * k1
            // The list's state stays in the shared buffers (a local variable captured by the
            // functions below would be checked for exclusive access at run time on every pair).
            let count = shared.menteeHeapCount + e
            let aboveCount = shared.above + e
            /// The list's weakest key once it is full, Int64.min before.
            @inline(__always) func threshold() -> Int64 { count.pointee == Int32(k1) ? heap[0] : Int64.min }
            let excluded = anyExclusions ? instance.exclusions[e] : []
            let department = ScoringKernel.departmentRule(mentee: menteeRecord, excludeSameDepartment: excludeDepartment)
            let menteeFacts = menteeRecords.facts[e]
            withUnsafeTemporaryAllocation(of: LaneCounts.self, capacity: 1) { buffer in
                let counts = buffer.baseAddress!
                for block32 in blockList {
                    let block = Int(block32)
                    let weakest = threshold()
                    // A full list's weakest score, one more when every lane of the block would
                    // lose a tie with it (`LaneBlocks.lowestSlots`).
                    let reach = !bounded ? Int64.min : countAbove ? minimum : weakest == Int64.min ? Int64.min
                        : score(ofKey: weakest) &+ (Int(lowestMentor[block]) > index(ofKey: weakest) ? 1 : 0)
                    let (lanes, counted) = mentorBlocks.lanes(reaching: reach, block: block, row: row, tables: tables, counts: counts)
                    guard lanes != .zero else { continue }
                    let laneSlots = mentorBlocks.slots + block * LaneBlocks.width
                    let positions = block &* LaneBlocks.width
                    if bounded && exactCounts {
                        // Each lane scored from its facts and the counters (and, for a list
                        // longer than they count, the rest of its tags read from the columns);
                        // its record (the hard rules) is read only when the pair would count or
                        // enter the list.
                        if !counted { mentorBlocks.count(block: block, row: row, into: counts) }
                        LaneCounts.forEachLane(lanes, of: counts) { lane, skills, interests, values in
                            let shared = mentorBlocks.shared(block: block, lane: lane, row: row, counted: (skills, interests, values), exactly: countsExactly)
                            let facts = mentorBlockRecords.facts[positions &+ lane]
                            let score = ScoringKernel.score(mentee: menteeFacts, mentor: facts, tables: tables, skillsShared: shared.skills, interestsShared: shared.interests, valuesShared: shared.values)
                            let mentor = Int(laneSlots[lane])
                            guard score >= minimum, countAbove || key(score, mentor) > threshold() else { return }
                            if layout.forbids(mentee: menteeRecord, mentor: mentorBlockRecords.record(positions &+ lane), mentorSlot: Int32(mentor), excluded: excluded, department: department) { return }
                            aboveCount.pointee &+= 1
                            offer(key(score, mentor), heap: heap, count: &count.pointee, capacity: k1)
                        }
                    } else {
                        // The reference (unbounded), and more languages than the facts hold: every
                        // lane scored from the records.
                        lanes.forEachLane { lane in
                            let mentor = Int(laneSlots[lane])
                            let score = layout.score(mentee: menteeRecord, mentor: mentorBlockRecords.record(positions &+ lane), mentorSlot: Int32(mentor), tables: tables, excluded: excluded, department: department)
                            guard score >= minimum else { return }
                            aboveCount.pointee &+= 1
                            offer(key(score, mentor), heap: heap, count: &count.pointee, capacity: k1)
                        }
                    }
                }
            }
        }

        // Pass 2: mentors (rows) against blocks of mentees. A pair scores the same from either
        // side, so each mentor's list starts with the pairs that name them in the mentees' lists:
        // its threshold starts near its final value instead of at nothing. A pair already in the
        // list is not offered again.
        for e in rowMentees {
            let heap = menteeHeaps + Int(e) * k1
            for entry in 0..<Int(menteeHeapCount[Int(e)]) {
                let mentor = index(ofKey: heap[entry])
                offer(key(score(ofKey: heap[entry]), Int(e)), heap: mentorHeaps + mentor * k2, count: &mentorHeapCount[mentor], capacity: k2)
            }
        }
        // The mentees' bars. A mentee's list holds its best pairs exactly, so a pair left out of
        // it scores at most the list's weakest entry (the mentee's bar), and a mentee whose list
        // is not full holds every pair it may have. A pair that can enter a mentor's list scores
        // at least the weakest entry there (the mentor's bar), so when the mentor's bar is above
        // the mentee's, or the mentee has none, the pair is in the mentee's list and was offered
        // above. The mentor pass therefore looks only at mentees whose bar reaches the mentor's:
        // the mentees are grouped into blocks by their bars, a block none of whose bars reaches
        // the mentor's is passed over before any counting, and the lanes in bands below the
        // mentor's are left out of the bound. (Not in the reference pass, which scores every pair.)
        let menteeBars: [Int64] = {
            var bars = [Int64](repeating: Int64.min, count: menteeCount)
            if bounded {
                for e in rowMentees where Int(menteeHeapCount[Int(e)]) == k1 { bars[Int(e)] = score(ofKey: menteeHeaps[Int(e) * k1]) }
            }
            return bars
        }()
        let menteeBlocks = LaneBlocks(instance, slots: rowMentees, mentors: false, bars: bounded ? menteeBars : nil)
        let lowestMentee = menteeBlocks.lowestSlots()
        let menteeBlockRecords = ScoringKernel(instance, mentors: false, order: Array(UnsafeBufferPointer(start: menteeBlocks.slots, count: menteeBlocks.count * LaneBlocks.width)))
        let mentorRows = rowOrder(instance, activeMentors, mentors: true)
        run(rows: mentorRows, blocks: menteeBlocks, tables: tables, threads: threads, instance: instance, progress: done, perRow: rowMentees.count) { m, blockList in
            let row = RowBound(person: Int(instance.mentorPerson[m]), mentor: true, instance, lists: lists, tables: tables)
            let countsExactly = row.countsExactly
            let mentorRecord = mentorRecords.record(m)
            let mentorFacts = mentorRecords.facts[m]
            let heap = shared.mentorHeaps + m * k2
            let count = shared.mentorHeapCount + m
            @inline(__always) func threshold() -> Int64 { count.pointee == Int32(k2) ? heap[0] : Int64.min }
            withUnsafeTemporaryAllocation(of: LaneCounts.self, capacity: 1) { buffer in
                let counts = buffer.baseAddress!
                for block32 in blockList {
                    let block = Int(block32)
                    // The list's weakest score (Int64.min while the list has room, and in the
                    // reference pass, which looks at every lane).
                    let weakest = threshold()
                    let mentorBar = !bounded || weakest == Int64.min ? Int64.min : score(ofKey: weakest)
                    var within: LaneMask? = nil
                    if bounded {
                        let greatest = menteeBlocks.greatestBar[block]
                        if greatest == Int64.min || greatest < mentorBar { continue }
                        within = menteeBlocks.lanes(fromBand: menteeBlocks.band(of: mentorBar), block: block)
                    }
                    let tieLost = mentorBar != Int64.min && Int(lowestMentee[block]) > index(ofKey: weakest)
                    let reach = !bounded ? Int64.min : mentorBar == Int64.min ? (minimum > 0 ? minimum : Int64.min) : max(mentorBar &+ (tieLost ? 1 : 0), minimum)
                    let (lanes, counted) = menteeBlocks.lanes(reaching: reach, block: block, row: row, tables: tables, counts: counts, within: within)
                    guard lanes != .zero else { continue }
                    let laneSlots = menteeBlocks.slots + block * LaneBlocks.width
                    let positions = block &* LaneBlocks.width
                    /// Offers a pair the list does not hold yet.
                    @inline(__always) func offerPair(_ pair: Int64) {
                        for entry in 0..<Int(count.pointee) where heap[entry] == pair { return }
                        offer(pair, heap: heap, count: &count.pointee, capacity: k2)
                    }
                    if bounded && exactCounts {
                        if !counted { menteeBlocks.count(block: block, row: row, into: counts) }
                        LaneCounts.forEachLane(lanes, of: counts) { lane, skills, interests, values in
                            let e = Int(laneSlots[lane])
                            // A lane in the mentor's band whose own bar is below the mentor's.
                            if menteeBars[e] < mentorBar { return }
                            let shared = menteeBlocks.shared(block: block, lane: lane, row: row, counted: (skills, interests, values), exactly: countsExactly)
                            let facts = menteeBlockRecords.facts[positions &+ lane]
                            let score = ScoringKernel.score(mentee: facts, mentor: mentorFacts, tables: tables, skillsShared: shared.skills, interestsShared: shared.interests, valuesShared: shared.values)
                            let pair = key(score, e)
                            guard score >= minimum, pair > threshold() else { return }
                            let menteeRecord = menteeBlockRecords.record(positions &+ lane)
                            let department = ScoringKernel.departmentRule(mentee: menteeRecord, excludeSameDepartment: excludeDepartment)
                            if layout.forbids(mentee: menteeRecord, mentor: mentorRecord, mentorSlot: Int32(m), excluded: anyExclusions ? instance.exclusions[e] : [], department: department) { return }
                            offerPair(pair)
                        }
                    } else {
                        lanes.forEachLane { lane in
                            let e = Int(laneSlots[lane])
                            if menteeBars[e] < mentorBar { return }
                            let menteeRecord = menteeBlockRecords.record(positions &+ lane)
                            let department = ScoringKernel.departmentRule(mentee: menteeRecord, excludeSameDepartment: excludeDepartment)
                            let score = layout.score(mentee: menteeRecord, mentor: mentorRecord, mentorSlot: Int32(m), tables: tables, excluded: anyExclusions ? instance.exclusions[e] : [], department: department)
                            let pair = key(score, e)
                            guard score >= minimum, pair > threshold() else { return }
                            offerPair(pair)
                        }
                    }
                }
            }
        }

        let clock = ContinuousClock(), listingStart = clock.now
        // The allowed pairs are counted on one core while another merges the lists.
        let merged = Listing()
        let listSteps: @Sendable (Int) -> Void = { part in
            if part == 0 {
                merged.eligibleCounts = instance.eligibleMentorCounts(activeMentors: activeMentors, skipMentees: skipMentees)
                return
            }
            let menteeHeaps = shared.menteeHeaps, menteeHeapCount = shared.menteeHeapCount
            let mentorHeaps = shared.mentorHeaps, mentorHeapCount = shared.mentorHeapCount
            var menteeBound = [Int64](repeating: -1, count: menteeCount)
            var mentorBound = [Int64](repeating: -1, count: mentorCount)
            var arcStart = [Int](repeating: 0, count: menteeCount + 1)
            var arcMentor: [Int32] = [], arcScore: [Int64] = []
            // Merge: every kept pair, deduplicated, grouped by mentee. Each mentee's pairs (its
            // own list, then those of the mentors' lists that name it) as mentor << 32 | score,
            // sorted, so that a pair in both lists is one arc.
            var start = [Int](repeating: 0, count: menteeCount + 1)
            for e in 0..<menteeCount { start[e + 1] = Int(menteeHeapCount[e]) }
            for m in 0..<mentorCount {
                let heap = mentorHeaps + m * k2
                for slot in 0..<Int(mentorHeapCount[m]) { start[index(ofKey: heap[slot]) + 1] += 1 }
            }
            for e in 0..<menteeCount { start[e + 1] += start[e] }
            var filled = start
            var pairs = [UInt64](repeating: 0, count: start[menteeCount])
            // A kept score is 0...ScoreUnits.perOne (at least the minimum, which is never
            // negative) and a mentor below 2^24, so both fit and order by mentor first.
            @inline(__always) func pair(_ mentor: Int, _ score: Int64) -> UInt64 {
                assert(score >= 0 && score <= ScoreUnits.perOne, "a kept score is 0...1")
                return UInt64(mentor) << 32 | UInt64(score)
            }
            for e in 0..<menteeCount {
                let count = Int(menteeHeapCount[e])
                let heap = menteeHeaps + e * k1
                if count == k1 { menteeBound[e] = score(ofKey: heap[0]) }
                for slot in 0..<count { pairs[filled[e]] = pair(index(ofKey: heap[slot]), score(ofKey: heap[slot])); filled[e] += 1 }
            }
            for m in 0..<mentorCount {
                let count = Int(mentorHeapCount[m])
                let heap = mentorHeaps + m * k2
                if count == k2 { mentorBound[m] = score(ofKey: heap[0]) }
                for slot in 0..<count {
                    let e = index(ofKey: heap[slot])
                    pairs[filled[e]] = pair(m, score(ofKey: heap[slot])); filled[e] += 1
                }
            }
            arcMentor.reserveCapacity(pairs.count); arcScore.reserveCapacity(pairs.count)
            pairs.withUnsafeMutableBufferPointer { all in
                for e in 0..<menteeCount {
                    var own = UnsafeMutableBufferPointer(rebasing: all[start[e]..<start[e + 1]])
                    own.sort()
                    var previous = -1
                    for entry in own where Int(entry >> 32) != previous {
                        previous = Int(entry >> 32)
                        arcMentor.append(Int32(previous)); arcScore.append(Int64(entry & 0xFFFF_FFFF))
                    }
                    arcStart[e + 1] = arcMentor.count
                }
            }
            merged.menteeBound = menteeBound; merged.mentorBound = mentorBound
            merged.arcStart = arcStart; merged.arcMentor = arcMentor; merged.arcScore = arcScore
        }
        if threads > 1 { DispatchQueue.concurrentPerform(iterations: 2, execute: listSteps) } else { listSteps(0); listSteps(1) }
        let eligibleCounts = merged.eligibleCounts
        var aboveList = [Int32](repeating: 0, count: menteeCount)
        for e in 0..<menteeCount { aboveList[e] = countAbove ? above[e] : eligibleCounts[e] }
        let total = eligibleCounts.reduce(0) { $0 + Int($1) }
        let listing = clock.now - listingStart
        return CandidateGraph(
            arcStart: merged.arcStart, arcMentor: merged.arcMentor, arcScore: merged.arcScore, menteeBound: merged.menteeBound, mentorBound: merged.mentorBound,
            eligibleMentors: eligibleCounts, aboveMinimum: aboveList, eligiblePairs: total,
            listingSeconds: Double(listing.components.seconds) + Double(listing.components.attoseconds) / 1e18
        )
    }

    /// Rows (slots of one side) in order of time zone and meeting frequency, so that the rows of a
    /// tile (`run`) share the order in which blocks suit them.
    static func rowOrder(_ instance: PreparedInstance, _ slots: [Int32], mentors: Bool) -> [Int32] {
        slots.sorted { a, b in
            let p = Int(mentors ? instance.mentorPerson[Int(a)] : instance.menteePerson[Int(a)])
            let q = Int(mentors ? instance.mentorPerson[Int(b)] : instance.menteePerson[Int(b)])
            let left = (instance.timezoneIndex[p], instance.frequencyCode[p]), right = (instance.timezoneIndex[q], instance.frequencyCode[q])
            return left != right ? left < right : a < b
        }
    }

    /// Runs `body(row, blocks)` over every row and every block on `threads` workers, each taking
    /// the next tile of rows when it is done with one. Rows go in tiles of 32 and blocks in runs
    /// of 8, so that a run's data stays in cache while each row of the tile is bounded and scored
    /// against it. A tile visits the
    /// blocks in order of how well their time zones and meeting frequencies suit its first row
    /// (rows are in order of both, so they suit the tile, but for a tile that spans two such
    /// groups, whose later rows take its first row's order), from its own time zone on where
    /// they suit equally: blocks whose pairs tend to score high come first and fill the rows' lists
    /// with strong entries early, which raises the bar for every later block. A row's state lives
    /// in its list between runs.
    static func run(rows: [Int32], blocks: borrowing LaneBlocks, tables: borrowing ScoringTables, threads: Int, instance: PreparedInstance, progress: ProgressCounter, perRow: Int, _ body: @Sendable (Int, ArraySlice<Int32>) -> Void) {
        guard blocks.count > 0, !rows.isEmpty else { return }
        let mentors = !blocks.mentors
        let tile = 32, blockRun = 8
        let blockCount = blocks.count
        // Per block and (time zone, meeting frequency) of a row: the best such contribution of
        // any of the block's lanes, and the blocks in order of it, worked out once per row kind.
        let rowCodes = Set(rows.map { slot -> Int32 in
            let person = Int(mentors ? instance.mentorPerson[Int(slot)] : instance.menteePerson[Int(slot)])
            return instance.timezoneIndex[person] << 3 | instance.frequencyCode[person]
        })
        var orders: [Int32: [Int32]] = [:]
        for code in rowCodes {
            let zoneRow = tables.zones + Int(code >> 3) * tables.zoneCount
            let frequencyRow = tables.frequency + Int(code & 7) * PreparedInstance.frequencyCodes
            let start = blocks.firstBlockOfZone[Int(code >> 3)]
            var suit = [Int64](repeating: Int64.min, count: blockCount)
            for block in 0..<blockCount {
                for index in Int(blocks.codeStart[block])..<Int(blocks.codeStart[block + 1]) {
                    let other = Int(blocks.codes[index])
                    suit[block] = max(suit[block], zoneRow[other >> 3] + frequencyRow[other & 7])
                }
            }
            let fromOwnZone = (0..<blockCount).map { Int32((start + $0) % blockCount) }
            // A stable sort: equally suited blocks keep the order from the row's own time zone on.
            orders[code] = fromOwnZone.enumerated().sorted { a, b in
                let left = suit[Int(a.element)], right = suit[Int(b.element)]
                return left != right ? left > right : a.offset < b.offset
            }.map(\.element)
        }
        let blockOrders = orders
        // Workers take the next tile as they finish one: tiles differ in cost (rows of one time
        // zone can find their lists' bars sooner than another's), and a fixed share of the rows
        // each left one core idle for a tenth of a pass or more.
        let tiles = TileQueue(count: (rows.count + tile - 1) / tile)
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            while let next = tiles.next() {
                let tileStart = next * tile
                let tileEnd = min(rows.count, tileStart + tile)
                let slot = Int(rows[tileStart])
                let person = Int(mentors ? instance.mentorPerson[slot] : instance.menteePerson[slot])
                let order = blockOrders[instance.timezoneIndex[person] << 3 | instance.frequencyCode[person]]!
                var visited = 0
                while visited < blockCount {
                    let length = min(blockRun, blockCount - visited)
                    for position in tileStart..<tileEnd { body(Int(rows[position]), order[visited..<(visited + length)]) }
                    visited += length
                }
                progress.add((tileEnd - tileStart) * perRow)
            }
        }
    }

    /// Adds pairs (found by the proof) to the graph.
    mutating func add(_ pairs: [(mentee: Int, mentor: Int, score: Int64)]) {
        guard !pairs.isEmpty else { return }
        var perMentee = [[(Int32, Int64)]](repeating: [], count: arcStart.count - 1)
        for e in 0..<(arcStart.count - 1) {
            for arc in arcStart[e]..<arcStart[e + 1] { perMentee[e].append((arcMentor[arc], arcScore[arc])) }
        }
        for pair in pairs { perMentee[pair.mentee].append((Int32(pair.mentor), pair.score)) }
        arcMentor.removeAll(keepingCapacity: true); arcScore.removeAll(keepingCapacity: true)
        for e in perMentee.indices {
            perMentee[e].sort { $0.0 < $1.0 }
            var previous: Int32 = -1
            for (mentor, score) in perMentee[e] where mentor != previous { arcMentor.append(mentor); arcScore.append(score); previous = mentor }
            arcStart[e + 1] = arcMentor.count
        }
    }
}

/// Pointers the scoring workers share; each worker writes only its own rows.
struct SharedPointers: @unchecked Sendable {
    let menteeHeaps: UnsafeMutablePointer<Int64>
    let menteeHeapCount: UnsafeMutablePointer<Int32>
    let above: UnsafeMutablePointer<Int32>
    let mentorHeaps: UnsafeMutablePointer<Int64>
    let mentorHeapCount: UnsafeMutablePointer<Int32>
}

/// The contribution tables as flat buffers.
struct ScoringTables: ~Copyable, @unchecked Sendable {
    let row: Int, zoneCount: Int
    let complement: UnsafeMutablePointer<Int64>
    let interest: UnsafeMutablePointer<Int64>
    let value: UnsafeMutablePointer<Int64>
    let zones: UnsafeMutablePointer<Int64>
    let frequency: UnsafeMutablePointer<Int64>
    let experience: UnsafeMutablePointer<Int64>
    let languageShared: Int64, languageUnknown: Int64, experienceUnknown: Int64
    /// The largest interest and value contributions (a mentor sharing all of the fewer list).
    let interestMax: Int64, valueMax: Int64

    init(_ instance: PreparedInstance) {
        func copy(_ array: [Int64]) -> UnsafeMutablePointer<Int64> {
            let pointer = UnsafeMutablePointer<Int64>.allocate(capacity: max(1, array.count))
            _ = UnsafeMutableBufferPointer(start: pointer, count: array.count).initialize(from: array)
            return pointer
        }
        row = instance.tableRow; zoneCount = instance.zoneCount
        complement = copy(instance.complementTable); interest = copy(instance.interestTable); value = copy(instance.valueTable)
        zones = copy(instance.timezoneTable); frequency = copy(instance.frequencyTable); experience = copy(instance.experienceTable)
        languageShared = instance.languageShared; languageUnknown = instance.languageUnknown; experienceUnknown = instance.experienceUnknown
        interestMax = instance.interestTable.max() ?? 0; valueMax = instance.valueTable.max() ?? 0
    }

    deinit {
        complement.deallocate(); interest.deallocate(); value.deallocate(); zones.deallocate(); frequency.deallocate(); experience.deallocate()
    }
}

/// What the two halves of the listing step hand back (each field written by one of them, and read
/// after both are done).
final class Listing: @unchecked Sendable {
    var eligibleCounts: [Int32] = []
    var menteeBound: [Int64] = [], mentorBound: [Int64] = []
    var arcStart: [Int] = [], arcMentor: [Int32] = [], arcScore: [Int64] = []
}

/// Hands out 0, 1, 2, … up to `count` to the workers that ask, each number once.
final class TileQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var handedOut = 0
    private let count: Int

    init(count: Int) { self.count = count }

    func next() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard handedOut < count else { return nil }
        handedOut += 1
        return handedOut - 1
    }
}

/// Counts finished work from several threads and reports the fraction done.
final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0
    private let total: Int
    private let report: (@Sendable (Double) -> Void)?

    init(total: Int, report: (@Sendable (Double) -> Void)?) {
        self.total = max(1, total)
        self.report = report
    }

    func add(_ count: Int) {
        guard let report, count > 0 else { return }
        lock.lock()
        done += count
        let fraction = Double(done) / Double(total)
        lock.unlock()
        report(min(1, fraction))
    }
}
