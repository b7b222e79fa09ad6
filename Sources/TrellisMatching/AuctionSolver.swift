import Foundation

/// An exact solver for the sparse capacitated assignment: each mentee takes at most one mentor,
/// each mentor at most their capacity, and the total value is the largest possible.
///
/// It is the auction algorithm with ε-scaling (Bertsekas), on a balanced version of the problem:
/// mentor slots plus one "unmatched" object with a slot per mentee, and one filler person per
/// mentor slot who values every slot at zero. Every person can then be placed, the auction for
/// the symmetric assignment applies unchanged, and with values scaled by more than the number of
/// persons an ε of 1 leaves a total within one unit of the optimum, that is, optimal. The caller
/// does not have to trust this argument: `MatchEngine` checks a dual certificate.
struct AuctionSolver {
    struct Result {
        /// Mentor slot of each mentee, or -1.
        var mentorOf: [Int32]
        /// A feasible price per mentor (dual of its capacity), never negative.
        var mentorPrice: [Int64]
        /// The slot prices and each person's slot at the end, to warm-start a re-solve.
        var slotPrices: [Int64]
        var personSlots: [Int32]
        var phases: Int
        var bids: Int
        /// The ε of the last phase run (1 when solved to the end).
        var epsilon: Int64
    }

    let menteeCount: Int
    let capacity: [Int32]
    let arcStart: [Int]
    let arcMentor: [Int32]
    let arcValue: [Int64]

    /// How much ε shrinks between phases (3 to 16 measured on the 100k benchmark graph: 3–4 best).
    static let reduction: Int64 = 4

    /// - Parameters:
    ///   - warmPrices, warmSlots: the end state of an earlier solve of the same people and
    ///     capacities (arcs may have been added); people whose place is still good keep it.
    ///   - stopEpsilon: stop after the first phase whose ε is at most this (an intermediate state,
    ///     for the caller to add arcs to and continue from); nil solves to the end.
    func solve(warmPrices: [Int64]? = nil, warmSlots: [Int32]? = nil, startingEpsilon: Int64? = nil, stopEpsilon: Int64? = nil) -> Result {
        let state = AuctionState(menteeCount: menteeCount, capacity: capacity, arcStart: arcStart, arcMentor: arcMentor, arcValue: arcValue, warmPrices: warmPrices)
        if let warmSlots, warmPrices != nil { state.restore(warmSlots) }
        defer { state.release() }
        let maxValue = arcValue.max() ?? 0
        var epsilon = max(1, startingEpsilon ?? maxValue / 4)
        var phases = 0
        let trace = ProcessInfo.processInfo.environment["TRELLIS_AUCTION_TRACE"] != nil
        while true {
            phases += 1
            state.runPhase(epsilon: epsilon, fresh: phases == 1 && warmSlots == nil)
            if trace { FileHandle.standardError.write(Data("auction phase \(phases): ε \(epsilon), \(state.bids) bids so far (\(state.fillerBids) by fillers)\n".utf8)) }
            if epsilon == 1 || epsilon <= (stopEpsilon ?? 0) { break }
            epsilon = max(1, epsilon / Self.reduction)
        }
        return state.result(phases: phases, epsilon: epsilon)
    }
}

