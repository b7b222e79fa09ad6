import Foundation
import TrellisCore
import TrellisMatching
import Vapor

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `trellis match`: runs the matching engine on CSV files, offline (no database, no server).
/// A ConsoleKit command like the others (the same options, `--help` from its signature), run
/// before Vapor starts because it needs no database:
///
///     trellis match people PEOPLE.csv --out MATCHES.csv [--algorithm optimal|stable|greedy]
///         [--objective score|participation] [--exclude-same-department] [--min-score X]
///         [--weights FILE.json] [--rankings RANKINGS.csv]
///     trellis match scores SCORES.csv --capacities CAPACITIES.csv --out MATCHES.csv
///         [--algorithm ...] [--objective ...]
struct MatchCommand: AsyncCommand {
    // Options first: ConsoleKit reads a signature in the order it is declared, and an argument
    // read before the options would take an option's value (`--out FILE people …`).
    struct Signature: CommandSignature {
        @Option(name: "out", help: "Where to write the matches (required; nothing is written if anything is wrong): mentee_email,mentor_email,score,reasons with unmatched mentees last and why, or mentee,mentor,score for a score table. A summary goes to standard output, a progress bar to a terminal.")
        var out: String?
        @Option(name: "algorithm", help: "optimal (default: the best total, proven), stable (people: needs --rankings; scores: ranks by score), or greedy (best pair first).")
        var algorithm: String?
        @Option(name: "objective", help: "score (default: the highest total score) or participation (most mentees matched, then the highest total).")
        var objective: String?
        @Flag(name: "exclude-same-department", help: "Never pair two people of the same department (people only).")
        var excludeSameDepartment: Bool
        @Option(name: "min-score", help: "Never make a pair scoring below this, from 0 to 1 (people only).")
        var minScore: String?
        @Option(name: "weights", help: "A JSON file of factor weights, e.g. {\"complementarity\": 0.5, \"timeZone\": 0.2}; keys: complementarity, sharedInterests, sharedValues, timeZone, language, meetingFrequency, experience (missing keys keep their defaults). People only.")
        var weights: String?
        @Option(name: "rankings", help: "ranker,ranked,rank (emails; rank 1 = first choice), for --algorithm stable with people.")
        var rankings: String?
        @Option(name: "capacities", help: "mentor,capacity: each mentor's places (scores only, required there).")
        var capacities: String?
        @Argument(name: "kind", help: "people: FILE is a people CSV (the columns of `trellis import people`). scores: FILE is mentee,mentor,score, and only those pairs are allowed (scores ≥ 0, at most 6 decimals).")
        var kind: String
        @Argument(name: "file", help: "The CSV file to match.")
        var file: String
    }

    var help: String {
        "Matches mentees with mentors from a people CSV or a score table, offline, and writes the pairs with their scores and reasons."
    }

    struct Failure: Error { var message: String; var code: Int32 }

    /// The solver's trace on standard error when `TRELLIS_AUCTION_TRACE` is set.
    static let solverTrace = SolverTrace.fromEnvironment()

    /// Runs `trellis match` with `arguments` (those after `match`) on a terminal console, without
    /// Vapor; returns the exit code: 0 done, 1 a problem in a file, 2 a problem in the command.
    static func run(_ arguments: [String]) async -> Int32 {
        do {
            try await Terminal().run(MatchCommand(), input: CommandInput(arguments: ["trellis match"] + prepared(arguments)))
            return 0
        } catch let exit as ExitCode {
            return exit.code  // the command said what went wrong
        } catch let failure as Failure {
            FileHandle.standardError.write(Data((failure.message + "\n").utf8))
            return failure.code
        } catch let error as CommandError {
            FileHandle.standardError.write(Data((usage(error.description).message + "\n").utf8))
            return 2
        } catch {
            FileHandle.standardError.write(Data("trellis match: \(error)\n".utf8))
            return 1
        }
    }

    /// The options that take a value, as the signature names them.
    static let valuedOptions: Set<String> = Set(Mirror(reflecting: Signature()).children.compactMap { ($0.value as? Option<String>).map { "--" + $0.name } })

