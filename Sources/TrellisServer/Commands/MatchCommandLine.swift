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
///
///     trellis match PEOPLE.csv --out MATCHES.csv [--algorithm optimal|stable|greedy]
///         [--objective score|participation] [--exclude-same-department] [--min-score X]
///         [--weights FILE.json] [--rankings RANKINGS.csv]
///     trellis match --scores SCORES.csv --capacities CAPACITIES.csv --out MATCHES.csv
///         [--algorithm ...] [--objective ...]
enum MatchCommandLine {
    static let usage = """
    Usage:
      trellis match PEOPLE.csv --out MATCHES.csv [options]
      trellis match --scores SCORES.csv --capacities CAPACITIES.csv --out MATCHES.csv [options]

    Matches mentees with mentors from files, offline, and writes the pairs with their scores.

      PEOPLE.csv            the people CSV (the columns of `trellis import people`)
      --out FILE            where to write the matches (required; not written if anything is wrong)
      --algorithm A         optimal (default: the best total, proven), stable (needs --rankings with
                            people; ranks by score with --scores), or greedy (best pair first)
      --objective O         score (default: highest total score) or participation (most mentees
                            matched, then the highest total)
      --exclude-same-department   never pair two people of the same department
      --min-score X         never make a pair scoring below X (0 to 1)
      --weights FILE.json   factor weights, e.g. {"complementarity": 0.5, "timeZone": 0.2};
                            keys: complementarity, sharedInterests, sharedValues, timeZone, language,
                            meetingFrequency, experience (missing keys keep their defaults)
      --rankings FILE.csv   ranker,ranked,rank (emails; rank 1 = first choice), for --algorithm stable
      --scores FILE.csv     mentee,mentor,score: only these pairs are allowed (scores ≥ 0, ≤ 6 decimals)
      --capacities FILE.csv mentor,capacity

    Output: mentee_email,mentor_email,score,reasons (unmatched mentees last, with the reason), or
    mentee,mentor,score with --scores. A summary goes to standard output; a progress bar to a terminal.
    """

    struct Failure: Error { var message: String; var code: Int32 }

    /// Runs the command; returns the exit code.
    /// With `TRELLIS_AUCTION_TRACE` set, the solver's phases and proof rounds on standard error
    /// (for studying the solver; the engine itself reads no environment).
    static let solverTrace: (@Sendable (String) -> Void)? = ProcessInfo.processInfo.environment["TRELLIS_AUCTION_TRACE"] == nil
        ? nil : { @Sendable line in FileHandle.standardError.write(Data((line + "\n").utf8)) }

    static func run(_ arguments: [String]) -> Int32 {
        do {
            try execute(arguments)
            return 0
        } catch let failure as Failure {
            FileHandle.standardError.write(Data((failure.message + "\n").utf8))
            return failure.code
        } catch {
            FileHandle.standardError.write(Data("trellis match: \(error)\n".utf8))
            return 1
        }
    }

