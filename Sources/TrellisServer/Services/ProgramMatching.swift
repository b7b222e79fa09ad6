import Fluent
import FluentSQL
import Foundation
import TrellisCore
import TrellisMatching

/// A program's matching: its participants as the engine sees them (everything from their
/// profiles, the role and capacity from their enrolment), the program's rules, weights and review
/// decisions as the engine's options, and a run's outcome stored as rows the result page reads a
/// page at a time.
enum ProgramMatching {
    static let jobKind = "match-run"

    /// Everything a run needs, read from the database.
    struct Input: Sendable {
        var participants: [Participant]
        var options: MatchOptions
        /// Names and departments of the enrolled, for reasons in words.
        var names: [String: String]
        var departments: [String: String]
    }

    /// Reads the program's participants and options. Locks and manual pairs of people no longer
    /// enrolled in the roles they were locked in are left out (they cannot be made).
    /// Whom to read: everyone enrolled; just some people (to judge one pair); or every mentor and
    /// one mentee (a mentee's suggestions). The reporting line above them comes too.
    enum Scope: Sendable {
        case everyone
        case people([UUID])
        case mentorsAnd(UUID)
    }

    static func input(for program: Program, only: [UUID]? = nil, on db: any Database) async throws -> Input {
        try await input(for: program, scope: only.map { .people($0) } ?? .everyone, on: db)
    }

