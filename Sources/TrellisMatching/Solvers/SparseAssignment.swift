import Foundation

/// The solver on its own, for a sparse problem given as pairs: used to compare it with other
/// solvers on exactly the same graph.
public enum SparseAssignment {
    /// The best total of (mentee, mentor, score in millionths) pairs under capacities, each mentee at most once.
    public static func solveTotal(mentees: Int, capacities: [Int32], pairs: [(Int, Int, Int64)]) throws -> Int64 {
        let problem = SparseProblem(menteeCount: mentees, capacity: capacities, pairs: pairs.map { (mentee: $0.0, mentor: $0.1, score: $0.2) })
        guard let scale = ValueScale(menteeCount: mentees, capacity: capacities, maxScore: problem.maxScore, objective: .score, unit: ValueScale.unit(of: problem.arcScore)) else {
            throw MatchInputError("The scores are too large to solve exactly.")
        }
        let result = AuctionSolver(problem, values: scale.values(of: problem)).solve()
        return (0..<mentees).reduce(0) { $0 + (problem.score(of: $1, in: result.mentorOf) ?? 0) }
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