    static func execute(_ arguments: [String]) throws {
        var positional: [String] = []
        var options: [String: String] = [:]
        var flags = Set<String>()
        let valued: Set<String> = ["--out", "--algorithm", "--objective", "--min-score", "--weights", "--rankings", "--scores", "--capacities"]
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--help" || argument == "-h" { print(usage); return }
            if valued.contains(argument) {
                guard index + 1 < arguments.count else { throw Failure(message: "\(argument) needs a value.\n\n\(usage)", code: 2) }
                options[argument] = arguments[index + 1]
                index += 2
            } else if argument == "--exclude-same-department" {
                flags.insert(argument); index += 1
            } else if argument.hasPrefix("-") {
                throw Failure(message: "Unknown option \(argument).\n\n\(usage)", code: 2)
            } else {
                positional.append(argument); index += 1
            }
        }
        guard let out = options["--out"] else { throw Failure(message: "--out is required: the file to write the matches to.\n\n\(usage)", code: 2) }
        let algorithm = try options["--algorithm"].map { raw in
            guard let value = MatchAlgorithm(rawValue: raw) else { throw Failure(message: "--algorithm: “\(raw)” is not one of optimal, stable, greedy.", code: 2) }
            return value
        } ?? .optimal
        let objective = try options["--objective"].map { raw in
            guard let value = MatchObjective(rawValue: raw) else { throw Failure(message: "--objective: “\(raw)” is not one of score, participation.", code: 2) }
            return value
        } ?? .score
        if let scores = options["--scores"] {
            guard positional.isEmpty else { throw Failure(message: "Give either PEOPLE.csv or --scores, not both.", code: 2) }
            guard let capacities = options["--capacities"] else { throw Failure(message: "--scores needs --capacities CAPACITIES.csv (mentor,capacity).", code: 2) }
            for option in ["--weights", "--rankings", "--min-score"] where options[option] != nil {
                throw Failure(message: "\(option) applies to PEOPLE.csv only; with --scores the scores are yours.", code: 2)
            }
            try matchScores(scoresPath: scores, capacitiesPath: capacities, out: out, algorithm: algorithm, objective: objective)
            return
        }
        guard positional.count == 1 else { throw Failure(message: "Give one PEOPLE.csv (or --scores and --capacities).\n\n\(usage)", code: 2) }
        if options["--capacities"] != nil { throw Failure(message: "--capacities goes with --scores; with PEOPLE.csv capacities come from its capacity column.", code: 2) }
        var matchOptions = MatchOptions(objective: objective, excludeSameDepartment: flags.contains("--exclude-same-department"))
        if let raw = options["--min-score"] {
            guard let value = Double(raw), (0...1).contains(value) else { throw Failure(message: "--min-score: “\(raw)” is not a number from 0 to 1.", code: 2) }
            matchOptions.minimumScore = value
        }
        if let path = options["--weights"] { matchOptions.weights = try readWeights(path) }
        if algorithm == .stable && options["--rankings"] == nil { throw Failure(message: "--algorithm stable needs --rankings RANKINGS.csv (ranker,ranked,rank).", code: 2) }
        if algorithm != .stable && options["--rankings"] != nil { throw Failure(message: "--rankings is used by --algorithm stable only.", code: 2) }
        try matchPeople(path: positional[0], out: out, algorithm: algorithm, options: matchOptions, rankingsPath: options["--rankings"])
    }

    // MARK: Files

    /// The rows of a CSV file with exactly `columns` (in any order), each row's cells in the order
    /// of `columns` and trimmed, with its row number in the file; blank rows are skipped. As
    /// arrays rather than a dictionary a row: 1.85 million dictionaries took most of reading a
    /// score file.
    static func readTable(_ path: String, columns: [String]) throws -> [(row: Int, cells: [String])] {
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure(message: "\(path): cannot read the file.", code: 1) }
        let header: [String], rows: [[String]]
        do {
            (header, rows) = try PeopleFile.read(try PeopleFile.decode(data))
        } catch let errors as ValidationErrors {
            throw Failure(message: "\(path): \(errors["file"] ?? errors.summary)", code: 1)
        }
        let names = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        let missing = columns.filter { !names.contains($0) }
        let unknown = names.filter { !columns.contains($0) }
        if let twice = names.enumerated().first(where: { names.firstIndex(of: $0.element) != $0.offset })?.element {
            throw Failure(message: "\(path): row 1 (header): the column \(twice) is there twice.", code: 1)
        }
        if !missing.isEmpty || !unknown.isEmpty {
            throw Failure(message: "\(path): row 1 (header): expected exactly the columns \(columns.joined(separator: ","))" + (missing.isEmpty ? "" : "; missing \(missing.joined(separator: ", "))") + (unknown.isEmpty ? "" : "; unknown \(unknown.joined(separator: ", "))") + ".", code: 1)
        }
        var problems: [String] = []
        var result: [(Int, [String])] = []
        result.reserveCapacity(rows.count)
        let positions = columns.map { names.firstIndex(of: $0)! }
        for (offset, cells) in rows.enumerated() {
            if cells.allSatisfy({ Tags.trimmed($0).isEmpty }) { continue }
            guard cells.count == names.count else {
                problems.append("\(path): row \(offset + 2): \(cells.count) cells but the header has \(names.count)."); continue
            }
            result.append((offset + 2, positions.map { Tags.trimmed(cells[$0]) }))
        }
        if !problems.isEmpty { throw Failure(message: problems.joined(separator: "\n"), code: 1) }
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
        var text = CSVText.line(header)
        for row in rows { text += CSVText.line(row.map(SpreadsheetSafety.escape)) }
        do { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) } catch {
            throw Failure(message: "\(path): cannot write the file (\(error.localizedDescription)).", code: 1)
        }
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
                    problems.append("\(rankingsPath): row \(row), column \(column), value “\(value)”: not an email in \(path).")
                }
                guard let rank = Int(cells[2]), rank >= 1 else {
                    problems.append("\(rankingsPath): row \(row), column rank, value “\(cells[2])”: must be a whole number, 1 or more (1 = first choice)."); continue
                }
                rankings.append(Ranking(ranker: ranker, ranked: ranked, rank: rank))
            }
            if !problems.isEmpty { throw Failure(message: problems.joined(separator: "\n"), code: 1) }
        }
        let readSeconds = (clock.now - readStart).inSeconds
        let engine: MatchEngine
        do { engine = try MatchEngine(participants: participants, options: options) } catch let error as MatchInputError {
            throw Failure(message: "\(path): \(error.message)", code: 1)
        }
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
        var rows: [[String]] = []
        for pair in result.pairs {
            let explanation = try engine.explain(menteeID: pair.menteeID, mentorID: pair.mentorID)
            rows.append([pair.menteeID, pair.mentorID, ScoreUnits.format(pair.score), (pair.locked ? "Locked by a program manager. " : "") + explanation.summary])
        }
        for unmatched in result.unmatched { rows.append([unmatched.menteeID, "", "", unmatched.reason.sentence]) }
        try write(rows, header: ["mentee_email", "mentor_email", "score", "reasons"], to: out)
        let explainSeconds = (clock.now - explainStart).inSeconds
        printSummary(
            people: result.people, mentees: result.menteeCount, mentors: result.mentorCount, eligible: result.eligiblePairs,
            candidates: result.candidatePairs, matched: result.pairs.count, unmatched: result.unmatched.count,
            total: result.totalScore, algorithm: algorithm, proven: result.provenOptimal, addedByProof: result.pairsAddedByProof,
            phases: [("read", readSeconds), ("score", result.timings.scoring), ("candidates", result.timings.candidates), ("solve", result.timings.solve), ("proof", result.timings.proof), ("explain and write", explainSeconds)],
            out: out, withoutRole: participants.filter { $0.role == nil }.count
        )
    }

    // MARK: Scores

    static func matchScores(scoresPath: String, capacitiesPath: String, out: String, algorithm: MatchAlgorithm, objective: MatchObjective) throws {
        let clock = ContinuousClock()
        let readStart = clock.now
        var problems: [String] = []
        // Mentors and mentees are numbered as they are read, and a pair is known by its two
        // numbers (hashing every pair's two names again took most of reading a large file).
        var mentors: [String] = [], capacities: [Int] = [], mentorRows: [Int] = []
        var mentorIndex: [String: Int] = [:]
        for (row, cells) in try readTable(capacitiesPath, columns: ["mentor", "capacity"]) {
            let mentor = cells[0]
            if mentor.isEmpty { problems.append("\(capacitiesPath): row \(row), column mentor: a mentor is required."); continue }
            if let first = mentorIndex[mentor] { problems.append("\(capacitiesPath): row \(row), column mentor, value “\(mentor)”: already listed in row \(mentorRows[first])."); continue }
            guard let capacity = Int(cells[1]), capacity >= 0, capacity <= Int(Int32.max) else {
                problems.append("\(capacitiesPath): row \(row), column capacity, value “\(cells[1])”: must be a whole number from 0 to \(Int32.max)."); continue
            }
            mentorIndex[mentor] = mentors.count
            mentors.append(mentor); capacities.append(capacity); mentorRows.append(row)
        }
        let table = try readTable(scoresPath, columns: ["mentee", "mentor", "score"])
        var mentees: [String] = []
        var menteeIndex: [String: Int] = [:]
        var arcs: [(mentee: Int, mentor: Int, score: Int64)] = []
        arcs.reserveCapacity(table.count)
        var pairRow: [Int: Int] = [:]
        pairRow.reserveCapacity(table.count)
        for (row, cells) in table {
            let mentee = cells[0], mentor = cells[1]
            if mentee.isEmpty { problems.append("\(scoresPath): row \(row), column mentee: a mentee is required.") }
            let m = mentorIndex[mentor]
            if m == nil { problems.append("\(scoresPath): row \(row), column mentor, value “\(mentor)”: not listed in \(capacitiesPath).") }
            guard let score = ScoreUnits.parse(cells[2]) else {
                problems.append("\(scoresPath): row \(row), column score, value “\(cells[2])”: must be a decimal number, 0 or more, with at most 6 decimal places."); continue
            }
            guard let m, !mentee.isEmpty else { continue }
            let e: Int
            if let known = menteeIndex[mentee] { e = known } else { e = mentees.count; menteeIndex[mentee] = e; mentees.append(mentee) }
            if let first = pairRow.updateValue(row, forKey: e << 32 | m) {
                pairRow[e << 32 | m] = first
                problems.append("\(scoresPath): row \(row): the pair \(mentee) → \(mentor) is already listed in row \(first)."); continue
            }
            arcs.append((e, m, score))
        }
        if !problems.isEmpty {
            throw Failure(message: "\(problems.count) problem\(problems.count == 1 ? "" : "s"); no matches were written.\n" + problems.map { "  \($0)" }.joined(separator: "\n"), code: 1)
        }
        let readSeconds = (clock.now - readStart).inSeconds
        let matcher: PairTableMatcher
        do { matcher = try PairTableMatcher(mentees: mentees, mentors: mentors, capacities: capacities, arcs: arcs) } catch let error as MatchInputError {
            throw Failure(message: error.message, code: 1)
        }
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

/// Listed in `trellis --help`; the command itself runs before Vapor starts (it needs no database).
struct MatchHelpCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Matches mentees with mentors from CSV files, offline (trellis match --help)." }
    func run(using context: CommandContext, signature: Signature) async throws { print(MatchCommandLine.usage) }
}
