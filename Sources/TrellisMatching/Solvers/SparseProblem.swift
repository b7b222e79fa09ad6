/// A sparse capacitated assignment problem, the form every solver here reads: each mentee's
/// allowed mentors with the pair's score, as arcs by mentee (compressed rows: mentee `e`'s arcs
/// are `arcStart[e]..<arcStart[e + 1]`, each leading to `arcMentor` with `arcScore`), and each
/// mentor's capacity. Each mentee takes at most one mentor, each mentor at most their capacity.
struct SparseProblem: Sendable {
    var capacity: [Int32]
    var arcStart: [Int]
    var arcMentor: [Int32]
    /// In millionths (`ScoreUnits`), never negative.
    var arcScore: [Int64]

    var menteeCount: Int { arcStart.count - 1 }
    var mentorCount: Int { capacity.count }
    var arcCount: Int { arcMentor.count }

    init(capacity: [Int32], arcStart: [Int], arcMentor: [Int32], arcScore: [Int64]) {
        precondition(arcStart.first == 0 && arcStart.last == arcMentor.count && arcMentor.count == arcScore.count)
        self.capacity = capacity
        self.arcStart = arcStart
        self.arcMentor = arcMentor
        self.arcScore = arcScore
    }

    /// From pairs in any order; each mentee's arcs in the order of their mentors (so that nothing
    /// depends on the order the pairs came in). A pair listed twice is the caller's to refuse.
    init(menteeCount: Int, capacity: [Int32], pairs: [(mentee: Int, mentor: Int, score: Int64)]) {
        var arcStart = [Int](repeating: 0, count: menteeCount + 1)
        for pair in pairs { arcStart[pair.mentee + 1] += 1 }
        for e in 0..<menteeCount { arcStart[e + 1] += arcStart[e] }
        var fill = arcStart
        var arcMentor = [Int32](repeating: 0, count: pairs.count), arcScore = [Int64](repeating: 0, count: pairs.count)
        for pair in pairs {
            arcMentor[fill[pair.mentee]] = Int32(pair.mentor)
            arcScore[fill[pair.mentee]] = pair.score
            fill[pair.mentee] += 1
        }
        for e in 0..<menteeCount where arcStart[e + 1] - arcStart[e] > 1 {
            let range = arcStart[e]..<arcStart[e + 1]
            let sorted = range.map { (arcMentor[$0], arcScore[$0]) }.sorted { $0.0 < $1.0 }
            for (offset, arc) in sorted.enumerated() {
                arcMentor[range.lowerBound + offset] = arc.0
                arcScore[range.lowerBound + offset] = arc.1
            }
        }
        self.init(capacity: capacity, arcStart: arcStart, arcMentor: arcMentor, arcScore: arcScore)
    }

    @inline(__always) func arcs(of mentee: Int) -> Range<Int> { arcStart[mentee]..<arcStart[mentee + 1] }

    /// The arc from `mentee` to `mentor`, if the pair is allowed.
    func arc(of mentee: Int, to mentor: Int32) -> Int? { arcs(of: mentee).first { arcMentor[$0] == mentor } }

    /// The score of an assigned pair (the mentor of each mentee, or -1: a solver's answer).
    func score(of mentee: Int, in mentorOf: [Int32]) -> Int64? {
        guard mentorOf[mentee] >= 0, let arc = arc(of: mentee, to: mentorOf[mentee]) else { return nil }
        return arcScore[arc]
    }

    /// The highest score of any arc (0 with none).
    var maxScore: Int64 { arcScore.max() ?? 0 }
}

/// How the exact solver sees scores: as values scaled so that a solution within ε = 1 of the
/// optimum (what the auction reaches) is the optimum, plus, for the participation objective, a
/// bonus per matched mentee larger than any total score (so that matching one more person always
/// wins). One definition for the engine, the pair-table matcher and the bare solver.
struct ValueScale: Sendable {
    /// More than the number of mentees and mentor places together, so that ε = 1 is exact.
    let scale: Int64
    let bonus: Int64
    /// What every score is divided by first (`unit(of:)`): 1 unless the problem is closed.
    let unit: Int64

    /// Nil when the largest value would not leave the solver room to add prices without
    /// overflowing (scores too large for the number of people).
    ///
    /// `unit`: a number every score the solver will ever see is a multiple of. Dividing by it
    /// changes no comparison between two assignments, so the optimum stays exact, and it keeps
    /// the values small: a pair table of n mentees all scoring 1000 for one mentor of n places
    /// was refused under participation from n = 16,977 (values of about 4 × 10⁹ n²), and with
    /// the unit (10⁹ there) is solved at any size. The engine passes 1: its proof adds pairs
    /// whose scores it has not seen.
    init?(menteeCount: Int, capacity: [Int32], maxScore: Int64, objective: MatchObjective, unit: Int64 = 1) {
        precondition(unit >= 1, "a unit of at least 1")
        self.unit = unit
        let top = maxScore / unit
        scale = 2 * (Int64(menteeCount) + capacity.reduce(0) { $0 + Int64($1) }) + 2
        var bonus: Int64 = 0
        if objective == .participation {
            let (product, overflow) = top.multipliedReportingOverflow(by: Int64(max(1, menteeCount)))
            if overflow { return nil }
            bonus = product + 1
        }
        self.bonus = bonus
        let (largest, overflow) = (top + bonus).multipliedReportingOverflow(by: scale)
        if overflow || largest > Int64.max / 8 { return nil }
    }

    /// The greatest common divisor of the scores (1 when there are none or all are 0): the unit
    /// of a closed problem, one whose pairs are all given at the start.
    static func unit(of scores: [Int64]) -> Int64 {
        var divisor: UInt64 = 0
        for score in scores where score != 0 {
            var (a, b) = (divisor, score.magnitude)
            while b != 0 { (a, b) = (b, a % b) }
            divisor = a
            if divisor == 1 { return 1 }
        }
        return divisor == 0 || divisor > UInt64(Int64.max) ? 1 : Int64(divisor)
    }

    @inline(__always) func value(_ score: Int64) -> Int64 { (score / unit + bonus) * scale }

    /// The value of every arc of a problem, for the solver.
    func values(of problem: SparseProblem) -> [Int64] { problem.arcScore.map(value) }
}