    static func input(for program: Program, scope: Scope, on db: any Database, lap: (String) -> Void = { _ in }) async throws -> Input {
        let programID = try program.requireID()
        let onlyFilter: SQLQueryString = switch scope {
        case .everyone: ""
        case .people(let ids): "AND e.user_id IN (\(binds: ids as [any Encodable & Sendable]))"
        case .mentorsAnd(let mentee): "AND (e.role = \(bind: ProgramRole.mentor.rawValue) OR e.user_id = \(bind: mentee))"
        }
        guard let sql = db as? any SQLDatabase else { throw RunFailure("Matching needs an SQL database.") }
        let isPostgres = SearchIndex.isPostgres(sql)
        // A whole program is read in two halves at once, on the two long-work threads (each with
        // its own SQLite connection, or its own PostgreSQL connection): reading is most of a
        // large run's time before solving.
        // The halves are split on an id's last hex digit, random in every kind of id Trellis makes.
        let lastDigit: SQLQueryString = isPostgres ? "right(e.user_id::text, 1)" : "substr(e.user_id, -1)"
        let parts: [SQLQueryString] = if case .everyone = scope {
            ["AND \(lastDigit) < '8'", "AND \(lastDigit) >= '8'"]
        } else {
            [""]
        }
        let read = try await withThrowingTaskGroup(of: (Int, People).self) { group in
            for (number, part) in parts.enumerated() {
                let executor = number == 0 ? LongWork.shared : LongWork.beside
                group.addTask(executorPreference: executor) {
                    (number, try await people(programID: programID, filter: "\(onlyFilter) \(part)", postgres: isPostgres, on: db))
                }
            }
            return try await group.reduce(into: [People](repeating: People(), count: parts.count)) { $0[$1.0] = $1.1 }
        }
        var participants: [Participant] = []
        var names: [String: String] = [:]
        var departments: [String: String] = [:]
        for part in read {
            participants += part.participants
            names.merge(part.names) { a, _ in a }
            departments.merge(part.departments) { a, _ in a }
        }
        lap("people and tags")
        // The reporting line above the enrolled, through people who are not in the program (a
        // mentee's manager's manager may be a mentor here): each such person joins with no role.
        // A whole program reads every link in one plain scan (the program is most of the
        // organisation, and the scan is quicker than a walk); a few people (a pair, a mentee and
        // the mentors) walk up from themselves, so the work grows with their reporting lines and
        // not with the organisation.
        var managerOf: [UUID: UUID] = [:]
        let links: [PlainRow] = if case .everyone = scope {
            try await PlainRows.all("SELECT id, manager_id FROM profiles WHERE manager_id IS NOT NULL", on: db)
        } else {
            try await ReportingLines.above("""
                SELECT p.id, p.manager_id FROM enrolments e JOIN profiles p ON p.id = e.user_id
                WHERE e.program_id = \(bind: programID) \(onlyFilter)
                """, on: db)
        }
        for row in links {
            if let manager = try row.optionalUUID("manager_id") { managerOf[try row.uuid("id")] = manager }
        }
        var added = Set(participants.compactMap { UUID(uuidString: $0.id) })
        for at in participants.indices {
            var manager = participants[at].managerID.flatMap(UUID.init(uuidString:))
            var steps = 0
            while let current = manager, steps < 10_000 {
                let next = managerOf[current]
                if added.insert(current).inserted {
                    participants.append(Participant(id: current.uuidString, role: nil, managerID: next?.uuidString))
                }
                manager = next
                steps += 1
            }
        }
        lap("reporting lines")
        // Review decisions, and pairs who worked together before when the program wants new ones.
        let decisions = try await MatchDecision.query(on: db).filter(\.$programID == programID).all()
        let mentorIDs = Set(participants.filter { $0.role == .mentor && $0.capacity > 0 }.map(\.id))
        let menteeIDs = Set(participants.filter { $0.role == .mentee }.map(\.id))
        var locks: [(mentee: String, mentor: String)] = []
        var exclusions: [(mentee: String, mentor: String)] = []
        for decision in decisions.sorted(by: { $0.createdAt < $1.createdAt }) {
            let pair = (mentee: decision.menteeID.uuidString, mentor: decision.mentorID.uuidString)
            switch decision.decisionKind {
            case .lock, .manual:
                if menteeIDs.contains(pair.mentee), mentorIDs.contains(pair.mentor) { locks.append(pair) }
            case .exclude:
                // Only between people in the run (an exclusion may outlive someone's enrolment).
                if menteeIDs.contains(pair.mentee), mentorIDs.contains(pair.mentor) { exclusions.append(pair) }
            }
        }
        if !program.allowRepeatPairs {
            let before = try await PlainRows.all("""
                SELECT m.mentee_id, m.mentor_id FROM mentorships m JOIN enrolments e ON e.user_id = m.mentee_id AND e.program_id = \(bind: programID)
                WHERE m.state = \(bind: MentorshipState.concluded.rawValue) \(onlyFilter)
                """, on: db)
            for row in before {
                let pair = (mentee: try row.uuid("mentee_id").uuidString, mentor: try row.uuid("mentor_id").uuidString)
                if menteeIDs.contains(pair.mentee), mentorIDs.contains(pair.mentor) { exclusions.append(pair) }
            }
        }
        // Scoring uses every core: on a 2-core machine, keeping one for requests made a run of
        // 100,000 mentees take 11 s to solve instead of 7, while requests stayed quick either
        // way (their work is milliseconds; the scheduler shares the cores; measured in the README).
        let options = MatchOptions(
            weights: program.weights, objective: .score, excludeSameDepartment: program.excludeSameDepartment,
            minimumScore: program.minimumScore, exclusions: exclusions, locks: locks
        )
        return Input(participants: participants, options: options, names: names, departments: departments)
    }

    /// Some of a program's people, read with their tags.
    struct People: Sendable {
        var participants: [Participant] = []
        var names: [String: String] = [:]
        var departments: [String: String] = [:]
    }

