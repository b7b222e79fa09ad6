import Foundation

/// An exact solver for the sparse capacitated assignment: each mentee takes at most one mentor,
/// each mentor at most their capacity, and the total value is the largest possible.
///
/// It is the forward/reverse auction algorithm with ε-scaling (Bertsekas and Castañón) for an
/// assignment where both sides may stay unassigned. Mentees bid for mentor slots (forward); a
/// mentee whose best net value is not positive stays unmatched at profit 0 (a private outside
/// option, so nobody competes for it). A slot left empty with a positive price — a place given up
/// when ε shrinks — bids for the mentee it suits best (reverse), lowering its price so that every
/// other mentee stays within ε of its best; if no mentee gains from it, its price drops to 0.
/// At the end of every phase all mentees are within ε of their best (ε-complementary slackness),
/// unmatched mentees have profit 0 and empty slots price 0. With values scaled by more than the
/// number of mentees and slots, an ε of 1 then leaves a total within one unit of the optimum, that
/// is, optimal. The caller does not have to trust this argument: `DualCertificate` checks it.
///
/// Forward bids only raise prices; reverse bids only raise mentee profits and evict nobody, and
/// keep everyone within ε, so a phase's reverse stage never creates forward work, and each stage
/// terminates.
struct AuctionSolver {
    struct Result {
        /// Mentor slot of each mentee, or -1.
        var mentorOf: [Int32]
        /// A feasible price per mentor (dual of its capacity), never negative; 0 when it has room.
        var mentorPrice: [Int64]
        /// The slot prices and each mentee's slot at the end, to warm-start a re-solve.
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

    /// A solver for `problem` with a value per arc (`ValueScale.values`).
    init(_ problem: SparseProblem, values: [Int64]) {
        menteeCount = problem.menteeCount
        capacity = problem.capacity
        arcStart = problem.arcStart
        arcMentor = problem.arcMentor
        arcValue = values
    }

    /// How much ε shrinks between phases.
    static let reduction: Int64 = 4

