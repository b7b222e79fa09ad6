// trellis-bench: measures the matching engine on seeded synthetic cohorts (see
// SyntheticPopulation for the generator). Build it in release mode; it depends on the pure
// modules only, so that takes seconds:
//   swift run -c release trellis-bench [--sizes 1000,10000,100000] [--ratio 4] [--capacities 1-3]
//                                      [--shapes readme,flat,many-tags,large-departments,deep-lines,independent|all]
//                                      [--export-graph FILE] [--solve-graph FILE]
import Foundation
import TrellisCore
import TrellisMatching
import TrellisFixtures

/// With `TRELLIS_AUCTION_TRACE` set, the solver's phases and proof rounds on standard error.
let solverTrace: (@Sendable (String) -> Void)? = ProcessInfo.processInfo.environment["TRELLIS_AUCTION_TRACE"] == nil
    ? nil : { @Sendable line in FileHandle.standardError.write(Data((line + "\n").utf8)) }

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func peakMemoryMiB() -> Double {
    var usage = rusage()
    #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &usage)
    #else
    getrusage(RUSAGE_SELF, &usage)
    #endif
    #if os(Linux)
    return Double(usage.ru_maxrss) / 1024
    #else
    return Double(usage.ru_maxrss) / 1024 / 1024
    #endif
}

let arguments = Array(CommandLine.arguments.dropFirst())
@MainActor func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

if let file = option("--solve-graph") {
    // Times the solver alone on a graph written by --export-graph (for the OR-Tools comparison).
    let text = try String(contentsOfFile: file, encoding: .utf8)
    var lines = text.split(separator: "\n")
    let header = lines.removeFirst().split(separator: " ").map { Int($0)! }
    let (mentees, mentors) = (header[0], header[1])
    let capacities = lines.prefix(mentors).map { Int32($0)! }
    var pairs: [(Int, Int, Int64)] = []
    for line in lines.dropFirst(mentors) {
        let parts = line.split(separator: " ")
        pairs.append((Int(parts[0])!, Int(parts[1])!, Int64(parts[2])!))
    }
    let clock = ContinuousClock()
    var best = Duration.seconds(1_000_000)
    var total: Int64 = 0
    for _ in 0..<3 {
        let start = clock.now
        total = try SparseAssignment.solveTotal(mentees: mentees, capacities: capacities, pairs: pairs)
        best = min(best, clock.now - start)
    }
    print("trellis solve: \(pairs.count) arcs, total \(ScoreUnits.format(total)), best of 3: \(String(format: "%.3f", Double(best.components.seconds) + Double(best.components.attoseconds) / 1e18)) s")
    exit(0)
}

let sizes = (option("--sizes") ?? "1000,10000,100000").split(separator: ",").map { Int($0)! }
let ratio = Int(option("--ratio") ?? "4")!
let capacityParts = (option("--capacities") ?? "1-3").split(separator: "-").map { Int($0)! }
let capacities = capacityParts[0]...capacityParts[capacityParts.count - 1]
let exportPath = option("--export-graph")
let candidateCounts = (option("--candidates") ?? "25,50").split(separator: ",").map { Int($0)! }
let shapeNames = option("--shapes") ?? "readme"
let shapes = shapeNames == "all" ? SyntheticPopulation.Shape.all : try shapeNames.split(separator: ",").map { name in
    guard let shape = SyntheticPopulation.Shape.all.first(where: { $0.name == name }) else {
        throw MatchInputError("--shapes: “\(name)” is not one of \(SyntheticPopulation.Shape.all.map(\.name).joined(separator: ", ")), or all.")
    }
    return shape
}

print("Trellis matching benchmark — \(ProcessInfo.processInfo.activeProcessorCount) cores, mentees:mentors \(ratio):1, capacities \(capacities.lowerBound)–\(capacities.upperBound), candidates \(candidateCounts[0]) per mentee and \(candidateCounts[1]) per mentor")
/// The process's peak resident memory at the end of each phase (the first time it ends).
final class PhasePeaks: @unchecked Sendable {
    let lock = NSLock()
    var values: [TrellisMatching.MatchEngine.Phase: Double] = [:]
    func ended(_ phase: TrellisMatching.MatchEngine.Phase) {
        lock.lock(); defer { lock.unlock() }
        if values[phase] == nil { values[phase] = peakMemoryMiB() }
    }
}

print("shape              size      people   eligible pairs  candidates  score(s) lists(s) solve(s) proof(s) total(s)  peak MiB: scoring solve  proof  optimal total     proven  greedy gap")
for shape in shapes {
for size in sizes {
    let people = SyntheticPopulation.make(mentees: size, mentors: max(1, size / ratio), shape: shape, capacities: capacities, seed: UInt64(size))
    let clock = ContinuousClock()
    let start = clock.now
    let engine = try MatchEngine(participants: people, options: MatchOptions(menteeCandidates: candidateCounts[0], mentorCandidates: candidateCounts[1]))
    let prepare = (clock.now - start)
    let peaks = PhasePeaks()
    let optimal = try engine.optimal(progress: { phase, fraction in
        // A phase ends when the next one starts.
        if phase == .solving && fraction == 0 { peaks.ended(.scoring) }
        if phase == .proving && fraction == 0 { peaks.ended(.solving) }
    }, trace: solverTrace)
    peaks.ended(.proving)
    let greedy = try engine.greedy()
    let gap = optimal.totalScore == 0 ? 0 : 100 * Double(optimal.totalScore - greedy.totalScore) / Double(optimal.totalScore)
    let t = optimal.timings
    let prepareSeconds = Double(prepare.components.seconds) + Double(prepare.components.attoseconds) / 1e18
    print(String(
        format: "%-18@ %-8ld %8ld %16ld %11ld %8.2f %8.2f %8.2f %8.2f %8.2f %18.0f %6.0f %6.0f  %14@ %7@ %9.2f%%",
        shape.name.padding(toLength: 18, withPad: " ", startingAt: 0) as NSString, size, optimal.people, optimal.eligiblePairs, optimal.candidatePairs, t.scoring, t.candidates, t.solve, t.proof,
        t.total + prepareSeconds, peaks.values[.scoring] ?? 0, peaks.values[.solving] ?? 0, peaks.values[.proving] ?? 0,
        ScoreUnits.format(optimal.totalScore) as NSString,
        (optimal.provenOptimal ? "yes" : "no") as NSString, gap
    ))
    if let exportPath, size == sizes.last {
        try engine.exportCandidateGraph(to: exportPath)
        print("candidate graph written to \(exportPath)")
    }
}
}
