import Foundation

/// The solver on its own, for a sparse problem given as pairs: used to compare it with other
/// solvers on exactly the same graph.
public enum SparseAssignment {
    /// The best total of (mentee, mentor, score in millionths) pairs under capacities, each mentee at most once.
    public static func solveTotal(mentees: Int, capacities: [Int32], pairs: [(Int, Int, Int64)]) throws -> Int64 {
        var arcStart = [Int](repeating: 0, count: mentees + 1)
        for pair in pairs { arcStart[pair.0 + 1] += 1 }
        for e in 0..<mentees { arcStart[e + 1] += arcStart[e] }
        var fill = arcStart
        var arcMentor = [Int32](repeating: 0, count: pairs.count), arcScore = [Int64](repeating: 0, count: pairs.count)
        for pair in pairs { arcMentor[fill[pair.0]] = Int32(pair.1); arcScore[fill[pair.0]] = pair.2; fill[pair.0] += 1 }
        let scale = 2 * (Int64(mentees) + capacities.reduce(0) { $0 + Int64($1) }) + 2
        let solver = AuctionSolver(menteeCount: mentees, capacity: capacities, arcStart: arcStart, arcMentor: arcMentor, arcValue: arcScore.map { $0 * scale })
        let result = solver.solve()
        var total: Int64 = 0
        for e in 0..<mentees where result.mentorOf[e] >= 0 {
            for arc in arcStart[e]..<arcStart[e + 1] where arcMentor[arc] == result.mentorOf[e] { total += arcScore[arc] }
        }
        return total
    }
}

extension MatchEngine {
    /// Writes the sparse candidate graph: a line "mentees mentors", one capacity per mentor,
    /// then "mentee mentor score" per pair (scores in millionths).
    public func exportCandidateGraph(to path: String) throws {
        let (_, capacityLeft) = try lockedPairs()
        let graph = CandidateGraph.build(instance, capacityLeft: capacityLeft, progress: nil)
        var text = "\(menteeCount) \(mentorCount)\n"
        for capacity in capacityLeft { text += "\(capacity)\n" }
        for e in 0..<menteeCount {
            for arc in graph.arcStart[e]..<graph.arcStart[e + 1] { text += "\(e) \(graph.arcMentor[arc]) \(graph.arcScore[arc])\n" }
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