    /// The enrolled people `filter` selects (conditions on `e`, the enrolments), as the engine's
    /// participants: the role and capacity from the enrolment, everything else from the profile.
    static func people(programID: UUID, filter: SQLQueryString, postgres: Bool, on db: any Database) async throws -> People {
        var found = People()
        var index: [UUID: Int] = [:]
        let rows = try await PlainRows.all("""
            SELECT e.user_id, e.role, e.capacity, u.name, p.department, p.manager_id, p.timezone, p.capacity_mentees,
                   p.meeting_frequency, p.years_experience
            FROM enrolments e JOIN users u ON u.id = e.user_id LEFT JOIN profiles p ON p.id = e.user_id
            WHERE e.program_id = \(bind: programID) AND u.is_active = \(bind: true) \(filter)
            """, on: db)
        for row in rows {
            let userID = try row.uuid("user_id")
            let id = userID.uuidString
            let role = ProgramRole(rawValue: try row.string("role")) ?? .mentee
            let capacity = EnrolmentRules.effectiveCapacity(role: role, given: try row.optionalInt("capacity"), profile: try row.optionalInt("capacity_mentees")) ?? 0
            let name = try row.string("name")
            let department = try row.optionalString("department") ?? ""
            found.names[id] = name
            found.departments[id] = department
            index[userID] = found.participants.count
            found.participants.append(Participant(
                id: id, name: name, role: role == .mentor ? .mentor : .mentee, department: department,
                managerID: try row.optionalUUID("manager_id")?.uuidString, timezone: try row.optionalString("timezone") ?? "",
                capacity: capacity, meetingFrequency: try row.optionalString("meeting_frequency").flatMap(MeetingFrequency.init(rawValue:)),
                yearsExperience: try row.optionalInt("years_experience")
            ))
        }
        // Tags: one row a person, every tag as "kind<US>name" joined by <RS> in SQL (a row a tag
        // made 1.75 million rows of 125,000 people, sorted: most of a run's reading time). Their
        // order does not matter: scores and reasons read them as sets.
        let joined: SQLQueryString = postgres
            ? "string_agg(t.kind || chr(31) || t.name, chr(30))"
            : "group_concat(t.kind || char(31) || t.name, char(30))"
        let tagRows = try await PlainRows.all("""
            SELECT e.user_id, \(joined) AS tags FROM enrolments e JOIN profile_tags t ON t.profile_id = e.user_id
            WHERE e.program_id = \(bind: programID) \(filter) GROUP BY e.user_id
            """, on: db)
        for row in tagRows {
            guard let at = index[try row.uuid("user_id")] else { continue }
            for entry in (try row.string("tags")).split(separator: "\u{1E}") {
                let parts = entry.split(separator: "\u{1F}", maxSplits: 1)
                guard parts.count == 2, let kind = TagKind(rawValue: String(parts[0])) else { continue }
                let name = String(parts[1])
                switch kind {
                case .expertise: found.participants[at].expertise.append(name)
                case .development: found.participants[at].developmentAreas.append(name)
                case .interest: found.participants[at].interests.append(name)
                case .value: found.participants[at].values.append(name)
                case .language: found.participants[at].languages.append(name)
                }
            }
        }
        return found
    }

    /// A pair's reasons as stored: one line per factor that counts, "contribution|sentence",
    /// largest first; or a broken rule's sentence alone.
    static func reasons(_ explanation: PairExplanation) -> String {
        if let broken = explanation.brokenRule { return "0|\(broken.sentence)" }
        return explanation.factors.filter { $0.weight > 0 }.sorted { $0.contribution > $1.contribution }
            .map { "\($0.contribution)|\($0.name): \($0.sentence)" }.joined(separator: "\n")
    }

    /// A pair's reasons as a page shows them: largest first, people named.
    static func namedReasons(_ explanation: PairExplanation, _ names: [String: String]) -> [(contribution: Int64, sentence: String)] {
        readReasons(reasons(explanation)).map { ($0.contribution, named($0.sentence, names)) }
    }

    /// Reasons as stored, back as (contribution, sentence).
    static func readReasons(_ text: String) -> [(contribution: Int64, sentence: String)] {
        text.split(separator: "\n").map { line in
            let parts = line.split(separator: "|", maxSplits: 1)
            return (Int64(parts.first ?? "") ?? 0, parts.count > 1 ? String(parts[1]) : "")
        }
    }