    /// The arguments as ConsoleKit reads them. ConsoleKit takes a value starting with "-" for a
    /// missing one and leaves the option behind ("Input not recognized"): an option followed by
    /// nothing or by another option is named here, and a value such as "-0.5" is passed on
    /// escaped ("\-0.5", which ConsoleKit reads as "-0.5").
    static func prepared(_ arguments: [String]) throws -> [String] {
        var result = arguments
        for (index, argument) in arguments.enumerated() where valuedOptions.contains(argument) {
            let next = index + 1
            if next == arguments.count || arguments[next].hasPrefix("--") { throw usage("\(argument) needs a value.") }
            if arguments[next].hasPrefix("-") { result[next] = "\\" + arguments[next] }
        }
        return result
    }

    /// A mistake in the command line: exit code 2, with the two forms of the command.
    static func usage(_ message: String) -> Failure {
        Failure(message: """
        trellis match: \(message)
        Usage: trellis match people PEOPLE.csv --out MATCHES.csv [options]
               trellis match scores SCORES.csv --capacities CAPACITIES.csv --out MATCHES.csv [options]
        See trellis match --help for the options.
        """, code: 2)
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        do {
            try execute(signature)
        } catch let failure as Failure {
            FileHandle.standardError.write(Data((failure.message + "\n").utf8))
            throw ExitCode(failure.code)
        }
    }

    func execute(_ signature: Signature) throws {
        let usage = Self.usage
        guard let out = signature.out else { throw usage("--out is required: the file to write the matches to.") }
        guard !out.isEmpty else { throw usage("--out needs a file name.") }
        // The matches never replace a file they are made from.
        func resolved(_ path: String) -> String { URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path }
        for (option, input) in [("FILE", signature.file), ("--capacities", signature.capacities), ("--weights", signature.weights), ("--rankings", signature.rankings)] {
            if let input, resolved(input) == resolved(out) { throw usage("--out: “\(out)” is the \(option == "FILE" ? "file to match" : option + " file"); write the matches to another file.") }
        }
        // Where the matches go is checked before any work, so that a folder that does not exist
        // or cannot be written is found now rather than after matching.
        let outURL = URL(fileURLWithPath: out)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: outURL.path, isDirectory: &isFolder), isFolder.boolValue {
            throw usage("--out: “\(out)” is a folder; name a file to write the matches to.")
        }
        let folder = outURL.deletingLastPathComponent().path
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw usage("--out: the folder “\(folder)” does not exist.")
        }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw usage("--out: the folder “\(folder)” cannot be written to.")
        }
        let algorithm = try signature.algorithm.map { raw in
            guard let value = MatchAlgorithm(rawValue: raw) else { throw usage("--algorithm: “\(raw)” is not one of optimal, stable, greedy.") }
            return value
        } ?? .optimal
        let objective = try signature.objective.map { raw in
            guard let value = MatchObjective(rawValue: raw) else { throw usage("--objective: “\(raw)” is not one of score, participation.") }
            return value
        } ?? .score
        switch signature.kind {
        case "scores":
            guard let capacities = signature.capacities else { throw usage("a score table needs --capacities CAPACITIES.csv (mentor,capacity).") }
            for (option, given) in [("--weights", signature.weights != nil), ("--rankings", signature.rankings != nil), ("--min-score", signature.minScore != nil), ("--exclude-same-department", signature.excludeSameDepartment)] where given {
                throw usage("\(option) applies to people only; in a score table the scores and the allowed pairs are yours.")
            }
            try Self.matchScores(scoresPath: signature.file, capacitiesPath: capacities, out: out, algorithm: algorithm, objective: objective)
        case "people":
            if signature.capacities != nil { throw usage("--capacities goes with scores; a people file has its own capacity column.") }
            var options = MatchOptions(objective: objective, excludeSameDepartment: signature.excludeSameDepartment)
            if let raw = signature.minScore {
                guard let value = Double(raw), (0...1).contains(value) else { throw usage("--min-score: “\(raw)” is not a number from 0 to 1.") }
                options.minimumScore = value
            }
            if let path = signature.weights { options.weights = try Self.readWeights(path) }
            if algorithm == .stable && signature.rankings == nil { throw usage("--algorithm stable needs --rankings RANKINGS.csv (ranker,ranked,rank).") }
            if algorithm != .stable && signature.rankings != nil { throw usage("--rankings is used by --algorithm stable only.") }
            try Self.matchPeople(path: signature.file, out: out, algorithm: algorithm, options: options, rankingsPath: signature.rankings)
        default:
            throw usage("“\(signature.kind)” is not people or scores: write `trellis match people PEOPLE.csv …` or `trellis match scores SCORES.csv …`.")
        }
    }
}