    /// - Parameters:
    ///   - warmPrices, warmSlots: the end state of an earlier solve of the same people and
    ///     capacities (arcs may have been added); mentees whose place is still good keep it.
    ///   - stopEpsilon: stop after the first phase whose ε is at most this (an intermediate state,
    ///     for the caller to add arcs to and continue from); nil solves to the end.
    ///   - trace: receives a line after each phase (ε and the bids so far).
    func solve(
        warmPrices: [Int64]? = nil, warmSlots: [Int32]? = nil, startingEpsilon: Int64? = nil, stopEpsilon: Int64? = nil,
        trace: (@Sendable (String) -> Void)? = nil
    ) -> Result {
        let state = AuctionState(menteeCount: menteeCount, capacity: capacity, arcStart: arcStart, arcMentor: arcMentor, arcValue: arcValue)
        let warm = warmPrices != nil && warmSlots != nil
        if warm, let warmPrices, let warmSlots { state.restore(prices: warmPrices, slots: warmSlots) }
        let maxValue = arcValue.max() ?? 0
        var epsilon = max(1, startingEpsilon ?? maxValue / 4)
        var phases = 0
        while true {
            phases += 1
            state.runPhase(epsilon: epsilon, fresh: phases == 1 && !warm)
            trace?("auction phase \(phases): ε \(epsilon), \(state.bids) forward and \(state.reverseBids) reverse bids so far")
            if epsilon == 1 || epsilon <= (stopEpsilon ?? 0) { break }
            epsilon = max(1, epsilon / Self.reduction)
        }
        return state.result(phases: phases, epsilon: epsilon)
    }
}

/// The auction's working state, in flat buffers: the inner loops touch nothing else.
final class AuctionState {
    let n: Int, mentors: Int, slotCount: Int
    let arcStart: UnsafeMutablePointer<Int>
    let arcMentor: UnsafeMutablePointer<Int32>
    let arcValue: UnsafeMutablePointer<Int64>
    /// The arcs by mentor, for reverse bids.
    let inStart: UnsafeMutablePointer<Int>
    let inMentee: UnsafeMutablePointer<Int32>
    let inValue: UnsafeMutablePointer<Int64>
    let slotStart: UnsafeMutablePointer<Int>
    let slotMentor: UnsafeMutablePointer<Int32>
    let slotPrice: UnsafeMutablePointer<Int64>
    let slotHolder: UnsafeMutablePointer<Int32>
    let personSlot: UnsafeMutablePointer<Int32>
    /// The value of the arc a mentee holds (so its profit is this minus its slot's price).
    let personValue: UnsafeMutablePointer<Int64>
    /// Per mentor, its slots as a min-heap by (price, slot) in its range of `heap`
    /// (`slotStart[j]...`), and each slot's place in it: the cheapest slot and the next cheapest
    /// price are read at the top, and a new price costs a logarithm of the mentor's places rather
    /// than a look at all of them (a mentor of 30,000 places made every bid on them that long).
    let heap: UnsafeMutablePointer<Int32>
    let heapPlace: UnsafeMutablePointer<Int32>
    /// Per mentor: whether it has a place for everyone with a pair with them (its capacity at
    /// least its pairs). Nobody competes for such a mentor, so its places keep price 0 (a right
    /// dual: a constraint that can never bind), a bid takes a free place from its stack of free
    /// places, and no place of it ever bids back (which reads every pair of the mentor: a mentor
    /// of 30,000 places and as many pairs took minutes).
    let open: UnsafeMutablePointer<Bool>
    let freeSlots: UnsafeMutablePointer<Int32>
    let freeCount: UnsafeMutablePointer<Int>
    /// Per mentor: its cheapest slot, that slot's price, and the next cheapest price.
    let minSlot: UnsafeMutablePointer<Int32>
    let minPrice: UnsafeMutablePointer<Int64>
    let secondPrice: UnsafeMutablePointer<Int64>
    /// Per mentor with many pairs (more than `shortlistLength` × 4), the index of its shortlist
    /// for reverse bids, or -1; per shortlist, up to `shortlistLength` of the mentor's pairs with
    /// the largest gains when last read (`shortlist`, with those gains in `shortlistGain`), the
    /// largest gain of a pair left off (`shortlistBound`), and whether it was read in this
    /// reverse stage. During a reverse stage profits only rise, so a pair left off never gains more
    /// than the bound: while the best and second best listed gains are at least the bound, they
    /// are the mentor's best and second best, and a reverse bid reads the list instead of every
    /// pair. A mentor of 20,000 places and 30,000 pairs read all 30,000 for each of its bids.
    static let shortlistLength = 32
    let shortlistOf: UnsafeMutablePointer<Int32>
    let shortlist: UnsafeMutablePointer<Int>
    let shortlistGain: UnsafeMutablePointer<Int64>
    let shortlistCount: UnsafeMutablePointer<Int>
    let shortlistBound: UnsafeMutablePointer<Int64>
    let shortlistRead: UnsafeMutablePointer<Bool>
    let shortlists: Int
    let queue: UnsafeMutablePointer<Int32>
    var queueHead = 0, queueCount = 0
    let reverseQueue: UnsafeMutablePointer<Int32>
    var reverseCount = 0
    let queued: UnsafeMutablePointer<Bool>
    var bids = 0
    var reverseBids = 0