    /// Runs a queued run: reads the program, solves, and stores the proposal with its totals;
    /// nothing else changes. A run that fails records why.
    static func execute(runID: UUID, on db: any Database, logger: Logger? = nil, now: @escaping @Sendable () -> Date = Date.init) async throws {
        let clock = ContinuousClock()
        var mark = clock.now
        var phases: [String] = []
        func lap(_ name: String) {
            let elapsed = clock.now - mark
            phases.append("\(name) \(String(format: "%.2f", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)) s")
            mark = clock.now
        }
        defer { logger?.info("Matching run \(runID): \(phases.joined(separator: ", "))") }
        guard let run = try await MatchRun.find(runID, on: db), run.runState == .queued || run.runState == .running else { return }
        guard let program = try await ProgramStore.find(run.programID, on: db) else { return }
        try await update(runID, on: db) { $0.state = MatchRun.State.running.rawValue; $0.startedAt = now(); $0.phase = "reading participants" }
        do {
            let input = try await input(for: program, scope: .everyone, on: db, lap: { lap("reading \($0)") })
            lap("reading decisions")
            let engine: MatchEngine
            do {
                engine = try MatchEngine(participants: input.participants, options: input.options)
            } catch let error as MatchInputError {
                throw RunFailure(error.message)
            }
            lap("preparing")
            let reporter = ProgressReporter(runID: runID, db: db)
            // A bulk run: the proven-best total, compared with a greedy match. A preference run:
            // the stable match from both sides' rankings, checked for pairs who would both rather
            // be together, and compared with the proven-best total (what following the rankings
            // costs in score). A bulk run's greedy match (0.5 s at 100,000 mentees, from the
            // candidates the solve kept) is worked out on a thread of its own while the proposal
            // is explained (a part ahead) and written; a stable run's best total (a whole solve)
            // comes first, outside the transaction, which on SQLite holds every other writer.
            // Explaining on both cores as well starved other requests of a 2-core machine.
            let result: MatchResult
            let compare: @Sendable () throws -> MatchResult
            var provenStable = false
            do {
                if run.runAlgorithm == .stable {
                    reporter.report("reading rankings", 0.1)
                    let rankings = try await stableRankings(program: program, participants: input.participants, on: db)
                    lap("reading rankings")
                    reporter.report("matching", 0.3)
                    result = try engine.stable(rankings: rankings)
                    provenStable = engine.blockingPairs(rankings: rankings, in: result).isEmpty
                    lap("stable matching")
                    reporter.report("comparing", 0.6)
                    let best = try engine.optimal()
                    lap("best total")
                    compare = { best }
                } else {
                    result = try engine.optimal(progress: { phase, fraction in reporter.report(phase.rawValue, fraction) })
                    await reporter.flush()
                    lap("solving")
                    compare = { try engine.greedy() }
                }
            } catch let error as MatchInputError {
                throw RunFailure(Self.named(error.message, input.names))
            }
            await reporter.flush()
            try await update(runID, on: db) { $0.phase = "saving the proposal"; $0.progress = 0.95 }
            let comparing = Task(executorPreference: LongWork.beside) { try compare() }
            do {
                let proposal = Proposal(result: result, input: input)
                let (mentorCount, menteeCount, matched, total, proven) = (
                    engine.mentorCount, engine.menteeCount, result.pairs.count, result.totalScore,
                    run.runAlgorithm == .stable ? provenStable : result.provenOptimal
                )
                try await DatabaseWrites.transaction(on: db) { tx in
                    // Rows a part at a time: the next part is explained, and made into the
                    // values to write, on the long-work thread while this one is written. (Not
                    // here: on PostgreSQL the transaction's body runs on an event loop, and a
                    // part's work held up that loop's other requests for 0.2–0.3 s.)
                    func explain(_ part: Int, from position: Int) -> Task<(rows: Int, values: [BulkValue]), any Error>? {
                        guard part < proposal.parts else { return nil }
                        return Task(executorPreference: LongWork.shared) {
                            let rows = try proposal.rows(part: part, engine: engine)
                            return (rows.count, MatchRunPairs.values(rows, run: runID, from: position))
                        }
                    }
                    var next = explain(0, from: 0)
                    var (part, position) = (0, 0)
                    do {
                        while let pending = next {
                            let (count, values) = try await pending.value
                            (part, position) = (part + 1, position + count)
                            next = explain(part, from: position)
                            try await MatchRunPairs.write(values, on: tx)
                        }
                    } catch {
                        _ = try? await next?.value
                        throw error
                    }
                    let comparison = try await comparing.value
                    try await MatchRun.query(on: tx).filter(\.$id == runID)
                        .set(\.$state, to: MatchRun.State.done.rawValue).set(\.$phase, to: "done").set(\.$progress, to: 1)
                        .set(\.$mentors, to: mentorCount).set(\.$mentees, to: menteeCount)
                        .set(\.$matched, to: matched).set(\.$totalScore, to: total)
                        .set(\.$greedyTotal, to: comparison.totalScore).set(\.$greedyMatched, to: comparison.pairs.count)
                        .set(\.$provenOptimal, to: proven).set(\.$finishedAt, to: now()).update()
                }
            } catch {
                // Nothing of the run goes on after it has failed.
                _ = try? await comparing.value
                if let error = error as? MatchInputError { throw RunFailure(Self.named(error.message, input.names)) }
                throw error
            }
            lap(run.runAlgorithm == .stable ? "explaining and saving" : "greedy, explaining and saving")
        } catch let failure as RunFailure {
            try await fail(runID, failure.message, on: db, at: now())
        } catch {
            try await fail(runID, "The run stopped with an error: \(String(describing: error).scalarPrefix(300)). Nothing was changed; start it again.", on: db, at: now())
            throw error
        }
    }