/// The auction's working state, in flat buffers: the inner loops touch nothing else.
final class AuctionState {
    let n: Int, mentors: Int, mentorSlots: Int, slotCount: Int, personCount: Int
    let unmatched: Int
    let arcStart: UnsafeMutablePointer<Int>
    let arcMentor: UnsafeMutablePointer<Int32>
    let arcValue: UnsafeMutablePointer<Int64>
    let slotStart: UnsafeMutablePointer<Int>
    let slotPrice: UnsafeMutablePointer<Int64>
    let slotHolder: UnsafeMutablePointer<Int32>
    let personSlot: UnsafeMutablePointer<Int32>
    /// Per object (mentors, then the unmatched object): cheapest slot, its price, the next price.
    let minSlot: UnsafeMutablePointer<Int32>
    let minPrice: UnsafeMutablePointer<Int64>
    let secondPrice: UnsafeMutablePointer<Int64>
    /// The unmatched object's slots as a 4-ary min-heap by price, prices kept beside the slots so
    /// that sifting reads one cache line per level. Bids only ever take the cheapest slot, so the
    /// only change is raising the top's price.
    let heapKey: UnsafeMutablePointer<Int64>
    let heapSlot: UnsafeMutablePointer<Int32>
    /// Objects (those with slots) in a min-heap by cheapest price, for the fillers. Prices only
    /// rise within a phase, so a change only ever moves an object down.
    let objectHeap: UnsafeMutablePointer<Int32>
    let objectPosition: UnsafeMutablePointer<Int32>
    var objectHeapCount = 0
    let queue: UnsafeMutablePointer<Int32>
    var queueHead = 0, queueCount = 0
    var bids = 0
    var fillerBids = 0

