import Foundation

/// The sparse problem: for every mentee, its best mentors, and for every mentor, its best
/// mentees, found in one multi-threaded pass over all pairs. Also what the proof of optimality
/// needs to know about the pairs left out (each side's weakest kept score).
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

    var arcCount: Int { arcMentor.count }

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

    static func build(_ instance: PreparedInstance, skipMentees: Set<Int> = [], capacityLeft: [Int32], progress: (@Sendable (Double) -> Void)?) -> CandidateGraph {
        let menteeCount = instance.menteePerson.count, mentorCount = instance.mentorPerson.count
        let k1 = max(1, instance.options.menteeCandidates), k2 = max(1, instance.options.mentorCandidates)
        let threads = max(1, min(instance.options.threads, max(1, menteeCount / 64)))
        let minimum = instance.minimumScore
        let activeMentors: [Int32] = (0..<mentorCount).filter { capacityLeft[$0] > 0 }.map(Int32.init)

        // Per mentee (shared, each written by one worker) and per mentor (one copy per worker).
        let menteeHeaps = UnsafeMutablePointer<Int64>.allocate(capacity: max(1, menteeCount * k1))
        let menteeHeapCount = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, menteeCount))
        menteeHeapCount.initialize(repeating: 0, count: max(1, menteeCount))
        let eligible = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, menteeCount))
        let above = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, menteeCount))
        eligible.initialize(repeating: 0, count: max(1, menteeCount)); above.initialize(repeating: 0, count: max(1, menteeCount))
        let mentorHeaps = UnsafeMutablePointer<Int64>.allocate(capacity: max(1, threads * mentorCount * k2))
        let mentorHeapCount = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, threads * mentorCount))
        mentorHeapCount.initialize(repeating: 0, count: max(1, threads * mentorCount))
        defer {
            menteeHeaps.deallocate(); menteeHeapCount.deallocate(); eligible.deallocate(); above.deallocate()
            mentorHeaps.deallocate(); mentorHeapCount.deallocate()
        }
        let shared = SharedPointers(menteeHeaps: menteeHeaps, menteeHeapCount: menteeHeapCount, eligible: eligible, above: above, mentorHeaps: mentorHeaps, mentorHeapCount: mentorHeapCount)
        let done = ProgressCounter(total: menteeCount, report: progress)

        let kernel = ScoringKernel(instance)
        defer { kernel.release() }
        let activeMentorStorage = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, activeMentors.count))
        _ = UnsafeMutableBufferPointer(start: activeMentorStorage, count: activeMentors.count).initialize(from: activeMentors)
        defer { activeMentorStorage.deallocate() }
        let activeMentorBuffer = SendableBuffer(base: activeMentorStorage, count: activeMentors.count)
        let tables = ScoringTables(instance)
        defer { tables.release() }
        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            let first = menteeCount * worker / threads, last = menteeCount * (worker + 1) / threads
            let myMentorHeaps = shared.mentorHeaps + worker * mentorCount * k2
            let myMentorCounts = shared.mentorHeapCount + worker * mentorCount
            var sinceReport = 0
            let excludeDepartment = instance.options.excludeSameDepartment
            // Per-mentor admission thresholds: the smallest key in each mentor heap once it is full.
            // Compact (one word per mentor), so the check stays in cache; the heaps are touched only on entry.
            let threshold = UnsafeMutablePointer<Int64>.allocate(capacity: max(1, mentorCount))
            threshold.initialize(repeating: Int64.min, count: max(1, mentorCount))
            defer { threshold.deallocate() }
            // Tiles of mentees × mentors, so that a tile's mentor data stays in cache while every
            // mentee of the tile is scored against it.
            let menteeTile = 32, mentorTile = 1024
            let rowScores = UnsafeMutablePointer<Int64>.allocate(capacity: mentorTile)
            defer { rowScores.deallocate() }
            var views: [MenteeView] = []
            var eligibleCounts = [Int32](repeating: 0, count: menteeTile), aboveCounts = [Int32](repeating: 0, count: menteeTile)
            var menteeCounts = [Int32](repeating: 0, count: menteeTile)
            var tileStart = first
            while tileStart < last {
                let tileEnd = min(last, tileStart + menteeTile)
                views = (tileStart..<tileEnd).map { tables.view(of: $0, instance) }
                for index in 0..<(tileEnd - tileStart) { eligibleCounts[index] = 0; aboveCounts[index] = 0; menteeCounts[index] = 0 }
                var mentorStart = 0
                while mentorStart < activeMentorBuffer.count {
                    let mentorEnd = min(activeMentorBuffer.count, mentorStart + mentorTile)
                    for e in tileStart..<tileEnd {
                        if skipMentees.contains(e) { continue }
                        let slot = e - tileStart
                        let view = views[slot]
                        let menteeHeap = shared.menteeHeaps + e * k1
                        var menteeCountLocal = menteeCounts[slot]
                        var menteeThreshold = menteeCountLocal < Int32(k1) ? Int64.min : menteeHeap[0]
                        var eligibleCount: Int32 = 0, aboveCount: Int32 = 0
                        let excluded = instance.exclusions[e]
                        let department = excludeDepartment ? view.department : -2
                        kernel.scoreRow(view, mentors: UnsafeBufferPointer(rebasing: activeMentorBuffer[mentorStart..<mentorEnd]), tables: tables, excluded: excluded, department: department, output: rowScores)
                        for m in mentorStart..<mentorEnd {
                            let mentor = Int(activeMentorBuffer[m])
                            let score = rowScores[m - mentorStart]
                            if score < 0 { continue }
                            eligibleCount &+= 1
                            if score < minimum { continue }
                            aboveCount &+= 1
                            let menteeKey = key(score, mentor)
                            if menteeKey > menteeThreshold {
                                offer(menteeKey, heap: menteeHeap, count: &menteeCountLocal, capacity: k1)
                                if menteeCountLocal == Int32(k1) { menteeThreshold = menteeHeap[0] }
                            }
                            let mentorKey = key(score, e)
                            if mentorKey > threshold[mentor] {
                                let mentorHeap = myMentorHeaps + mentor * k2
                                offer(mentorKey, heap: mentorHeap, count: &myMentorCounts[mentor], capacity: k2)
                                if myMentorCounts[mentor] == Int32(k2) { threshold[mentor] = mentorHeap[0] }
                            }
                        }
                        menteeCounts[slot] = menteeCountLocal
                        eligibleCounts[slot] &+= eligibleCount
                        aboveCounts[slot] &+= aboveCount
                    }
                    mentorStart = mentorEnd
                }
                for e in tileStart..<tileEnd {
                    shared.menteeHeapCount[e] = menteeCounts[e - tileStart]
                    shared.eligible[e] = eligibleCounts[e - tileStart]
                    shared.above[e] = aboveCounts[e - tileStart]
                }
                sinceReport += tileEnd - tileStart
                if sinceReport >= 512 { done.add(sinceReport); sinceReport = 0 }
                tileStart = tileEnd
            }
            done.add(sinceReport)
        }

        // Merge: every kept pair, deduplicated, grouped by mentee.
        var menteeBound = [Int64](repeating: -1, count: menteeCount)
        var mentorBound = [Int64](repeating: -1, count: mentorCount)
        var perMentee = [[(Int32, Int64)]](repeating: [], count: menteeCount)
        for e in 0..<menteeCount {
            let count = Int(menteeHeapCount[e])
            let heap = menteeHeaps + e * k1
            if count == k1 { menteeBound[e] = score(ofKey: heap[0]) }
            for slot in 0..<count { perMentee[e].append((Int32(index(ofKey: heap[slot])), score(ofKey: heap[slot]))) }
        }
        var merged = [Int64](); merged.reserveCapacity(threads * k2)
        for m in 0..<mentorCount {
            merged.removeAll(keepingCapacity: true)
            for worker in 0..<threads {
                let base = mentorHeaps + (worker * mentorCount + m) * k2
                let count = Int(mentorHeapCount[worker * mentorCount + m])
                for slot in 0..<count { merged.append(base[slot]) }
            }
            merged.sort(by: >)
            if merged.count >= k2 { mentorBound[m] = score(ofKey: merged[k2 - 1]) }
            else if merged.count < k2 { mentorBound[m] = -1 }
            for key in merged.prefix(k2) { perMentee[index(ofKey: key)].append((Int32(m), score(ofKey: key))) }
        }
        var arcStart = [Int](repeating: 0, count: menteeCount + 1)
        var arcMentor: [Int32] = [], arcScore: [Int64] = []
        var total = 0
        for e in 0..<menteeCount {
            perMentee[e].sort { $0.0 < $1.0 }
            var previous: Int32 = -1
            for (mentor, score) in perMentee[e] where mentor != previous {
                arcMentor.append(mentor); arcScore.append(score); previous = mentor
            }
            arcStart[e + 1] = arcMentor.count
        }
        var eligibleList = [Int32](repeating: 0, count: menteeCount), aboveList = [Int32](repeating: 0, count: menteeCount)
        for e in 0..<menteeCount { eligibleList[e] = eligible[e]; aboveList[e] = above[e]; total += Int(eligible[e]) }
        return CandidateGraph(arcStart: arcStart, arcMentor: arcMentor, arcScore: arcScore, menteeBound: menteeBound, mentorBound: mentorBound, eligibleMentors: eligibleList, aboveMinimum: aboveList, eligiblePairs: total)
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