    /// A run's rows to store, one a mentee: the pairs in score order (best first), then the
    /// unmatched; made a part at a time.
    struct Proposal: Sendable {
        let partSize: Int
        let pairs: [MatchedPair]
        let unmatched: [UnmatchedMentee]
        let lockedMentees: Set<String>
        let departments: [String: String]

        init(result: MatchResult, input: Input, partSize: Int = 10_000) {
            self.partSize = max(1, partSize)
            pairs = result.pairs.sorted(by: { ($0.score, $0.menteeID) > ($1.score, $1.menteeID) })
            unmatched = result.unmatched.sorted(by: { $0.menteeID < $1.menteeID })
            lockedMentees = Set(input.options.locks.map(\.mentee))
            departments = input.departments
        }

        /// Parts of the pairs, then one part of every unmatched mentee.
        var parts: Int { (pairs.count + partSize - 1) / partSize + 1 }

        func rows(part: Int, engine: MatchEngine) throws -> [PairRow] {
            if part < parts - 1 {
                let slice = pairs[part * partSize..<min(pairs.count, (part + 1) * partSize)]
                return try slice.map { pair in
                    PairRow(
                        mentee: pair.menteeID, mentor: pair.mentorID, score: pair.score, locked: pair.locked || lockedMentees.contains(pair.menteeID),
                        menteeDepartment: departments[pair.menteeID] ?? "", mentorDepartment: departments[pair.mentorID] ?? "",
                        reasons: ProgramMatching.reasons(try engine.explain(menteeID: pair.menteeID, mentorID: pair.mentorID))
                    )
                }
            }
            return unmatched.map { unmatched in
                PairRow(
                    mentee: unmatched.menteeID, mentor: nil, score: -1, locked: false, menteeDepartment: departments[unmatched.menteeID] ?? "",
                    mentorDepartment: "", reasons: "0|\(unmatched.reason.sentence)"
                )
            }
        }
    }

    /// The program's rankings between the run's participants (a mentor without a place, or
    /// someone no longer active, drops out of the run and so out of the rankings).
    static func stableRankings(program: Program, participants: [Participant], on db: any Database) async throws -> [Ranking] {
        let mentees = Set(participants.filter { $0.role == .mentee }.map(\.id))
        let mentors = Set(participants.filter { $0.role == .mentor && $0.capacity > 0 }.map(\.id))
        return try await Rankings.all(in: try program.requireID(), on: db).filter {
            (mentees.contains($0.ranker) && mentors.contains($0.ranked)) || (mentors.contains($0.ranker) && mentees.contains($0.ranked))
        }
    }