    init(menteeCount: Int, capacity: [Int32], arcStart starts: [Int], arcMentor mentorsOfArcs: [Int32], arcValue values: [Int64], warmPrices: [Int64]?) {
        n = menteeCount
        mentors = capacity.count
        unmatched = mentors
        func copy<T>(_ array: [T]) -> UnsafeMutablePointer<T> {
            let pointer = UnsafeMutablePointer<T>.allocate(capacity: max(1, array.count))
            _ = UnsafeMutableBufferPointer(start: pointer, count: array.count).initialize(from: array)
            return pointer
        }
        arcStart = copy(starts)
        arcMentor = copy(mentorsOfArcs)
        arcValue = copy(values)
        var starts = [Int](repeating: 0, count: mentors + 1)
        for j in 0..<mentors { starts[j + 1] = starts[j] + Int(capacity[j]) }
        mentorSlots = starts[mentors]
        slotStart = copy(starts)
        slotCount = mentorSlots + n
        personCount = n + mentorSlots
        slotPrice = copy(warmPrices ?? [Int64](repeating: 0, count: slotCount))
        slotHolder = copy([Int32](repeating: -1, count: slotCount))
        personSlot = copy([Int32](repeating: -1, count: personCount))
        minSlot = copy([Int32](repeating: 0, count: mentors + 1))
        minPrice = copy([Int64](repeating: Int64.max, count: mentors + 1))
        secondPrice = copy([Int64](repeating: Int64.max, count: mentors + 1))
        let firstUnmatchedSlot = starts[capacity.count]
        heapSlot = copy((0..<menteeCount).map { Int32(firstUnmatchedSlot + $0) })
        heapKey = copy([Int64](repeating: 0, count: menteeCount))
        queue = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, personCount))
        objectHeap = copy([Int32](repeating: 0, count: capacity.count + 1))
        objectPosition = copy([Int32](repeating: -1, count: capacity.count + 1))
    }

    func restore(_ slots: [Int32]) {
        for slot in 0..<slotCount { slotHolder[slot] = -1 }
        for person in 0..<personCount {
            personSlot[person] = slots[person]
            if slots[person] >= 0 { slotHolder[Int(slots[person])] = Int32(person) }
        }
    }

    func release() {
        arcStart.deallocate(); arcMentor.deallocate(); arcValue.deallocate(); slotStart.deallocate()
        slotPrice.deallocate(); slotHolder.deallocate(); personSlot.deallocate(); minSlot.deallocate()
        minPrice.deallocate(); secondPrice.deallocate(); heapKey.deallocate(); heapSlot.deallocate(); queue.deallocate()
        objectHeap.deallocate(); objectPosition.deallocate()
    }

    @inline(__always) func push(_ person: Int32) {
        var index = queueHead + queueCount
        if index >= personCount { index -= personCount }
        queue[index] = person
        queueCount += 1
    }

    @inline(__always) func pop() -> Int32? {
        guard queueCount > 0 else { return nil }
        let person = queue[queueHead]
        queueHead += 1
        if queueHead == personCount { queueHead = 0 }
        queueCount -= 1
        return person
    }

    @inline(__always) func refreshMentor(_ j: Int) {
        var best = Int64.max, second = Int64.max, bestSlot = 0
        for slot in slotStart[j]..<slotStart[j + 1] {
            let price = slotPrice[slot]
            if price < best { second = best; best = price; bestSlot = slot } else if price < second { second = price }
        }
        minPrice[j] = best; secondPrice[j] = second; minSlot[j] = Int32(bestSlot)
    }

    @inline(__always) func refreshUnmatched() {
        guard n > 0 else { return }
        minSlot[unmatched] = heapSlot[0]
        minPrice[unmatched] = heapKey[0]
        var second = Int64.max
        for child in 1..<min(n, 5) { second = min(second, heapKey[child]) }
        secondPrice[unmatched] = second
    }

    func heapSiftDown(_ start: Int) {
        var position = start
        let key = heapKey[position], slot = heapSlot[position]
        while true {
            let first = 4 &* position &+ 1
            if first >= n { break }
            var child = first
            var childKey = heapKey[first]
            let last = min(first &+ 4, n)
            var other = first &+ 1
            while other < last {
                let otherKey = heapKey[other]
                if otherKey < childKey { childKey = otherKey; child = other }
                other &+= 1
            }
            if key <= childKey { break }
            heapKey[position] = childKey
            heapSlot[position] = heapSlot[child]
            position = child
        }
        heapKey[position] = key
        heapSlot[position] = slot
    }

    func heapify() {
        guard n > 1 else { if n == 1 { heapKey[0] = slotPrice[Int(heapSlot[0])] }; return }
        for position in 0..<n { heapKey[position] = slotPrice[Int(heapSlot[position])] }
        for position in stride(from: (n - 2) / 4, through: 0, by: -1) { heapSiftDown(position) }
    }

    // The fillers' heap of objects.
    @inline(__always) func objectLess(_ a: Int32, _ b: Int32) -> Bool {
        let pa = minPrice[Int(a)], pb = minPrice[Int(b)]
        return pa < pb || (pa == pb && a < b)
    }

    func objectSiftDown(_ start: Int) {
        var position = start
        let moving = objectHeap[position]
        while true {
            let left = 2 * position + 1
            if left >= objectHeapCount { break }
            var child = left
            if left + 1 < objectHeapCount && objectLess(objectHeap[left + 1], objectHeap[left]) { child = left + 1 }
            if !objectLess(objectHeap[child], moving) { break }
            objectHeap[position] = objectHeap[child]
            objectPosition[Int(objectHeap[position])] = Int32(position)
            position = child
        }
        objectHeap[position] = moving
        objectPosition[Int(moving)] = Int32(position)
    }

    func objectHeapify() {
        objectHeapCount = 0
        for j in 0..<mentors where slotStart[j + 1] > slotStart[j] { objectHeap[objectHeapCount] = Int32(j); objectHeapCount += 1 }
        if n > 0 { objectHeap[objectHeapCount] = Int32(unmatched); objectHeapCount += 1 }
        for position in 0..<objectHeapCount { objectPosition[Int(objectHeap[position])] = Int32(position) }
        if objectHeapCount > 1 { for position in stride(from: objectHeapCount / 2 - 1, through: 0, by: -1) { objectSiftDown(position) } }
    }

    /// One scaling phase. The first starts from nothing; later ones keep every person whose
    /// place is still within the new ε of their best, and only the others bid again.
    func runPhase(epsilon: Int64, fresh: Bool) {
        heapify()
        for j in 0..<mentors { refreshMentor(j) }
        refreshUnmatched()
        objectHeapify()
        queueHead = 0; queueCount = 0
        if fresh {
            for slot in 0..<slotCount { slotHolder[slot] = -1 }
            for person in 0..<personCount { personSlot[person] = -1; push(Int32(person)) }
        } else {
            let cheapestAnywhere = objectHeapCount > 0 ? minPrice[Int(objectHeap[0])] : 0
            for person in 0..<personCount {
                let slot = Int(personSlot[person])
                var keep = false
                if slot >= 0 {
                    if person < n {
                        var best = -minPrice[unmatched], current = slot >= mentorSlots ? -slotPrice[slot] : Int64.min
                        for arc in arcStart[person]..<arcStart[person + 1] {
                            let j = Int(arcMentor[arc])
                            best = max(best, arcValue[arc] &- minPrice[j])
                            if slot >= slotStart[j] && slot < slotStart[j + 1] { current = arcValue[arc] &- slotPrice[slot] }
                        }
                        keep = current >= best - epsilon
                    } else {
                        keep = slotPrice[slot] <= cheapestAnywhere + epsilon
                    }
                }
                if !keep {
                    if slot >= 0 { slotHolder[slot] = -1 }
                    personSlot[person] = -1
                    push(Int32(person))
                }
            }
        }

        while let person32 = pop() {
            let person = Int(person32)
            bids += 1
            var target = 0
            var newPrice: Int64
            if person < n {
                var best = -minPrice[unmatched], second = Int64.min
                var bestAlternative = secondPrice[unmatched] == Int64.max ? Int64.min : -secondPrice[unmatched]
                target = unmatched
                var arc = arcStart[person]
                let end = arcStart[person + 1]
                while arc < end {
                    let j = Int(arcMentor[arc])
                    let value = arcValue[arc] &- minPrice[j]
                    if value > best {
                        second = max(second, best)
                        best = value; target = j
                        bestAlternative = secondPrice[j] == Int64.max ? Int64.min : arcValue[arc] &- secondPrice[j]
                    } else if value > second {
                        second = value
                    }
                    arc += 1
                }
                let runnerUp = max(second, bestAlternative)
                newPrice = minPrice[target] + (runnerUp == Int64.min ? 0 : best - runnerUp) + epsilon
            } else {
                // A filler wants the cheapest slot anywhere.
                fillerBids += 1
                target = Int(objectHeap[0])
                var next = Int64.max
                if objectHeapCount > 1 { next = minPrice[Int(objectHeap[1])] }
                if objectHeapCount > 2 { next = min(next, minPrice[Int(objectHeap[2])]) }
                let runnerUp = min(secondPrice[target], next)
                newPrice = (runnerUp == Int64.max ? minPrice[target] : runnerUp) + epsilon
            }
            let slot = Int(minSlot[target])
            let evicted = slotHolder[slot]
            slotHolder[slot] = person32
            personSlot[person] = Int32(slot)
            slotPrice[slot] = newPrice
            if evicted >= 0 {
                personSlot[Int(evicted)] = -1
                push(evicted)
            }
            if target == unmatched {
                heapKey[0] = newPrice
                heapSiftDown(0)
                refreshUnmatched()
            } else {
                refreshMentor(target)
            }
            objectSiftDown(Int(objectPosition[target]))
        }
    }

    func result(phases: Int, epsilon: Int64) -> AuctionSolver.Result {
        var mentorOf = [Int32](repeating: -1, count: n)
        for j in 0..<mentors {
            for slot in slotStart[j]..<slotStart[j + 1] where slotHolder[slot] >= 0 && Int(slotHolder[slot]) < n {
                mentorOf[Int(slotHolder[slot])] = Int32(j)
            }
        }
        // Prices as duals of the original problem: how far a mentor's cheapest slot stands above
        // the cheapest "unmatched" slot, never below zero.
        refreshUnmatched()
        var level = n > 0 ? minPrice[unmatched] : Int64.max
        if n == 0 { for slot in 0..<slotCount { level = min(level, slotPrice[slot]) } }
        var mentorPrice = [Int64](repeating: 0, count: mentors)
        for j in 0..<mentors where slotStart[j + 1] > slotStart[j] {
            refreshMentor(j)
            mentorPrice[j] = max(0, minPrice[j] - level)
        }
        return AuctionSolver.Result(
            mentorOf: mentorOf, mentorPrice: mentorPrice,
            slotPrices: Array(UnsafeBufferPointer(start: slotPrice, count: slotCount)),
            personSlots: Array(UnsafeBufferPointer(start: personSlot, count: personCount)), phases: phases, bids: bids, epsilon: epsilon
        )
    }
}