/// A read-only buffer the scoring workers share.
struct SendableBuffer: @unchecked Sendable {
    let base: UnsafeMutablePointer<Int32>
    let count: Int
    subscript(index: Int) -> Int32 { base[index] }
    subscript(range: Range<Int>) -> Slice<UnsafeBufferPointer<Int32>> { UnsafeBufferPointer(start: base, count: count)[range] }
}

/// Pointers the scoring workers share; each worker writes only its own rows.
struct SharedPointers: @unchecked Sendable {
    let menteeHeaps: UnsafeMutablePointer<Int64>
    let menteeHeapCount: UnsafeMutablePointer<Int32>
    let eligible: UnsafeMutablePointer<Int32>
    let above: UnsafeMutablePointer<Int32>
    let mentorHeaps: UnsafeMutablePointer<Int64>
    let mentorHeapCount: UnsafeMutablePointer<Int32>
}

/// Counts finished work from several threads and reports the fraction done.
/// The contribution tables as flat buffers, and each mentee's rows.
struct ScoringTables: @unchecked Sendable {
    let row: Int, zoneCount: Int
    let complement: UnsafeMutablePointer<Int64>
    let interest: UnsafeMutablePointer<Int64>
    let value: UnsafeMutablePointer<Int64>
    let zones: UnsafeMutablePointer<Int64>
    let frequency: UnsafeMutablePointer<Int64>
    let experience: UnsafeMutablePointer<Int64>
    let languageShared: Int64, languageUnknown: Int64, experienceUnknown: Int64

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
    }

    func release() {
        complement.deallocate(); interest.deallocate(); value.deallocate(); zones.deallocate(); frequency.deallocate(); experience.deallocate()
    }

    func view(of e: Int, _ instance: PreparedInstance) -> MenteeView {
        let person = Int(instance.menteePerson[e])
        let development = Int(instance.developmentCount[person])
        return MenteeView(
            person: Int32(person), tourIn: instance.tourIn[person], tourOut: instance.tourOut[person], department: instance.department[person],
            development: instance.developmentBits + person * instance.skillWords,
            interests: instance.interestBits + person * instance.interestWords, interestCount: instance.interestCount[person],
            values: instance.valueBits + person * instance.valueWords, valueCount: instance.valueCount[person],
            languages: instance.languageBits + person * instance.languageWords, languageCount: instance.languageCount[person],
            years: instance.years[person],
            complementRow: development == 0 ? nil : UnsafePointer(complement + development * row),
            zoneRow: UnsafePointer(zones + Int(instance.timezoneIndex[person]) * zoneCount),
            frequencyRow: UnsafePointer(frequency + Int(instance.frequencyCode[person]) * 5)
        )
    }
}

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