    init(menteeCount: Int, capacity: [Int32], arcStart starts: [Int], arcMentor mentorsOfArcs: [Int32], arcValue values: [Int64]) {
        n = menteeCount
        mentors = capacity.count
        func copy<T>(_ array: [T]) -> UnsafeMutablePointer<T> {
            let pointer = UnsafeMutablePointer<T>.allocate(capacity: max(1, array.count))
            _ = UnsafeMutableBufferPointer(start: pointer, count: array.count).initialize(from: array)
            return pointer
        }
        // The arcs by mentee are copied and turned into arcs by mentor in flat buffers directly
        // (through arrays and copies, with a check on every write, this took a tenth of a second
        // at 3 million arcs, once for each of the engine's rounds).
        let byMentee = copy(starts), mentorOfArc = copy(mentorsOfArcs), valueOfArc = copy(values)
        arcStart = byMentee; arcMentor = mentorOfArc; arcValue = valueOfArc
        let arcs = mentorsOfArcs.count
        let byMentor = UnsafeMutablePointer<Int>.allocate(capacity: mentors + 1)
        byMentor.initialize(repeating: 0, count: mentors + 1)
        for arc in 0..<arcs {
            let j = Int(mentorOfArc[arc])
            // The writes below are unchecked: a mentor outside the problem stops here instead.
            precondition(j >= 0 && j < mentors, "an arc leads to a mentor outside the problem")
            byMentor[j &+ 1] &+= 1
        }
        for j in 0..<mentors { byMentor[j + 1] &+= byMentor[j] }
        let menteeOfArc = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, arcs))
        let valueByMentor = UnsafeMutablePointer<Int64>.allocate(capacity: max(1, arcs))
        let fill = UnsafeMutablePointer<Int>.allocate(capacity: max(1, mentors))
        fill.initialize(from: byMentor, count: mentors)
        for e in 0..<menteeCount {
            for arc in byMentee[e]..<byMentee[e &+ 1] {
                let j = Int(mentorOfArc[arc]), place = fill[j]
                (menteeOfArc + place).initialize(to: Int32(truncatingIfNeeded: e))
                (valueByMentor + place).initialize(to: valueOfArc[arc])
                fill[j] = place &+ 1
            }
        }
        fill.deallocate()
        inStart = byMentor; inMentee = menteeOfArc; inValue = valueByMentor
        let incoming = UnsafeBufferPointer(start: byMentor, count: mentors + 1)
        var slotStarts = [Int](repeating: 0, count: mentors + 1)
        for j in 0..<mentors { slotStarts[j + 1] = slotStarts[j] + Int(max(0, capacity[j])) }
        slotCount = slotStarts[mentors]
        slotStart = copy(slotStarts)
        var owners = [Int32](repeating: 0, count: slotCount)
        for j in 0..<mentors { for slot in slotStarts[j]..<slotStarts[j + 1] { owners[slot] = Int32(j) } }
        slotMentor = copy(owners)
        heap = copy((0..<slotCount).map(Int32.init))
        open = copy((0..<mentors).map { j in capacity[j] > 0 && Int(capacity[j]) >= incoming[j + 1] - incoming[j] })
        freeSlots = copy([Int32](repeating: 0, count: slotCount))
        freeCount = copy([Int](repeating: 0, count: mentors))
        heapPlace = copy((0..<slotCount).map { Int32($0 - slotStarts[Int(owners[$0])]) })
        slotPrice = copy([Int64](repeating: 0, count: slotCount))
        slotHolder = copy([Int32](repeating: -1, count: slotCount))
        personSlot = copy([Int32](repeating: -1, count: menteeCount))
        personValue = copy([Int64](repeating: 0, count: menteeCount))
        minSlot = copy([Int32](repeating: 0, count: mentors))
        minPrice = copy([Int64](repeating: Int64.max, count: mentors))
        secondPrice = copy([Int64](repeating: Int64.max, count: mentors))
        var listOf = [Int32](repeating: -1, count: mentors), lists = 0
        for j in 0..<mentors where incoming[j + 1] - incoming[j] > Self.shortlistLength * 4 && !open[j] {
            listOf[j] = Int32(lists); lists += 1
        }
        shortlists = lists
        shortlistOf = copy(listOf)
        shortlist = copy([Int](repeating: 0, count: lists * Self.shortlistLength))
        shortlistGain = copy([Int64](repeating: 0, count: lists * Self.shortlistLength))
        shortlistCount = copy([Int](repeating: 0, count: lists))
        shortlistBound = copy([Int64](repeating: Int64.min, count: lists))
        shortlistRead = copy([Bool](repeating: false, count: lists))
        queue = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, menteeCount))
        reverseQueue = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, slotCount))
        queued = copy([Bool](repeating: false, count: slotCount))
    }

    /// Takes over prices and places from an earlier solve (arcs may have been added since).
    func restore(prices: [Int64], slots: [Int32]) {
        for slot in 0..<slotCount { slotPrice[slot] = prices[slot]; slotHolder[slot] = -1 }
        for e in 0..<n {
            let slot = Int(slots[e])
            personSlot[e] = -1
            guard slot >= 0 else { continue }
            let j = slotMentor[slot]
            for arc in arcStart[e]..<arcStart[e + 1] where arcMentor[arc] == j {
                personSlot[e] = Int32(slot); slotHolder[slot] = Int32(e); personValue[e] = arcValue[arc]
            }
        }
    }

    deinit {
        arcStart.deallocate(); arcMentor.deallocate(); arcValue.deallocate()
        inStart.deallocate(); inMentee.deallocate(); inValue.deallocate()
        slotStart.deallocate(); slotMentor.deallocate(); slotPrice.deallocate(); slotHolder.deallocate()
        heap.deallocate(); heapPlace.deallocate(); open.deallocate(); freeSlots.deallocate(); freeCount.deallocate()
        personSlot.deallocate(); personValue.deallocate(); minSlot.deallocate(); minPrice.deallocate(); secondPrice.deallocate()
        queue.deallocate(); reverseQueue.deallocate(); queued.deallocate()
        shortlistOf.deallocate(); shortlist.deallocate(); shortlistGain.deallocate(); shortlistCount.deallocate()
        shortlistBound.deallocate(); shortlistRead.deallocate()
    }

    /// What the mentee of the mentor's pair `index` (in `inMentee`) gains from it over what
    /// they hold now.
    @inline(__always) func gain(_ index: Int) -> Int64 {
        let e = Int(inMentee[index])
        let held = Int(personSlot[e])
        let profit = held >= 0 ? personValue[e] &- slotPrice[held] : 0
        return inValue[index] &- profit
    }

    /// Reads every pair of mentor `j` into its shortlist `list`: the largest gains, largest
    /// first, and the largest gain left off.
    func readShortlist(_ j: Int, _ list: Int) {
        let length = Self.shortlistLength
        let indices = shortlist + list * length, gains = shortlistGain + list * length
        var count = 0, bound = Int64.min
        for index in inStart[j]..<inStart[j + 1] {
            let g = gain(index)
            if count == length {
                if g <= gains[length - 1] { bound = max(bound, g); continue }
                bound = max(bound, gains[length - 1])
                count -= 1
            }
            var place = count
            while place > 0 && gains[place - 1] < g { gains[place] = gains[place - 1]; indices[place] = indices[place - 1]; place -= 1 }
            gains[place] = g; indices[place] = index
            count += 1
        }
        shortlistCount[list] = count
        shortlistBound[list] = bound
        shortlistRead[list] = true
    }

    /// The largest and second largest gain among some of a mentor's pairs, and whose the largest is.
    struct BestGains {
        var first = Int64.min, second = Int64.min, chosen = -1, value: Int64 = 0

        @inline(__always) mutating func add(_ gain: Int64, mentee: Int, value arcValue: Int64) {
            if gain > first { second = first; first = gain; chosen = mentee; value = arcValue } else if gain > second { second = gain }
        }
    }

    /// The mentee that gains most from a place of mentor `j`, what they gain, the arc's value, and
    /// the second largest gain of anyone: from the mentor's shortlist when it answers for
    /// everyone, otherwise from all its pairs.
    @inline(__always) func reverseChoice(_ j: Int) -> BestGains {
        var best = BestGains()
        let list = Int(shortlistOf[j])
        guard list >= 0 else {
            for index in inStart[j]..<inStart[j + 1] { best.add(gain(index), mentee: Int(inMentee[index]), value: inValue[index]) }
            return best
        }
        if !shortlistRead[list] { readShortlist(j, list) }
        for attempt in 0..<2 {
            best = BestGains()
            let indices = shortlist + list * Self.shortlistLength
            for place in 0..<shortlistCount[list] {
                let index = indices[place]
                best.add(gain(index), mentee: Int(inMentee[index]), value: inValue[index])
            }
            if attempt == 1 || (best.first >= shortlistBound[list] && best.second >= shortlistBound[list]) { break }
            readShortlist(j, list)
        }
        return best
    }

    @inline(__always) func push(_ person: Int32) {
        var index = queueHead + queueCount
        if index >= n { index -= n }
        queue[index] = person
        queueCount += 1
    }

    @inline(__always) func pop() -> Int32? {
        guard queueCount > 0 else { return nil }
        let person = queue[queueHead]
        queueHead += 1
        if queueHead == n { queueHead = 0 }
        queueCount -= 1
        return person
    }

    /// An empty slot whose price is above 0 waits for a reverse bid.
    @inline(__always) func pushReverse(_ slot: Int) {
        guard slotHolder[slot] < 0, slotPrice[slot] > 0, !queued[slot] else { return }
        queued[slot] = true
        reverseQueue[reverseCount] = Int32(slot)
        reverseCount += 1
    }

    /// Whether slot `a` comes before slot `b` in its mentor's heap: cheaper, or as cheap and
    /// first (the slot a scan in order would pick).
    @inline(__always) func before(_ a: Int32, _ b: Int32) -> Bool {
        let left = slotPrice[Int(a)], right = slotPrice[Int(b)]
        return left < right || (left == right && a < b)
    }

    /// Moves the slot at `place` of mentor `j`'s heap up or down to where its price puts it.
    @inline(__always) func settle(_ j: Int, _ start: Int) {
        let base = heap + slotStart[j], count = slotStart[j + 1] - slotStart[j]
        var place = start
        let slot = base[place]
        while place > 0 {
            let parent = (place - 1) / 2
            guard before(slot, base[parent]) else { break }
            base[place] = base[parent]; heapPlace[Int(base[place])] = Int32(place)
            place = parent
        }
        while true {
            var child = 2 * place + 1
            if child >= count { break }
            if child + 1 < count && before(base[child + 1], base[child]) { child += 1 }
            guard before(base[child], slot) else { break }
            base[place] = base[child]; heapPlace[Int(base[place])] = Int32(place)
            place = child
        }
        base[place] = slot; heapPlace[Int(slot)] = Int32(place)
    }

    /// Reads mentor `j`'s cheapest slot, its price and the next cheapest price off its heap.
    @inline(__always) func publish(_ j: Int) {
        let base = heap + slotStart[j], count = slotStart[j + 1] - slotStart[j]
        guard count > 0 else { minPrice[j] = Int64.max; secondPrice[j] = Int64.max; minSlot[j] = 0; return }
        minSlot[j] = base[0]; minPrice[j] = slotPrice[Int(base[0])]
        var second = Int64.max
        if count > 1 { second = slotPrice[Int(base[1])] }
        if count > 2 { second = min(second, slotPrice[Int(base[2])]) }
        secondPrice[j] = second
    }

    /// Mentors with at most this many places are looked at in full instead (a heap costs more
    /// than it saves on a few places, the usual case).
    static let scanned = 8

    /// Reads mentor `j`'s cheapest slot, its price and the next cheapest price by looking at
    /// every slot, in order (what the heap gives, since it breaks ties by slot).
    @inline(__always) func scan(_ j: Int) {
        var best = Int64.max, second = Int64.max, bestSlot = 0
        for slot in slotStart[j]..<slotStart[j + 1] {
            let price = slotPrice[slot]
            if price < best { second = best; best = price; bestSlot = slot } else if price < second { second = price }
        }
        minPrice[j] = best; secondPrice[j] = second; minSlot[j] = Int32(bestSlot)
    }

    /// An open mentor's cheapest place: the free place on top of its stack, at price 0.
    @inline(__always) func publishOpen(_ j: Int) {
        minPrice[j] = 0
        secondPrice[j] = slotStart[j + 1] - slotStart[j] > 1 ? 0 : Int64.max
        minSlot[j] = freeCount[j] > 0 ? freeSlots[slotStart[j] + freeCount[j] - 1] : Int32(slotStart[j])
    }

    /// A place that has just been left: back on its open mentor's stack.
    @inline(__always) func release(_ slot: Int) {
        let j = Int(slotMentor[slot])
        guard open[j] else { return }
        freeSlots[slotStart[j] + freeCount[j]] = Int32(slot)
        freeCount[j] += 1
        publishOpen(j)
    }

    /// Rebuilds mentor `j`'s heap (or scan, or stack of free places) from its slots.
    func refreshMentor(_ j: Int) {
        if open[j] {
            // Lowest place on top, so that the places taken do not depend on the order of events.
            freeCount[j] = 0
            for slot in stride(from: slotStart[j + 1] - 1, through: slotStart[j], by: -1) where slotHolder[slot] < 0 {
                slotPrice[slot] = 0
                freeSlots[slotStart[j] + freeCount[j]] = Int32(slot); freeCount[j] += 1
            }
            publishOpen(j)
            return
        }
        let count = slotStart[j + 1] - slotStart[j]
        guard count > Self.scanned else { scan(j); return }
        var place = count / 2
        while place > 0 { place -= 1; settle(j, place) }
        publish(j)
    }

    /// Gives `slot` a new price and keeps its mentor's heap in order.
    @inline(__always) func setPrice(_ slot: Int, _ price: Int64) {
        slotPrice[slot] = price
        let j = Int(slotMentor[slot])
        guard slotStart[j + 1] - slotStart[j] > Self.scanned else { scan(j); return }
        settle(j, Int(heapPlace[slot]))
        publish(j)
    }

    /// The mentee's best net value over its arcs (Int64.min without arcs).
    @inline(__always) func bestNet(_ e: Int) -> Int64 {
        var best = Int64.min
        for arc in arcStart[e]..<arcStart[e + 1] { best = max(best, arcValue[arc] &- minPrice[Int(arcMentor[arc])]) }
        return best
    }

    /// One scaling phase: mentees no longer within ε of their best give up their place; then
    /// forward bids until every mentee is placed within ε or better off unmatched; then reverse
    /// bids until no empty slot has a price above 0.
    func runPhase(epsilon: Int64, fresh: Bool) {
        for j in 0..<mentors { refreshMentor(j) }
        queueHead = 0; queueCount = 0
        if fresh {
            for slot in 0..<slotCount { slotHolder[slot] = -1; slotPrice[slot] = 0 }
            for j in 0..<mentors { refreshMentor(j) }
            for e in 0..<n { personSlot[e] = -1; if arcStart[e + 1] > arcStart[e] { push(Int32(e)) } }
        } else {
            for e in 0..<n {
                let best = bestNet(e)
                let slot = Int(personSlot[e])
                if slot >= 0 {
                    if personValue[e] &- slotPrice[slot] < max(0, best) &- epsilon {
                        slotHolder[slot] = -1
                        personSlot[e] = -1
                        release(slot)
                        push(Int32(e))
                    }
                } else if best > epsilon {
                    push(Int32(e))
                }
            }
        }

        // Forward: mentees bid for their best mentor's cheapest slot.
        while let person32 = pop() {
            let person = Int(person32)
            var best = Int64.min, second = Int64.min, bestAlternative = Int64.min
            var target = -1, targetValue: Int64 = 0
            var arc = arcStart[person]
            let end = arcStart[person + 1]
            while arc < end {
                let j = Int(arcMentor[arc])
                let value = arcValue[arc] &- minPrice[j]
                if value > best {
                    second = max(second, best)
                    best = value; target = j; targetValue = arcValue[arc]
                    bestAlternative = secondPrice[j] == Int64.max ? Int64.min : arcValue[arc] &- secondPrice[j]
                } else if value > second {
                    second = value
                }
                arc += 1
            }
            // Not worth a place: unmatched, at profit 0, competing with nobody.
            if target < 0 || best <= 0 { continue }
            bids += 1
            if open[target] {
                // A free place at price 0: nobody is evicted, nothing is bid up.
                freeCount[target] -= 1
                let slot = Int(freeSlots[slotStart[target] + freeCount[target]])
                slotHolder[slot] = person32
                personSlot[person] = Int32(slot)
                personValue[person] = targetValue
                publishOpen(target)
                continue
            }
            let runnerUp = max(second, bestAlternative, 0)
            let slot = Int(minSlot[target])
            let evicted = slotHolder[slot]
            slotHolder[slot] = person32
            personSlot[person] = Int32(slot)
            personValue[person] = targetValue
            setPrice(slot, minPrice[target] &+ (best &- runnerUp) &+ epsilon)
            if evicted >= 0 {
                personSlot[Int(evicted)] = -1
                push(evicted)
            }
        }

        // Reverse: empty slots with a price above 0 bid for the mentee they suit best.
        reverseCount = 0
        for slot in 0..<slotCount { queued[slot] = false }
        for slot in 0..<slotCount { pushReverse(slot) }
        for list in 0..<shortlists { shortlistRead[list] = false }  // profits changed in the forward stage
        while reverseCount > 0 {
            reverseCount -= 1
            let slot = Int(reverseQueue[reverseCount])
            queued[slot] = false
            guard slotHolder[slot] < 0, slotPrice[slot] > 0 else { continue }
            reverseBids += 1
            let best = reverseChoice(Int(slotMentor[slot]))
            let (chosen, chosenValue, first, second) = (best.chosen, best.value, best.first, best.second)
            if chosen < 0 || first <= 0 {
                // Nobody gains from this place: it stays empty, at price 0.
                setPrice(slot, 0)
                continue
            }
            let price = max(0, max(second, 0) &- epsilon)
            let previous = Int(personSlot[chosen])
            if previous >= 0 {
                slotHolder[previous] = -1
                release(previous)
                pushReverse(previous)
            }
            slotHolder[slot] = Int32(chosen)
            personSlot[chosen] = Int32(slot)
            personValue[chosen] = chosenValue
            setPrice(slot, price)
        }
    }

    func result(phases: Int, epsilon: Int64) -> AuctionSolver.Result {
        var mentorOf = [Int32](repeating: -1, count: n)
        for e in 0..<n where personSlot[e] >= 0 { mentorOf[e] = slotMentor[Int(personSlot[e])] }
        var mentorPrice = [Int64](repeating: 0, count: mentors)
        for j in 0..<mentors where slotStart[j + 1] > slotStart[j] {
            refreshMentor(j)
            mentorPrice[j] = max(0, minPrice[j])
        }
        return AuctionSolver.Result(
            mentorOf: mentorOf, mentorPrice: mentorPrice,
            slotPrices: Array(UnsafeBufferPointer(start: slotPrice, count: slotCount)),
            personSlots: Array(UnsafeBufferPointer(start: personSlot, count: n)), phases: phases, bids: bids, epsilon: epsilon
        )
    }
}