extension MatchCommand {
    // MARK: Files

    /// The rows of a CSV file with exactly `columns` (in any order, `CSVTable`'s rules), each
    /// row's cells in the order of `columns` and trimmed, with its row number in the file.
    static func readTable(_ path: String, columns: [String]) throws -> [(row: Int, cells: [String])] {
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure(message: "\(path): cannot read the file.", code: 1) }
        var result: [(Int, [String])] = []
        do {
            try CSVTable.read(data, path: path, columns: columns) { row in
                result.append((row.number, columns.indices.map { row.string($0) }))
            }
        } catch let refusal as CSVTable.Refusal {
            throw Failure(message: refusal.message, code: 1)
        }
        return result
    }

    static func readWeights(_ path: String) throws -> MatchWeights {
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure(message: "\(path): cannot read the file.", code: 1) }
        if let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            let known = Set(MatchWeights.CodingKeys.allCases.map(\.rawValue))
            if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
                throw Failure(message: "\(path): unknown weight “\(unknown)”; allowed: \(known.sorted().joined(separator: ", ")).", code: 1)
            }
        }
        do {
            let weights = try JSONDecoder().decode(MatchWeights.self, from: data)
            let problems = weights.validate()
            if !problems.isEmpty { throw Failure(message: "\(path): \(problems.summary)", code: 1) }
            return weights
        } catch let failure as Failure {
            throw failure
        } catch let error as DecodingError {
            throw Failure(message: "\(path): \(TrellisErrorMiddleware.describe(error)) Weights are numbers, e.g. {\"complementarity\": 0.5}.", code: 1)
        }
    }

    static func write(_ rows: [[String]], header: [String], to path: String) throws {
        try write(lines: rows.map { CSVText.line($0.map(SpreadsheetSafety.escape)) }, header: header, to: path)
    }

    /// Writes the header and lines made by `CSVText.line` (cells already made safe with
    /// `SpreadsheetSafety.escape`), whole, to a temporary file that is then moved into place: an
    /// earlier file at the path is never left half written.
    static func write(lines: [String], header: [String], to path: String) throws {
        var bytes = Array(CSVText.line(header).utf8)
        bytes.reserveCapacity(bytes.count + lines.reduce(0) { $0 + $1.utf8.count })
        for line in lines { bytes += line.utf8 }
        do { try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw Failure(message: "\(path): cannot write the file (\(error.localizedDescription)).", code: 1)
        }
    }

    /// The output's lines for the pairs, each with its reasons, worked out on every core (the
    /// engine is safe to read from several threads), in the order of `pairs`.
    static func explainedLines(_ pairs: [MatchedPair], engine: MatchEngine) throws -> [String] {
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, pairs.count / 1_000))
        let parts = Parts(count: workers)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let range = (pairs.count * worker / workers)..<(pairs.count * (worker + 1) / workers)
            parts.set(worker, Result {
                try range.map { index in
                    let pair = pairs[index]
                    let explanation = try engine.explain(menteeID: pair.menteeID, mentorID: pair.mentorID)
                    let reasons = (pair.locked ? "Locked by a program manager. " : "") + explanation.summary
                    return CSVText.line([pair.menteeID, pair.mentorID, ScoreUnits.format(pair.score), reasons].map(SpreadsheetSafety.escape))
                }
            })
        }
        return try parts.results.flatMap { try $0.get() }
    }

    /// One result per worker, each written by its worker alone (separate elements of a buffer
    /// allocated before the workers start).
    private final class Parts: @unchecked Sendable {
        private let storage: UnsafeMutableBufferPointer<Result<[String], any Error>>
        init(count: Int) {
            storage = .allocate(capacity: count)
            storage.initialize(repeating: .success([]))
        }
        deinit { storage.deinitialize(); storage.deallocate() }
        func set(_ worker: Int, _ result: Result<[String], any Error>) { storage[worker] = result }
        var results: [Result<[String], any Error>] { Array(storage) }
    }

    // MARK: People

    static func matchPeople(path: String, out: String, algorithm: MatchAlgorithm, options: MatchOptions, rankingsPath: String?) throws {
        let clock = ContinuousClock()
        let readStart = clock.now
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure(message: "\(path): cannot read the file.", code: 1) }
        let parsed: PeopleTable.ParseResult
        do {
            let (header, rows) = try PeopleFile.read(try PeopleFile.decode(data))
            parsed = PeopleTable.parse(header: header, rows: rows)
        } catch let errors as ValidationErrors {
            throw Failure(message: "\(path): \(errors["file"] ?? errors.summary)", code: 1)
        }
        guard parsed.isValid else {
            throw Failure(message: "\(path): \(parsed.problems.count) problem\(parsed.problems.count == 1 ? "" : "s"); no matches were written.\n" + parsed.problems.map { "  \($0)" }.joined(separator: "\n"), code: 1)
        }
        let participants = parsed.records.map(Participant.init)
        var rankings: [Ranking] = []
        if let rankingsPath {
            let emails = Set(parsed.records.map(\.email))
            var problems: [String] = []
            for (row, cells) in try readTable(rankingsPath, columns: ["ranker", "ranked", "rank"]) {
                let ranker = EmailAddress.normalize(cells[0]), ranked = EmailAddress.normalize(cells[1])
                for (column, value) in [("ranker", ranker), ("ranked", ranked)] where !emails.contains(value) {
                    problems.append("\(rankingsPath): row \(row), column \(column), value “\(value.shownInMessage)”: not an email in \(path).")
                }
                guard let rank = Int(cells[2]), rank >= 1 else {
                    problems.append("\(rankingsPath): row \(row), column rank, value “\(cells[2].shownInMessage)”: must be a whole number, 1 or more (1 = first choice)."); continue
                }
                rankings.append(Ranking(ranker: ranker, ranked: ranked, rank: rank))
            }
            if !problems.isEmpty { throw Failure(message: problems.joined(separator: "\n"), code: 1) }
        }
        let readSeconds = (clock.now - readStart).inSeconds
        let prepareStart = clock.now
        let engine: MatchEngine
        do { engine = try MatchEngine(participants: participants, options: options) } catch let error as MatchInputError {
            throw Failure(message: "\(path): \(error.message)", code: 1)
        }
        let prepareSeconds = (clock.now - prepareStart).inSeconds
        let progress = ProgressBar()
        let result: MatchResult
        do {
            switch algorithm {
            case .optimal: result = try engine.optimal(progress: progress.report, trace: Self.solverTrace)
            case .greedy: result = try engine.greedy(progress: progress.report)
            case .stable: result = try engine.stable(rankings: rankings)
            }
        } catch let error as MatchInputError {
            progress.finish()
            throw Failure(message: "\(rankingsPath ?? path): \(error.message)", code: 1)
        }
        progress.finish()
        let explainStart = clock.now
        var lines = try explainedLines(result.pairs, engine: engine)
        for unmatched in result.unmatched { lines.append(CSVText.line([unmatched.menteeID, "", "", unmatched.reason.sentence].map(SpreadsheetSafety.escape))) }
        try write(lines: lines, header: ["mentee_email", "mentor_email", "score", "reasons"], to: out)
        let explainSeconds = (clock.now - explainStart).inSeconds
        printSummary(
            people: result.people, mentees: result.menteeCount, mentors: result.mentorCount, eligible: result.eligiblePairs,
            candidates: result.candidatePairs, matched: result.pairs.count, unmatched: result.unmatched.count,
            total: result.totalScore, algorithm: algorithm, proven: result.provenOptimal, addedByProof: result.pairsAddedByProof,
            phases: [("read", readSeconds), ("prepare", prepareSeconds), ("score", result.timings.scoring), ("candidates", result.timings.candidates), ("solve", result.timings.solve), ("proof", result.timings.proof), ("explain and write", explainSeconds)],
            out: out, withoutRole: participants.filter { $0.role == nil }.count
        )
    }

    // MARK: Scores

    static func matchScores(scoresPath: String, capacitiesPath: String, out: String, algorithm: MatchAlgorithm, objective: MatchObjective) throws {
        let clock = ContinuousClock()
        let readStart = clock.now
        // Mentors and mentees are numbered as they are read, and a pair is known by its two
        // numbers; the score file is read as bytes (`ScoreTable`).
        // The capacities first, as before; the score file's bytes are let go once read.
        func read() throws -> ScoreTable {
            guard let capacitiesData = FileManager.default.contents(atPath: capacitiesPath) else { throw Failure(message: "\(capacitiesPath): cannot read the file.", code: 1) }
            return try ScoreTable.read(scores: {
                guard let data = FileManager.default.contents(atPath: scoresPath) else { throw Failure(message: "\(scoresPath): cannot read the file.", code: 1) }
                return data
            }, scoresPath: scoresPath, capacities: capacitiesData, capacitiesPath: capacitiesPath)
        }
        var table: ScoreTable
        do {
            table = try read()
        } catch let refusal as CSVTable.Refusal {
            throw Failure(message: refusal.message, code: 1)
        } catch let problems as ScoreTable.Problems {
            let count = problems.lines.count
            throw Failure(message: "\(count) problem\(count == 1 ? "" : "s"); no matches were written.\n" + problems.lines.map { "  \($0)" }.joined(separator: "\n"), code: 1)
        }
        let readSeconds = (clock.now - readStart).inSeconds
        let matcher: PairTableMatcher
        do { matcher = try PairTableMatcher(mentees: table.mentees, mentors: table.mentors, capacities: table.capacities, arcs: table.arcs) } catch let error as MatchInputError {
            throw Failure(message: error.message, code: 1)
        }
        table.arcs = []  // the matcher has its own copy
        let outcome = try matcher.run(algorithm, objective: objective)
        let writeStart = clock.now
        try write(outcome.pairs.map { [$0.mentee, $0.mentor, ScoreUnits.format($0.score)] }, header: ["mentee", "mentor", "score"], to: out)
        printSummary(
            people: outcome.menteeCount + outcome.mentorCount, mentees: outcome.menteeCount, mentors: outcome.mentorCount,
            eligible: outcome.allowedPairs, candidates: outcome.allowedPairs, matched: outcome.pairs.count, unmatched: outcome.unmatched.count,
            total: outcome.totalScore, algorithm: algorithm, proven: outcome.provenOptimal, addedByProof: 0,
            phases: [("read", readSeconds), ("solve and proof", outcome.solveSeconds), ("write", (clock.now - writeStart).inSeconds)],
            out: out
        )
    }

    static func printSummary(
        people: Int, mentees: Int, mentors: Int, eligible: Int, candidates: Int, matched: Int, unmatched: Int, total: Int64,
        algorithm: MatchAlgorithm, proven: Bool, addedByProof: Int, phases: [(String, Double)], out: String, withoutRole: Int = 0
    ) {
        let mean = matched == 0 ? 0 : Double(total) / Double(matched) / Double(ScoreUnits.perOne)
        var lines = [
            "people:          \(people) (\(mentees) mentees, \(mentors) mentors" + (withoutRole > 0 ? ", \(withoutRole) without a mentoring role, in reporting lines only)" : ")"),
            "eligible pairs:  \(eligible)" + (candidates != eligible ? " (\(candidates) kept as candidates)" : ""),
            "matched:         \(matched)",
            "unmatched:       \(unmatched)",
            "total score:     \(ScoreUnits.format(total))",
            "mean score:      \(String(format: "%.6f", mean))",
        ]
        switch algorithm {
        case .optimal: lines.append("optimal:         \(proven ? "proven" : "NOT proven")" + (addedByProof > 0 ? " (the proof added \(addedByProof) pairs and re-solved)" : ""))
        case .greedy: lines.append("optimal:         not claimed (greedy)")
        case .stable: lines.append("optimal:         not claimed (stable matching)")
        }
        lines.append("time:            " + phases.map { "\($0.0) \(String(format: "%.3f", $0.1)) s" }.joined(separator: ", "))
        lines.append("written:         \(out)")
        print(lines.joined(separator: "\n"))
    }
}

/// A progress bar on standard error, only when it is a terminal.
final class ProgressBar: @unchecked Sendable {
    private let lock = NSLock()
    private let enabled = isatty(STDERR_FILENO) == 1
    private var lastDrawn = ""
    private var lastTime = Date.distantPast

    var report: @Sendable (MatchEngine.Phase, Double) -> Void {
        { [self] phase, fraction in draw(phase.rawValue, fraction) }
    }

    func draw(_ label: String, _ fraction: Double) {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        guard fraction >= 1 || now.timeIntervalSince(lastTime) > 0.1 else { return }
        lastTime = now
        let width = 30
        let filled = Int((fraction * Double(width)).rounded(.down))
        let line = "\r[\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] \(String(format: "%3d", Int(fraction * 100)))% \(label)   "
        if line != lastDrawn { FileHandle.standardError.write(Data(line.utf8)); lastDrawn = line }
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\(String(repeating: " ", count: 50))\r".utf8))
    }
}
