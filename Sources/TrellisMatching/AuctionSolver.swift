/// An exact solver for the sparse capacitated assignment: each mentee takes at most one mentor,
/// each mentor at most their capacity, and the total value is the largest possible.
///
/// It is the auction algorithm with ε-scaling (Bertsekas), on a balanced version of the problem:
/// mentor slots plus one "unmatched" object with a slot per mentee, and one filler person per
/// mentor slot who values every slot at zero. Every person can then be placed, the auction for
/// the symmetric assignment applies unchanged, and with values scaled by more than the number of
/// persons an ε of 1 leaves a total within one unit of the optimum, that is, optimal. The caller
/// does not have to trust this argument: `OptimalMatcher` checks a dual certificate.
struct AuctionSolver {
    struct Result {
        /// Mentor slot of each mentee, or -1.
        var mentorOf: [Int32]
        /// A feasible price per mentor (dual of its capacity), never negative.
        var mentorPrice: [Int64]
        /// The slot prices at the end, to warm-start a re-solve.
        var slotPrices: [Int64]
        var phases: Int
        var bids: Int
    }

    let menteeCount: Int
    let capacity: [Int32]
    let arcStart: [Int]
    let arcMentor: [Int32]
    let arcValue: [Int64]

    func solve(warmPrices: [Int64]? = nil, startingEpsilon: Int64? = nil) -> Result {
        let n = menteeCount, mentors = capacity.count
        var slotStart = [Int](repeating: 0, count: mentors + 1)
        for j in 0..<mentors { slotStart[j + 1] = slotStart[j] + Int(capacity[j]) }
        let mentorSlots = slotStart[mentors]
        let unmatched = mentors                       // object index of the "unmatched" object
        let slotCount = mentorSlots + n
        let personCount = n + mentorSlots             // mentees, then fillers
        var slotPrice = warmPrices ?? [Int64](repeating: 0, count: slotCount)
        var slotHolder = [Int32](repeating: -1, count: slotCount)
        var personSlot = [Int32](repeating: -1, count: personCount)
        var phases = 0, bids = 0

        // The unmatched object's slots in a min-heap by price.
        var unmatchedHeap = [Int32](repeating: 0, count: n)
        var heapPosition = [Int32](repeating: 0, count: n)
        func siftDown(_ start: Int) {
            var position = start
            while true {
                let left = 2 * position + 1
                if left >= n { break }
                let right = left + 1
                var smallest = left
                if right < n && slotPrice[Int(unmatchedHeap[right])] < slotPrice[Int(unmatchedHeap[left])] { smallest = right }
                if slotPrice[Int(unmatchedHeap[position])] <= slotPrice[Int(unmatchedHeap[smallest])] { break }
                unmatchedHeap.swapAt(position, smallest)
                heapPosition[Int(unmatchedHeap[position]) - mentorSlots] = Int32(position)
                heapPosition[Int(unmatchedHeap[smallest]) - mentorSlots] = Int32(smallest)
                position = smallest
            }
        }

        // The cheapest two slots of an object: (slot, price, second price or nil).
        @inline(__always) func cheapest(_ object: Int) -> (slot: Int, price: Int64, second: Int64) {
            if object == unmatched {
                let top = Int(unmatchedHeap[0])
                var second = Int64.max
                if n > 1 { second = slotPrice[Int(unmatchedHeap[1])] }
                if n > 2 { second = min(second, slotPrice[Int(unmatchedHeap[2])]) }
                return (top, slotPrice[top], second)
            }
            var bestSlot = slotStart[object], best = slotPrice[bestSlot], second = Int64.max
            var slot = bestSlot + 1
            while slot < slotStart[object + 1] {
                let price = slotPrice[slot]
                if price < best { second = best; best = price; bestSlot = slot } else if price < second { second = price }
                slot += 1
            }
            return (bestSlot, best, second)
        }

        // The fillers' view: objects by their cheapest price, updated lazily.
        var fillerHeap = LazyMinHeap()

        let maxValue = arcValue.max() ?? 0
        var epsilon = max(1, startingEpsilon ?? maxValue / 4)
        var queue = RingQueue(capacity: personCount)
        while true {
            phases += 1
            for slot in 0..<slotCount { slotHolder[slot] = -1 }
            for person in 0..<personCount { personSlot[person] = -1; queue.push(Int32(person)) }
            for position in 0..<n { unmatchedHeap[position] = Int32(mentorSlots + position) }
            unmatchedHeap.sort { slotPrice[Int($0)] < slotPrice[Int($1)] }
            for position in 0..<n { heapPosition[Int(unmatchedHeap[position]) - mentorSlots] = Int32(position) }
            fillerHeap.removeAll()
            for object in 0..<mentors where capacity[object] > 0 { fillerHeap.push(cheapest(object).price, Int32(object)) }
            if n > 0 { fillerHeap.push(cheapest(unmatched).price, Int32(unmatched)) }

            while let person32 = queue.pop() {
                let person = Int(person32)
                bids += 1
                var targetObject = -1, targetSlot = -1, newPrice: Int64 = 0
                if person < n {
                    var best = Int64.min, second = Int64.min, bestAlternative = Int64.min
                    for arc in arcStart[person]..<arcStart[person + 1] {
                        let object = Int(arcMentor[arc])
                        let (slot, price, secondPrice) = cheapest(object)
                        let value = arcValue[arc] - price
                        if value > best {
                            second = max(second, best)
                            best = value; targetObject = object; targetSlot = slot
                            bestAlternative = secondPrice == Int64.max ? Int64.min : arcValue[arc] - secondPrice
                        } else if value > second {
                            second = value
                        }
                    }
                    let (slot, price, secondPrice) = cheapest(unmatched)
                    let value = -price
                    if value > best {
                        second = max(second, best)
                        best = value; targetObject = unmatched; targetSlot = slot
                        bestAlternative = secondPrice == Int64.max ? Int64.min : -secondPrice
                    } else if value > second {
                        second = value
                    }
                    let runnerUp = max(second, bestAlternative)
                    newPrice = slotPrice[targetSlot] + (runnerUp == Int64.min ? 0 : best - runnerUp) + epsilon
                } else {
                    // A filler wants the cheapest slot anywhere.
                    let top = fillerHeap.popValid { price, object in cheapest(Int(object)).price == price && (Int(object) == unmatched || capacity[Int(object)] > 0) }!
                    let (slot, price, secondPrice) = cheapest(Int(top.object))
                    let next = fillerHeap.peekValid { p, object in object != top.object && cheapest(Int(object)).price == p }
                    let runnerUpPrice = min(secondPrice, next?.price ?? Int64.max)
                    targetObject = Int(top.object); targetSlot = slot
                    newPrice = (runnerUpPrice == Int64.max ? price : runnerUpPrice) + epsilon
                }
                let evicted = slotHolder[targetSlot]
                slotHolder[targetSlot] = person32
                personSlot[person] = Int32(targetSlot)
                slotPrice[targetSlot] = newPrice
                if evicted >= 0 {
                    personSlot[Int(evicted)] = -1
                    queue.push(evicted)
                }
                if targetObject == unmatched {
                    siftDown(Int(heapPosition[targetSlot - mentorSlots]))
                }
                fillerHeap.push(cheapest(targetObject).price, Int32(targetObject))
            }
            if epsilon == 1 { break }
            epsilon = max(1, epsilon / 5)
        }

        // The assignment, and prices as duals of the original problem: a mentor's price is how
        // far its cheapest slot stands above the cheapest "unmatched" slot.
        var mentorOf = [Int32](repeating: -1, count: n)
        for j in 0..<mentors {
            for slot in slotStart[j]..<slotStart[j + 1] where slotHolder[slot] >= 0 && Int(slotHolder[slot]) < n {
                mentorOf[Int(slotHolder[slot])] = Int32(j)
            }
        }
        let level = n > 0 ? cheapest(unmatched).price : (slotPrice.min() ?? 0)
        var mentorPrice = [Int64](repeating: 0, count: mentors)
        for j in 0..<mentors where capacity[j] > 0 { mentorPrice[j] = max(0, cheapest(j).price - level) }
        return Result(mentorOf: mentorOf, mentorPrice: mentorPrice, slotPrices: slotPrice, phases: phases, bids: bids)
    }
}

