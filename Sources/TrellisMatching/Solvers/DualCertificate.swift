/// The proof that an assignment is optimal, checked rather than trusted (see `AuctionSolver`).
///
/// With a price `p` per mentor (the dual of their capacity, never negative) and for each mentee a
/// profit `u = max(0, best value − price over the mentee's arcs)`, every arc satisfies
/// `u + p ≥ value` (an arc to a mentor without places by taking that mentor's price as high as
/// it needs to be, which costs the bound nothing), so `Σu + Σ capacity·p` bounds every feasible
/// assignment's value from above (weak duality). Its distance from this assignment's value is the sum of the complementary-slackness
/// gaps: for a matched mentee `u + p − value` of its pair, for an unmatched one `u`, and for each
/// mentor `p` times their empty places. Below one scaled unit (`ValueScale.scale`), no assignment
/// is better by a whole score unit: this one is optimal.
enum DualCertificate {
    /// Each mentee's profit against `prices` (0 for those `skipping`, and for those whose best
    /// arc is worth no more than its price). An arc to a mentor without places counts for
    /// nothing: such a mentor's price may be as high as it takes, at no cost to the bound
    /// (their places times their price). Without this, a pair table listing a mentor of capacity 0
    /// was not proven optimal whenever such a pair was worth more to its mentee than the profit
    /// the solver left them (an unmatched mentee with such a pair, say).
    static func profits(_ problem: SparseProblem, values: [Int64], prices: [Int64], skipping: Set<Int> = []) -> [Int64] {
        var profit = [Int64](repeating: 0, count: problem.menteeCount)
        for e in 0..<problem.menteeCount where !skipping.contains(e) {
            var best: Int64 = 0
            for arc in problem.arcs(of: e) where problem.capacity[Int(problem.arcMentor[arc])] > 0 {
                best = max(best, values[arc] - prices[Int(problem.arcMentor[arc])])
            }
            profit[e] = best
        }
        return profit
    }

    /// Whether the gap between the dual bound and the assignment `mentorOf` (a mentor per mentee,
    /// or -1) is below one scaled unit; false if the assignment is not feasible (a pair not in
    /// the problem, a mentor given more mentees than places), a price is negative, any term is
    /// negative or the sum overflows. Mentees `skipping` (placed beforehand, outside the
    /// problem) count for nothing.
    static func proves(
        _ problem: SparseProblem, values: [Int64], prices: [Int64], profits: [Int64], mentorOf: [Int32], skipping: Set<Int> = [],
        scale: ValueScale
    ) -> Bool {
        var gap: Int64 = 0
        func add(_ amount: Int64) -> Bool {
            let (sum, overflow) = gap.addingReportingOverflow(amount)
            if overflow || amount < 0 { return false }
            gap = sum
            return true
        }
        var load = [Int32](repeating: 0, count: problem.mentorCount)
        for e in 0..<problem.menteeCount where !skipping.contains(e) {
            let m = mentorOf[e]
            if m >= 0 {
                guard let arc = problem.arc(of: e, to: m) else { return false }
                load[Int(m)] += 1
                guard add(profits[e] + prices[Int(m)] - values[arc]) else { return false }
            } else {
                guard add(profits[e]) else { return false }
            }
        }
        for m in 0..<problem.mentorCount {
            guard load[m] <= problem.capacity[m], prices[m] >= 0 else { return false }
            guard problem.capacity[m] > load[m] else { continue }
            let (slack, overflow) = prices[m].multipliedReportingOverflow(by: Int64(problem.capacity[m] - load[m]))
            guard !overflow, add(slack) else { return false }
        }
        return gap < scale.scale
    }
}

/// Mentee-proposing deferred acceptance with capacities (Gale and Shapley): the mentee-optimal
/// stable assignment. No mentee and mentor would both rather be together than with what they got.
enum DeferredAcceptance {
    /// - Parameters:
    ///   - proposals: for each mentee, the mentors they would accept, best first (empty for a
    ///     mentee who takes no part).
    ///   - worse: whether mentor `m` likes mentee `a` less than mentee `b` (a strict order over
    ///     the mentees who propose to `m`).
    /// - Returns: the mentees each mentor holds at the end.
    static func run(proposals: [[Int]], capacity: [Int32], worse: (_ m: Int, _ a: Int, _ b: Int) -> Bool) -> [[Int]] {
        var next = [Int](repeating: 0, count: proposals.count)
        var held = [[Int]](repeating: [], count: capacity.count)
        var free = Array(proposals.indices.reversed())
        while let e = free.popLast() {
            guard next[e] < proposals[e].count else { continue }
            let m = proposals[e][next[e]]
            next[e] += 1
            guard capacity[m] > 0 else { free.append(e); continue }
            held[m].append(e)
            if held[m].count > Int(capacity[m]) {
                // The one this mentor likes least goes back to proposing.
                let worst = held[m].min { worse(m, $0, $1) }!
                held[m].removeAll { $0 == worst }
                free.append(worst)
            }
        }
        return held
    }
}
