import Foundation

/// The best assignment between kinds of people, and its prices: where to start the auction on
/// data of a few kinds (people who score alike with anyone, `AlikeGroups`).
///
/// On such data the candidate lists of a kind name the same few mentors of the kind it likes
/// best, the first solve prices those few high and leaves the rest of that kind at 0, and the
/// proof then finds nearly every other pair of the two kinds better: prices settle over many
/// rounds (100,000 mentees and 25,000 mentors of sixty kinds each: 21 rounds, 117 s). Taken a
/// kind at a time the same problem is small — sixty kinds of mentee, each wanting as many places
/// as it has people, and sixty kinds of mentor offering their places — and `GroupFlow` solves it
/// exactly. Its prices are a price per kind of mentor; every allowed pair of two kinds is worth
/// the same, so with the kinds' assignment spread over their people, every pair of the whole
/// problem holds the proof's rule at these prices, unless a hard rule (a department, a reporting
/// line, an exclusion: these differ within a kind) kept someone from the place the kinds' answer
/// gave them. The auction starts from there, with ε the largest amount by which the start is off
/// (someone below their best, or a place left empty at a price above 0), and settles what the hard
/// rules moved.
struct GroupedStart {
    /// The pairs of the assignment (to add to the candidate graph), by mentee.
    var pairs: [(mentee: Int, mentor: Int, score: Int64)]
    /// Each mentor's price: the price of their kind.
    var price: [Int64]
    /// How many kinds of mentee and of mentor, how many places the kinds' answer fills, and how
    /// many of those were given to someone (the rest were kept from it by a hard rule).
    var menteeKinds: Int, mentorKinds: Int, flow: Int, placed: Int

    /// At most this many pairs of kinds: the flow's work grows with them (sixty by sixty takes a
    /// few milliseconds), and beyond it the kinds are not few.
    static let maxKindPairs = 20_000
    /// At most this many kinds on either side: the flow's searches grow with the kinds (20,000
    /// kinds of mentee for one kind of mentor would be as many searches over 60,000 edges).
    static let maxKinds = 1_000

    /// Price 0 for each mentor with a place for everyone who has a pair with them in `problem`:
    /// the auction keeps such a mentor's places at 0 (`AuctionState.open`; nobody competes for
    /// them), and a place held at another price would leave its holder's profit and the
    /// mentor's price out of step.
    mutating func freeOpenMentors(_ problem: SparseProblem) {
        var pairs = [Int](repeating: 0, count: problem.capacity.count)
        for mentor in problem.arcMentor { pairs[Int(mentor)] += 1 }
        for j in problem.capacity.indices where problem.capacity[j] > 0 && Int(problem.capacity[j]) >= pairs[j] { price[j] = 0 }
    }

    /// The auction's warm state: every slot of a mentor at the mentor's price, and each mentee's
    /// slot (-1 for none). `capacity` is the problem's, which lays out the slots. `emptyPrice`:
    /// the highest price of a slot left empty (a place the kinds' answer gave that a hard rule
    /// kept from everyone), by which the start is off as much as by a mentee below their best.
    func warmState(capacity: [Int32], menteeCount: Int) -> (prices: [Int64], slots: [Int32], emptyPrice: Int64) {
        var slotStart = [Int](repeating: 0, count: capacity.count + 1)
        for j in capacity.indices { slotStart[j + 1] = slotStart[j] + Int(max(0, capacity[j])) }
        var prices = [Int64](repeating: 0, count: slotStart[capacity.count])
        for j in capacity.indices { for slot in slotStart[j]..<slotStart[j + 1] { prices[slot] = price[j] } }
        var used = [Int](repeating: 0, count: capacity.count)
        var slots = [Int32](repeating: -1, count: menteeCount)
        for pair in pairs {
            // `groupedStart` gives no mentor more than their places (a test checks it).
            assert(used[pair.mentor] < Int(max(0, capacity[pair.mentor])), "a mentor given more than their places")
            guard used[pair.mentor] < Int(max(0, capacity[pair.mentor])) else { continue }
            slots[pair.mentee] = Int32(slotStart[pair.mentor] + used[pair.mentor])
            used[pair.mentor] += 1
        }
        var emptyPrice: Int64 = 0
        for j in capacity.indices where used[j] < Int(max(0, capacity[j])) { emptyPrice = max(emptyPrice, price[j]) }
        return (prices, slots, emptyPrice)
    }
}