    struct RunFailure: Error { var message: String; init(_ message: String) { self.message = message } }

    static func fail(_ runID: UUID, _ message: String, on db: any Database, at now: Date = Date()) async throws {
        try await DatabaseWrites.transaction(on: db) { tx in
            try await MatchRun.query(on: tx).filter(\.$id == runID)
                .set(\.$state, to: MatchRun.State.failed.rawValue).set(\.$phase, to: "failed").set(\.$message, to: message).set(\.$finishedAt, to: now).update()
        }
    }

    static func update(_ runID: UUID, on db: any Database, _ change: @escaping @Sendable (MatchRun) -> Void) async throws {
        try await DatabaseWrites.transaction(on: db) { tx in
            guard let run = try await MatchRun.find(runID, on: tx) else { return }
            change(run)
            try await run.save(on: tx)
        }
    }

    /// Ids in an engine message replaced by names.
    static func named(_ text: String, _ names: [String: String]) -> String {
        var text = text
        for match in text.matches(of: /[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}/).reversed() {
            if let name = names[String(text[match.range])] { text.replaceSubrange(match.range, with: name) }
        }
        return text
    }

    /// A stored row of a run's proposal.
    struct PairRow: Sendable {
        var mentee: String
        var mentor: String?
        var score: Int64
        var locked: Bool
        var menteeDepartment: String
        var mentorDepartment: String
        var reasons: String
    }

    /// The engine's progress, written to the run at most every half second from the solver's
    /// thread (which must not wait for the database).
    final class ProgressReporter: @unchecked Sendable {
        let runID: UUID
        let db: any Database
        private let lock = NSLock()
        private var last = Date.distantPast
        private var pending: Task<Void, Never>?

        init(runID: UUID, db: any Database) { self.runID = runID; self.db = db }

        func report(_ phase: String, _ fraction: Double) {
            lock.lock()
            defer { lock.unlock() }
            let now = Date()
            guard now.timeIntervalSince(last) >= 0.5 else { return }
            last = now
            let (runID, db) = (runID, db)
            let overall = min(0.9, phase == "scoring" ? fraction * 0.5 : phase == "solving" ? 0.5 + fraction * 0.3 : 0.8 + fraction * 0.1)
            let previous = pending
            pending = Task {
                await previous?.value
                try? await ProgramMatching.update(runID, on: db) { $0.phase = phase; $0.progress = overall }
            }
        }

        func flush() async {
            let task = lock.withLock { pending }
            await task?.value
        }
    }
}

/// A run's proposal in the database: written in large inserts, read a page at a time.
enum MatchRunPairs {
    static let columns = ["run_id", "position", "mentee_id", "mentor_id", "score", "locked", "mentee_department", "mentor_department", "reasons"]

    /// A run's rows as the values `BulkRows` writes, numbered from `first`.
    static func values(_ rows: [ProgramMatching.PairRow], run: UUID, from first: Int) -> [BulkValue] {
        var values: [BulkValue] = []
        values.reserveCapacity(rows.count * columns.count)
        let runText = BulkValue.id(run)
        for (position, row) in rows.enumerated() {
            values.append(runText)
            values.append(.number(first + position))
            values.append(.id(UUID(uuidString: row.mentee)))
            values.append(.id(row.mentor.flatMap(UUID.init(uuidString:))))
            values.append(.number(Int(row.score)))
            values.append(.flag(row.locked))
            values.append(.text(row.menteeDepartment))
            values.append(.text(row.mentorDepartment))
            values.append(.text(row.reasons))
        }
        return values
    }

    static func write(_ values: [BulkValue], on tx: any Database) async throws {
        guard let sql = tx as? any SQLDatabase else { return }
        try await BulkRows.write(values, into: "match_run_pairs", columns: columns, postgres: .statements, on: sql)
    }
}