/// A FIFO of person numbers; each person is in it at most once.
struct RingQueue {
    private var storage: [Int32]
    private var head = 0, count = 0

    init(capacity: Int) { storage = [Int32](repeating: 0, count: max(1, capacity)) }

    mutating func push(_ value: Int32) {
        storage[(head + count) % storage.count] = value
        count += 1
    }

    mutating func pop() -> Int32? {
        guard count > 0 else { return nil }
        let value = storage[head]
        head = (head + 1) % storage.count
        count -= 1
        return value
    }
}

/// A binary min-heap of (price, object) whose stale entries are skipped when read.
struct LazyMinHeap {
    private var prices: [Int64] = []
    private var objects: [Int32] = []

    mutating func removeAll() { prices.removeAll(keepingCapacity: true); objects.removeAll(keepingCapacity: true) }

    mutating func push(_ price: Int64, _ object: Int32) {
        prices.append(price); objects.append(object)
        var child = prices.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if !less(child, parent) { break }
            swap(child, parent)
            child = parent
        }
    }

    /// Removes and returns the smallest entry that `valid` accepts (stale ones are dropped).
    mutating func popValid(_ valid: (Int64, Int32) -> Bool) -> (price: Int64, object: Int32)? {
        while !prices.isEmpty {
            let top = (price: prices[0], object: objects[0])
            removeTop()
            if valid(top.price, top.object) { return top }
        }
        return nil
    }

    /// The smallest entry that `valid` accepts, dropping stale entries above it.
    mutating func peekValid(_ valid: (Int64, Int32) -> Bool) -> (price: Int64, object: Int32)? {
        while !prices.isEmpty {
            if valid(prices[0], objects[0]) { return (prices[0], objects[0]) }
            removeTop()
        }
        return nil
    }

    private func less(_ a: Int, _ b: Int) -> Bool { prices[a] < prices[b] || (prices[a] == prices[b] && objects[a] < objects[b]) }
    private mutating func swap(_ a: Int, _ b: Int) { prices.swapAt(a, b); objects.swapAt(a, b) }

    private mutating func removeTop() {
        let last = prices.count - 1
        swap(0, last)
        prices.removeLast(); objects.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            if left >= prices.count { break }
            let right = left + 1
            let smallest = right < prices.count && less(right, left) ? right : left
            if !less(smallest, parent) { break }
            swap(parent, smallest)
            parent = smallest
        }
    }
}