extension MatchEngine {
    /// The grouped start for this run, or nil when the people are not of few kinds (more than
    /// `GroupedStart.maxKindPairs` pairs of kinds or `maxKinds` kinds a side, or not at least
    /// sixteen pairs of people per pair of kinds), when the flow does not finish within its
    /// bounds, or when hard rules kept a tenth or more of the kinds' assignment (or all of it)
    /// from being given out (the prices would then be a poor start).
    func groupedStart(run: CandidateRun, scale: ValueScale) -> GroupedStart? {
        guard instance.options.groupedStart else { return nil }
        let mentees = (0..<menteeCount).filter { !run.lockedMentees.contains($0) }
        let mentors = (0..<mentorCount).filter { run.capacityLeft[$0] > 0 }
        guard !mentees.isEmpty && !mentors.isEmpty else { return nil }
        // At most this many pairs of kinds (and so at most this many kinds of mentor, and of
        // mentee for each kind of mentor).
        let limit = min(GroupedStart.maxKindPairs, mentees.count * mentors.count / 16)
        let mentorLimit = min(limit, GroupedStart.maxKinds)
        // Mentors are counted first (the fewer, usually), and counting stops at the limit: on
        // people who are not of few kinds this costs a look at as many mentors as the limit. A
        // run that keeps pairs out of one department takes each kind's departments apart (often
        // a kind of people is a department's), unless that makes too many kinds.
        var byDepartment = instance.options.excludeSameDepartment
        let mentorRecords = ScoringKernel(instance, mentors: true)
        var (mentorKind, mentorKinds) = AlikeGroups.number(mentors, records: mentorRecords, byDepartment: byDepartment, limit: mentorLimit)
        if byDepartment && mentorKinds > mentorLimit {
            byDepartment = false
            (mentorKind, mentorKinds) = AlikeGroups.number(mentors, records: mentorRecords, limit: mentorLimit)
        }
        guard mentorKinds <= mentorLimit else { return nil }
        let menteeRecords = ScoringKernel(instance, mentors: false)
        func menteeLimit() -> Int { min(limit / mentorKinds, GroupedStart.maxKinds) }
        var (menteeKind, menteeKinds) = AlikeGroups.number(mentees, records: menteeRecords, byDepartment: byDepartment, limit: menteeLimit())
        if byDepartment && menteeKinds > menteeLimit() {
            byDepartment = false
            (mentorKind, mentorKinds) = AlikeGroups.number(mentors, records: mentorRecords, limit: mentorLimit)
            (menteeKind, menteeKinds) = AlikeGroups.number(mentees, records: menteeRecords, limit: menteeLimit())
        }
        guard menteeKinds <= menteeLimit() else { return nil }

        // Each kind's people in order, its first one standing for it.
        func members(_ kind: [Int32], _ kinds: Int, _ slots: [Int]) -> [[Int]] {
            var lists = [[Int]](repeating: [], count: kinds)
            for (index, slot) in slots.enumerated() { lists[Int(kind[index])].append(slot) }
            return lists
        }
        let menteesOf = members(menteeKind, menteeKinds, mentees), mentorsOf = members(mentorKind, mentorKinds, mentors)
        let layout = menteeRecords.layout
        let tables = ScoringTables(instance)
        var arcs: [GroupFlow.Arc] = []
        for g in 0..<menteeKinds {
            let mentee = menteeRecords.record(menteesOf[g][0])
            for h in 0..<mentorKinds {
                // The rule of `Layout.forbids`: people without a department are kept from nobody.
                let department = ScoringKernel.field(mentee, ScoringKernel.Field.department)
                if byDepartment && department >= 0 && department == ScoringKernel.field(mentorRecords.record(mentorsOf[h][0]), ScoringKernel.Field.department) { continue }
                let score = layout.unforbiddenScore(mentee: mentee, mentor: mentorRecords.record(mentorsOf[h][0]), tables: tables)
                if score >= 0 && score >= instance.minimumScore { arcs.append(GroupFlow.Arc(from: g, to: h, value: scale.value(score))) }
            }
        }
        let supply = menteesOf.map(\.count)
        let places = mentorsOf.map { $0.reduce(0) { $0 + Int(run.capacityLeft[$1]) } }
        guard let flow = GroupFlow(supply: supply, capacity: places, arcs: arcs) else { return nil }

        // The kinds' assignment given out: each kind of mentee's people in order, to the places
        // of each kind of mentor its flow goes to, mentor by mentor; someone a hard rule keeps
        // from a mentor tries the next few of that kind, and is otherwise tried with the next
        // kind of mentor its flow goes to.
        var left = run.capacityLeft
        // Per kind of mentor, its mentors; those from `first` on have places left.
        var open = mentorsOf
        var first = [Int](repeating: 0, count: mentorKinds)
        var pairs: [(mentee: Int, mentor: Int, score: Int64)] = []
        pairs.reserveCapacity(flow.total)
        let minimum = instance.minimumScore, excludeDepartment = instance.options.excludeSameDepartment
        let tries = 32
        var byKind = [[Int]](repeating: [], count: menteeKinds)
        for (index, arc) in arcs.enumerated() where flow.flow[index] > 0 { byKind[arc.from].append(index) }
        for g in 0..<menteeKinds {
            var waiting = menteesOf[g][...]
            var retry: [Int] = []
            for index in byKind[g] {
                let h = arcs[index].to
                var quota = flow.flow[index]
                var queue = retry + waiting
                retry = []
                var position = 0
                while quota > 0 && position < queue.count {
                    let e = queue[position]
                    position += 1
                    let record = menteeRecords.record(e)
                    let department = ScoringKernel.departmentRule(mentee: record, excludeSameDepartment: excludeDepartment)
                    var chosen = -1, chosenScore: Int64 = 0
                    for place in first[h]..<min(first[h] + tries, open[h].count) {
                        let m = open[h][place]
                        let score = layout.score(
                            mentee: record, mentor: mentorRecords.record(m), mentorSlot: Int32(m), tables: tables,
                            excluded: instance.exclusions[e], department: department)
                        if score >= 0 && score >= minimum { chosen = place; chosenScore = score; break }
                    }
                    guard chosen >= 0 else { retry.append(e); continue }
                    let m = open[h][chosen]
                    pairs.append((e, m, chosenScore))
                    quota -= 1
                    left[m] -= 1
                    if left[m] == 0 { open[h].swapAt(chosen, first[h]); first[h] += 1 }
                }
                queue.removeFirst(position)
                waiting = queue[...]
            }
        }
        guard !pairs.isEmpty, pairs.count * 10 >= flow.total * 9 else { return nil }
        pairs.sort { $0.mentee < $1.mentee }
        var price = [Int64](repeating: 0, count: mentorCount)
        for h in 0..<mentorKinds { for m in mentorsOf[h] { price[m] = flow.mentorDual[h] } }
        return GroupedStart(pairs: pairs, price: price, menteeKinds: menteeKinds, mentorKinds: mentorKinds, flow: flow.total, placed: pairs.count)
    }
}

