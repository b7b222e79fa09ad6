import Foundation
@testable import TrellisMatching

/// Exact references the engine is checked against: brute force for a handful of people, and a
/// plain successive-shortest-path min-cost flow (Bellman-Ford) over every allowed pair for a few
/// hundred. Both use the engine's own pair scores and rules, so only the optimisation is compared.
enum Reference {
    struct Pair { var mentee: Int; var mentor: Int; var score: Int64 }

    static func allowedPairs(_ engine: MatchEngine) -> [Pair] {
        var pairs: [Pair] = []
        let lockedMentees = Set(engine.instance.options.locks.compactMap { engine.menteeSlot($0.mentee) })
        for e in 0..<engine.menteeCount where !lockedMentees.contains(e) {
            for m in 0..<engine.mentorCount {
                if let score = engine.instance.eligibleScore(mentee: e, mentor: m) { pairs.append(Pair(mentee: e, mentor: m, score: score)) }
            }
        }
        return pairs
    }

    static func capacityLeft(_ engine: MatchEngine) -> [Int] {
        var capacity = engine.instance.mentorCapacity.map(Int.init)
        for lock in engine.instance.options.locks { if let m = engine.mentorSlot(lock.mentor) { capacity[m] -= 1 } }
        return capacity
    }

    /// (matched count, total score) of the best assignment by the objective.
    static func bruteForce(_ engine: MatchEngine, objective: MatchObjective) -> (count: Int, total: Int64) {
        let pairs = allowedPairs(engine)
        var byMentee = [[Pair]](repeating: [], count: engine.menteeCount)
        for pair in pairs { byMentee[pair.mentee].append(pair) }
        var capacity = capacityLeft(engine)
        var best: (count: Int, total: Int64) = (0, 0)
        func better(_ a: (count: Int, total: Int64), _ b: (count: Int, total: Int64)) -> Bool {
            objective == .participation ? (a.count, a.total) > (b.count, b.total) : a.total > b.total
        }
        func visit(_ e: Int, _ count: Int, _ total: Int64) {
            if e == engine.menteeCount {
                if better((count, total), best) { best = (count, total) }
                return
            }
            visit(e + 1, count, total)
            for pair in byMentee[e] where capacity[pair.mentor] > 0 {
                capacity[pair.mentor] -= 1
                visit(e + 1, count + 1, total + pair.score)
                capacity[pair.mentor] += 1
            }
        }
        visit(0, 0, 0)
        return best
    }

    /// Successive shortest paths on the full problem; stops when no augmenting path improves.
    static func minCostFlow(_ engine: MatchEngine, objective: MatchObjective) -> (count: Int, total: Int64) {
        minCostFlow(pairs: allowedPairs(engine), mentees: engine.menteeCount, capacities: capacityLeft(engine), objective: objective)
    }

    /// The same over given pairs and capacities (scores at most `ScoreUnits.perOne`).
    static func minCostFlow(pairs: [Pair], mentees n: Int, capacities: [Int], objective: MatchObjective) -> (count: Int, total: Int64) {
        let mentors = capacities.count
        let source = n + mentors, sink = source + 1, nodes = sink + 1
        let bonus: Int64 = objective == .participation ? ScoreUnits.perOne * Int64(n + 1) : 0
        var to: [Int] = [], capacity: [Int] = [], cost: [Int64] = [], head = [[Int]](repeating: [], count: nodes)
        func addEdge(_ u: Int, _ v: Int, _ cap: Int, _ c: Int64) {
            head[u].append(to.count); to.append(v); capacity.append(cap); cost.append(c)
            head[v].append(to.count); to.append(u); capacity.append(0); cost.append(-c)
        }
        for e in 0..<n { addEdge(source, e, 1, 0) }
        for m in 0..<mentors where capacities[m] > 0 { addEdge(n + m, sink, capacities[m], 0) }
        var pairEdge: [Int: Pair] = [:]
        for pair in pairs { pairEdge[to.count] = pair; addEdge(pair.mentee, n + pair.mentor, 1, -(pair.score + bonus)) }
        while true {
            var distance = [Int64](repeating: Int64.max, count: nodes), via = [Int](repeating: -1, count: nodes)
            var inQueue = [Bool](repeating: false, count: nodes)
            distance[source] = 0
            var queue = [source]; inQueue[source] = true
            var index = 0
            while index < queue.count {
                let u = queue[index]; index += 1; inQueue[u] = false
                for edge in head[u] where capacity[edge] > 0 && distance[u] + cost[edge] < distance[to[edge]] {
                    distance[to[edge]] = distance[u] + cost[edge]; via[to[edge]] = edge
                    if !inQueue[to[edge]] { inQueue[to[edge]] = true; queue.append(to[edge]) }
                }
            }
            guard distance[sink] < 0 else { break }
            var node = sink
            while node != source { let edge = via[node]; capacity[edge] -= 1; capacity[edge ^ 1] += 1; node = to[edge ^ 1] }
        }
        var count = 0, total: Int64 = 0
        for (edge, pair) in pairEdge where capacity[edge] == 0 { count += 1; total += pair.score }
        return (count, total)
    }
}
