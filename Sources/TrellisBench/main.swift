// trellis-bench: measures the matching engine on seeded synthetic cohorts (see
// SyntheticPopulation for the generator). Build it in release mode; it depends on the pure
// modules (and ConsoleKit for its command line) only, so that takes seconds:
//   swift run -c release trellis-bench [--sizes 1000,10000,100000] [--ratio 4] [--capacities 1-3]
//                                      [--shapes readme,flat,many-tags,large-departments,deep-lines,independent,hr-file,kinds|all]
//                                      [--candidates 25,50] [--export-graph FILE] [--solve-graph FILE]
//   trellis-bench --help
import ConsoleKit
import Foundation
import TrellisCore
import TrellisMatching
import TrellisFixtures

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct BenchCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "sizes", help: "Mentee counts to measure, comma-separated (default 1000,10000,100000).")
        var sizes: String?
        @Option(name: "ratio", help: "Mentees per mentor (default 4).")
        var ratio: String?
        @Option(name: "capacities", help: "Each mentor's places, a range such as 1-3 (the default) or one number.")
        var capacities: String?
        @Option(name: "shapes", help: "Population shapes, comma-separated, or all: \(SyntheticPopulation.Shape.all.map(\.name).joined(separator: ", ")) (default readme).")
        var shapes: String?
        @Option(name: "candidates", help: "Candidates kept per mentee and per mentor (default 25,50).")
        var candidates: String?
        @Option(name: "export-graph", help: "Writes the largest size's candidate graph to FILE (for scripts/compare-ortools.py).")
        var exportGraph: String?
        @Option(name: "solve-graph", help: "Times the solver alone on a graph written by --export-graph, and nothing else.")
        var solveGraph: String?
    }

    var help: String { "Measures the matching engine on seeded synthetic cohorts: time and peak memory of each phase, the proof, and greedy's gap." }

    struct UsageError: Error, CustomStringConvertible { var description: String }

    /// Whole numbers from a comma- or dash-separated list, each within `range`, or a message naming the option.
    static func numbers(_ raw: String, option: String, separator: Character = ",", count: ClosedRange<Int>, range: ClosedRange<Int>) throws -> [Int] {
        let parts = raw.split(separator: separator, omittingEmptySubsequences: false)
        let values = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard values.count == parts.count, count.contains(values.count), values.allSatisfy(range.contains) else {
            throw UsageError(description: "--\(option): “\(raw)” is not \(count.upperBound == 1 ? "a whole number" : "\(count.lowerBound == count.upperBound ? "\(count.lowerBound)" : "1 to \(count.upperBound)") whole numbers separated by “\(separator)”") from \(range.lowerBound) to \(range.upperBound).")
        }
        return values
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        if let file = signature.solveGraph { return try Self.solveGraph(file) }
        let sizes = try Self.numbers(signature.sizes ?? "1000,10000,100000", option: "sizes", count: 1...100, range: 1...10_000_000)
        let ratio = try Self.numbers(signature.ratio ?? "4", option: "ratio", count: 1...1, range: 1...1_000)[0]
        let capacityParts = try Self.numbers(signature.capacities ?? "1-3", option: "capacities", separator: "-", count: 1...2, range: 0...1_000)
        guard capacityParts[0] <= capacityParts[capacityParts.count - 1] else { throw UsageError(description: "--capacities: the range \(capacityParts[0])-\(capacityParts[1]) runs backwards.") }
        let capacities = capacityParts[0]...capacityParts[capacityParts.count - 1]
        let candidateCounts = try Self.numbers(signature.candidates ?? "25,50", option: "candidates", count: 2...2, range: 1...100_000)
        let shapeNames = signature.shapes ?? "readme"
        let shapes = shapeNames == "all" ? SyntheticPopulation.Shape.all : try shapeNames.split(separator: ",").map { name in
            guard let shape = SyntheticPopulation.Shape.all.first(where: { $0.name == name }) else {
                throw UsageError(description: "--shapes: “\(name)” is not one of \(SyntheticPopulation.Shape.all.map(\.name).joined(separator: ", ")), or all.")
            }
            return shape
        }
        try Self.measure(sizes: sizes, ratio: ratio, capacities: capacities, candidateCounts: candidateCounts, shapes: shapes, exportPath: signature.exportGraph)
    }

    /// The solver's trace on standard error when `TRELLIS_AUCTION_TRACE` is set.
    static let solverTrace = SolverTrace.fromEnvironment()

    /// Times the solver alone on a graph written by --export-graph (for the OR-Tools comparison).
    static func solveGraph(_ file: String) throws {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        var lines = text.split(separator: "\n")
        func bad() -> UsageError { UsageError(description: "--solve-graph: \(file) is not a graph written by --export-graph.") }
        guard !lines.isEmpty else { throw bad() }
        let header = lines.removeFirst().split(separator: " ").compactMap { Int($0) }
        guard header.count >= 2, lines.count >= header[1] else { throw bad() }
        let (mentees, mentors) = (header[0], header[1])
        let capacities = try lines.prefix(mentors).map { line in try Int32(line).orThrow(bad()) }
        var pairs: [(Int, Int, Int64)] = []
        for line in lines.dropFirst(mentors) {
            let parts = line.split(separator: " ")
            guard parts.count == 3, let e = Int(parts[0]), let m = Int(parts[1]), let w = Int64(parts[2]) else { throw bad() }
            pairs.append((e, m, w))
        }
        let clock = ContinuousClock()
        var best = Duration.seconds(1_000_000)
        var total: Int64 = 0
        for _ in 0..<3 {
            let start = clock.now
            total = try SparseAssignment.solveTotal(mentees: mentees, capacities: capacities, pairs: pairs)
            best = min(best, clock.now - start)
        }
        print("trellis solve: \(pairs.count) arcs, total \(ScoreUnits.format(total)), best of 3: \(String(format: "%.3f", best.inSeconds)) s")
    }

    static func measure(sizes: [Int], ratio: Int, capacities: ClosedRange<Int>, candidateCounts: [Int], shapes: [SyntheticPopulation.Shape], exportPath: String?) throws {
        print("Trellis matching benchmark — \(ProcessInfo.processInfo.activeProcessorCount) cores, mentees:mentors \(ratio):1, capacities \(capacities.lowerBound)–\(capacities.upperBound), candidates \(candidateCounts[0]) per mentee and \(candidateCounts[1]) per mentor")
        print("shape              size      people   eligible pairs  candidates  prep(s) score(s) lists(s) solve(s) proof(s) total(s)  peak MiB: scoring solve  proof  optimal total     proven  greedy gap")
        for shape in shapes {
            for size in sizes {
                let people = SyntheticPopulation.make(mentees: size, mentors: max(1, size / ratio), shape: shape, capacities: capacities, seed: UInt64(size))
                let clock = ContinuousClock()
                let start = clock.now
                let engine = try MatchEngine(participants: people, options: MatchOptions(menteeCandidates: candidateCounts[0], mentorCandidates: candidateCounts[1]))
                let prepare = clock.now - start
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
                print(String(
                    format: "%-18@ %-8ld %8ld %16ld %11ld %7.2f %8.2f %8.2f %8.2f %8.2f %8.2f %18.0f %6.0f %6.0f  %14@ %7@ %9.2f%%",
                    shape.name.padding(toLength: 18, withPad: " ", startingAt: 0) as NSString, size, optimal.people, optimal.eligiblePairs, optimal.candidatePairs, prepare.inSeconds, t.scoring, t.candidates, t.solve, t.proof,
                    t.total + prepare.inSeconds, peaks.values[.scoring] ?? 0, peaks.values[.solving] ?? 0, peaks.values[.proving] ?? 0,
                    ScoreUnits.format(optimal.totalScore) as NSString,
                    (optimal.provenOptimal ? "yes" : "no") as NSString, gap
                ))
                if let exportPath, size == sizes.last {
                    try engine.exportCandidateGraph(to: exportPath)
                    print("candidate graph written to \(exportPath)")
                }
            }
        }
    }
}

func peakMemoryMiB() -> Double {
    var usage = rusage()
    #if os(Linux)
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
    #else
    getrusage(RUSAGE_SELF, &usage)
    return Double(usage.ru_maxrss) / 1024 / 1024
    #endif
}

/// The process's peak resident memory at the end of each phase (the first time it ends).
final class PhasePeaks: @unchecked Sendable {
    let lock = NSLock()
    var values: [MatchEngine.Phase: Double] = [:]
    func ended(_ phase: MatchEngine.Phase) {
        lock.lock(); defer { lock.unlock() }
        if values[phase] == nil { values[phase] = peakMemoryMiB() }
    }
}

extension Optional {
    func orThrow(_ error: @autoclosure () -> some Error) throws -> Wrapped {
        guard let self else { throw error() }
        return self
    }
}

do {
    try await Terminal().run(BenchCommand(), input: CommandInput(arguments: CommandLine.arguments))
} catch {
    FileHandle.standardError.write(Data("trellis-bench: \(error)\nSee trellis-bench --help.\n".utf8))
    exit(error is BenchCommand.UsageError || error is CommandError ? 2 : 1)
}
