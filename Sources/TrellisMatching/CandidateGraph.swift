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

        DispatchQueue.concurrentPerform(iterations: threads) { worker in
            let first = menteeCount * worker / threads, last = menteeCount * (worker + 1) / threads
            let myMentorHeaps = shared.mentorHeaps + worker * mentorCount * k2
            let myMentorCounts = shared.mentorHeapCount + worker * mentorCount
            var sinceReport = 0
            for e in first..<last {
                defer {
                    sinceReport += 1
                    if sinceReport == 512 { done.add(sinceReport); sinceReport = 0 }
                }
                if skipMentees.contains(e) { continue }
                let menteeHeap = shared.menteeHeaps + e * k1
                var menteeCountLocal: Int32 = 0
                var eligibleCount: Int32 = 0, aboveCount: Int32 = 0
                let person = Int(instance.menteePerson[e])
                let excluded = instance.exclusions[e]
                let personIn = instance.tourIn[person], personOut = instance.tourOut[person]
                let personDepartment = instance.options.excludeSameDepartment ? instance.department[person] : -2
                for mentor32 in activeMentors {
                    let m = Int(mentor32)
                    let other = Int(instance.mentorPerson[m])
                    if other == person { continue }
                    let otherIn = instance.tourIn[other], otherOut = instance.tourOut[other]
                    if (otherIn < personIn && personOut < otherOut) || (personIn < otherIn && otherOut < personOut) { continue }
                    if personDepartment >= 0 && instance.department[other] == personDepartment { continue }
                    if !excluded.isEmpty && excluded.contains(mentor32) { continue }
                    eligibleCount &+= 1
                    let score = instance.score(mentee: e, mentor: m)
                    if score < minimum { continue }
                    aboveCount &+= 1
                    offer(key(score, m), heap: menteeHeap, count: &menteeCountLocal, capacity: k1)
                    offer(key(score, e), heap: myMentorHeaps + m * k2, count: &myMentorCounts[m], capacity: k2)
                }
                shared.menteeHeapCount[e] = menteeCountLocal
                shared.eligible[e] = eligibleCount
                shared.above[e] = aboveCount
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