/// The transportation problem between kinds, solved exactly: kind of mentee `g` has `supply[g]`
/// people who each take at most one place, kind of mentor `h` offers `capacity[h]` places, and a
/// place of `h` given to someone of `g` is worth the arc's value. The flow of largest total
/// value, by successive shortest paths (Bellman–Ford: costs are negative values), and its duals:
/// a profit per kind of mentee and a price per kind of mentor, never negative, with
/// `profit + price ≥ value` on every arc, equal on arcs that carry flow, a profit above 0 only
/// for a kind whose people all have a place and a price above 0 only for a kind whose places are
/// all given.
struct GroupFlow {
    struct Arc { var from: Int; var to: Int; var value: Int64 }
    /// The flow on each arc, in the order given.
    private(set) var flow: [Int]
    private(set) var total: Int
    private(set) var menteeDual: [Int64]
    private(set) var mentorDual: [Int64]

    /// Nil when a search does not finish within its bounds (which a correct graph never reaches).
    init?(supply: [Int], capacity: [Int], arcs: [Arc]) {
        let g = supply.count, h = capacity.count
        let source = 0, sink = g + h + 1, nodes = g + h + 2
        func menteeNode(_ k: Int) -> Int { 1 + k }
        func mentorNode(_ k: Int) -> Int { 1 + g + k }
        // The residual graph: edge 2i and its reverse 2i + 1.
        var head = [Int](repeating: -1, count: nodes), next: [Int] = [], to: [Int] = [], room: [Int] = [], cost: [Int64] = []
        func edge(_ a: Int, _ b: Int, _ capacity: Int, _ c: Int64) {
            for (x, y, r, w) in [(a, b, capacity, c), (b, a, 0, -c)] {
                to.append(y); room.append(r); cost.append(w); next.append(head[x]); head[x] = to.count - 1
            }
        }
        for k in 0..<g { edge(source, menteeNode(k), supply[k], 0) }
        let firstArc = to.count
        // Without a bound of their own: a bound that binds would have a dual of its own, which
        // the prices below leave out.
        let unbounded = Int.max / 4
        for arc in arcs { edge(menteeNode(arc.from), mentorNode(arc.to), unbounded, -arc.value) }
        for k in 0..<h { edge(mentorNode(k), sink, capacity[k], 0) }

        /// Shortest distances by Bellman–Ford with a queue, from `starts` at 0; nil after too
        /// many passes (a negative cycle).
        func distances(from starts: [Int], extra: (inout [Int64], inout [Bool], inout [Int]) -> Void = { _, _, _ in }) -> ([Int64], [Int])? {
            var distance = [Int64](repeating: Int64.max, count: nodes), via = [Int](repeating: -1, count: nodes)
            var queued = [Bool](repeating: false, count: nodes), visits = [Int](repeating: 0, count: nodes)
            var queue: [Int] = []
            for s in starts { distance[s] = 0; queued[s] = true; queue.append(s) }
            var at = 0
            while at < queue.count {
                let a = queue[at]
                at += 1
                queued[a] = false
                visits[a] += 1
                if visits[a] > nodes + 1 { return nil }
                var e = head[a]
                while e >= 0 {
                    let b = to[e]
                    guard room[e] > 0 else { e = next[e]; continue }
                    let (through, overflow) = distance[a].addingReportingOverflow(cost[e])
                    if overflow { return nil }
                    if through < distance[b] {
                        distance[b] = through; via[b] = e
                        if !queued[b] { queued[b] = true; queue.append(b) }
                    }
                    e = next[e]
                }
                var pending: [Int] = []
                extra(&distance, &queued, &pending)
                queue.append(contentsOf: pending)
                if at > 4096 && at * 2 > queue.count { queue.removeFirst(at); at = 0 }
            }
            return (distance, via)
        }

        var total = 0
        var augmentations = 0
        while true {
            guard let (distance, via) = distances(from: [source]) else { return nil }
            guard distance[sink] < 0 else { break }
            augmentations += 1
            if augmentations > 64 * (nodes + arcs.count) { return nil }
            var amount = Int.max, node = sink
            while node != source { let e = via[node]; amount = min(amount, room[e]); node = to[e ^ 1] }
            node = sink
            while node != source { let e = via[node]; room[e] -= amount; room[e ^ 1] += amount; node = to[e ^ 1] }
            total += amount
        }
        // Potentials: distances from every node at once over the residual graph, with the arc
        // from the sink back to the source (always there) and its reverse (when anything flows).
        guard let (potential, _) = distances(from: Array(0..<nodes), extra: { distance, queued, pending in
            if distance[sink] < distance[source] { distance[source] = distance[sink]; if !queued[source] { queued[source] = true; pending.append(source) } }
            if total > 0 && distance[source] < distance[sink] { distance[sink] = distance[source]; if !queued[sink] { queued[sink] = true; pending.append(sink) } }
        }) else { return nil }
        self.total = total
        flow = arcs.indices.map { room[firstArc + 2 * $0 + 1] }
        menteeDual = (0..<g).map { max(0, potential[menteeNode($0)] - potential[source]) }
        mentorDual = (0..<h).map { max(0, potential[sink] - potential[mentorNode($0)]) }
    }
}