extension ScoringKernel {
    /// The scores of one mentee against a run of mentors, in millionths, or -1 where a hard rule
    /// forbids the pair, written to `output`. The same arithmetic as `PreparedInstance.score`, on
    /// flat buffers, in one loop with nothing called per pair.
    func scoreRow(_ view: MenteeView, mentors: UnsafeBufferPointer<Int32>, tables: ScoringTables, excluded: [Int32], department: Int32, output: UnsafeMutablePointer<Int64>) {
        let stride = ScoringKernel.stride
        let skillWords = self.skillWords, interestWords = self.interestWords
        let valueWords = self.valueWords, languageWords = self.languageWords
        let row = tables.row
        let interestTable = tables.interest, valueTable = tables.value, experience = tables.experience
        let languageShared = tables.languageShared, languageUnknown = tables.languageUnknown, experienceUnknown = tables.experienceUnknown
        let perOne = ScoreUnits.perOne
        let kernel = self
        let hasExclusions = !excluded.isEmpty
        for index in 0..<mentors.count {
            let mentor = Int(mentors[index])
            let f = kernel.fields + mentor * stride
            if f[9] == view.person { output[index] = -1; continue }
            let otherIn = f[7], otherOut = f[8]
            if (otherIn < view.tourIn && view.tourOut < otherOut) || (view.tourIn < otherIn && otherOut < view.tourOut) { output[index] = -1; continue }
            if department >= 0 && f[6] == department { output[index] = -1; continue }
            if hasExclusions && excluded.contains(Int32(mentor)) { output[index] = -1; continue }
            var score: Int64 = 0
            if let complementRow = view.complementRow {
                var shared = 0
                let exp = kernel.expertise + mentor * skillWords
                for word in 0..<skillWords { shared &+= (view.development[word] & exp[word]).nonzeroBitCount }
                score &+= complementRow[shared]
            }
            let interestMin = min(view.interestCount, f[0])
            if interestMin > 0 {
                var shared = 0
                let other = kernel.interests + mentor * interestWords
                for word in 0..<interestWords { shared &+= (view.interests[word] & other[word]).nonzeroBitCount }
                score &+= interestTable[Int(interestMin) &* row &+ shared]
            }
            let valueMin = min(view.valueCount, f[1])
            if valueMin > 0 {
                var shared = 0
                let other = kernel.values + mentor * valueWords
                for word in 0..<valueWords { shared &+= (view.values[word] & other[word]).nonzeroBitCount }
                score &+= valueTable[Int(valueMin) &* row &+ shared]
            }
            score &+= view.zoneRow[Int(f[3])]
            if view.languageCount == 0 || f[2] == 0 {
                score &+= languageUnknown
            } else {
                var shared: UInt64 = 0
                let other = kernel.languages + mentor * languageWords
                for word in 0..<languageWords { shared |= view.languages[word] & other[word] }
                if shared != 0 { score &+= languageShared }
            }
            score &+= view.frequencyRow[Int(f[4])]
            let mentorYears = f[5]
            if view.years < 0 || mentorYears < 0 { score &+= experienceUnknown }
            else { score &+= experience[Int(min(max(mentorYears &- view.years, -1), 8)) &+ 1] }
            if score > perOne { score = perOne }
            output[index] = score
        }
    }

    /// The score of one pair, or -1 when a hard rule forbids it.
    func score(_ view: MenteeView, mentor: Int, tables: ScoringTables, excluded: [Int32], department: Int32) -> Int64 {
        var mentorIndex = Int32(mentor)
        var result: Int64 = 0
        withUnsafePointer(to: &mentorIndex) { pointer in
            scoreRow(view, mentors: UnsafeBufferPointer(start: pointer, count: 1), tables: tables, excluded: excluded, department: department, output: &result)
        }
        return result
    }
}
