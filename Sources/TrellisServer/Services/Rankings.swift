import Fluent
import FluentSQL
import Foundation
import TrellisCore
import TrellisMatching

/// Preference programs: each mentee's shortlist of mentors and each mentor's ranking of the
/// mentees who chose them. Every change is one transaction under a lock on the program, and moves
/// the program's roster version on (a run made before it is stale).
enum Rankings {
    typealias Refusal = ProgramStore.Refusal

    /// Someone in a ranking, in rank order.
    struct Entry: Sendable, Equatable {
        var id: UUID
        var name: String
        var department: String
        var rank: Int
    }

    /// The ranker's ranking in the program, first choice first.
    static func list(of ranker: UUID, in programID: UUID, on db: any Database) async throws -> [Entry] {
        try await PlainRows.all("""
            SELECT r.ranked_id, r.rank, u.name, p.department FROM rankings r JOIN users u ON u.id = r.ranked_id LEFT JOIN profiles p ON p.id = r.ranked_id
            WHERE r.program_id = \(bind: programID) AND r.ranker_id = \(bind: ranker) ORDER BY r.rank
            """, on: db).map {
            Entry(id: try $0.uuid("ranked_id"), name: try $0.string("name"), department: try $0.optionalString("department") ?? "", rank: try $0.int("rank"))
        }
    }

    /// The mentees who put this mentor on their shortlist, each with the rank they gave (most
    /// keen first). At most `RankingRules.mentorListMaximum` times two: a mentor ranks at most
    /// that many, and a page shows no more.
    static func chosenBy(mentor: UUID, in programID: UUID, on db: any Database) async throws -> [Entry] {
        try await PlainRows.all("""
            SELECT r.ranker_id, r.rank, u.name, p.department FROM rankings r JOIN users u ON u.id = r.ranker_id LEFT JOIN profiles p ON p.id = r.ranker_id
            WHERE r.program_id = \(bind: programID) AND r.ranked_id = \(bind: mentor) ORDER BY r.rank, u.name LIMIT \(literal: RankingRules.mentorListMaximum * 2)
            """, on: db).map {
            Entry(id: try $0.uuid("ranker_id"), name: try $0.string("name"), department: try $0.optionalString("department") ?? "", rank: try $0.int("rank"))
        }
    }

    /// How far the program's rankings have come, for its manager: numbers, never who ranked whom.
    /// Read from the program's counters.
    struct Progress: Sendable, Equatable {
        var menteesRanked: Int
        var mentorsRanked: Int
    }

    static func progress(of program: Program) -> Progress {
        Progress(menteesRanked: program.menteesRanked, mentorsRanked: program.mentorsRanked)
    }

    /// Moves the program's count of rankers in `role` by `by`.
    static func count(_ program: Program, role: ProgramRole, by: Int) {
        if role == .mentee { program.menteesRanked = max(0, program.menteesRanked + by) } else { program.mentorsRanked = max(0, program.mentorsRanked + by) }
    }

    /// Every ranking of the program, for a run, between people enrolled in it on the right sides.
    static func all(in programID: UUID, on db: any Database) async throws -> [Ranking] {
        try await PlainRows.all("""
            SELECT r.ranker_id, r.ranked_id, r.rank FROM rankings r
            JOIN enrolments a ON a.program_id = r.program_id AND a.user_id = r.ranker_id
            JOIN enrolments b ON b.program_id = r.program_id AND b.user_id = r.ranked_id AND b.role <> a.role
            WHERE r.program_id = \(bind: programID)
            """, on: db).map { Ranking(ranker: try $0.uuid("ranker_id").uuidString, ranked: try $0.uuid("ranked_id").uuidString, rank: try $0.int("rank")) }
    }

    /// Where `ranker` put `ranked` (nil: not ranked).
    static func rank(by ranker: UUID, of ranked: UUID, in programID: UUID, on db: any Database) async throws -> Int? {
        try await RankingEntry.query(on: db).filter(\.$programID == programID).filter(\.$rankerID == ranker).filter(\.$rankedID == ranked).first()?.rank
    }

    enum Change: Sendable, Equatable {
        case add(UUID)
        case up(UUID)
        case down(UUID)
        case remove(UUID)

        var person: UUID {
            switch self { case .add(let id), .up(let id), .down(let id), .remove(let id): id }
        }
    }

    /// Changes the ranker's ranking. Refusals say why; a person not in the ranking is `NotFound`
    /// for moves and removals. Returns false when nothing changed (a move past either end), which
    /// then leaves the program's version alone.
    @discardableResult
    static func change(_ change: Change, ranker: UUID, program programID: UUID, now: Date = Date(), on db: any Database) async throws -> Bool {
        try await DatabaseWrites.transaction(on: db) { tx in
            let program = try await ProgramStore.lock(programID, on: tx)
            let enrolment = try await ProgramStore.enrolment(of: ranker, in: programID, on: tx)
            if let refusal = RankingRules.refusal(editing: .init(state: program.programState, mode: program.matchingMode, role: enrolment?.programRole)) {
                throw Refusal("ranking", refusal)
            }
            guard let role = enrolment?.programRole else { throw ProgramStore.NotFound() }
            var list = RankedList(try await list(of: ranker, in: programID, on: tx).map(\.id))
            let hadRanking = !list.order.isEmpty
            let person = change.person
            switch change {
            case .add:
                let other = try await ProgramStore.enrolment(of: person, in: programID, on: tx)
                let otherEnrolled = other?.programRole == (role == .mentee ? .mentor : .mentee)
                var facts = RankingRules.Adding(
                    role: role, isSelf: person == ranker, otherEnrolled: otherEnrolled,
                    alreadyRanked: list.rank(of: person) != nil, count: list.order.count
                )
                if role == .mentor, otherEnrolled {
                    facts.rankedTheRanker = try await rank(by: person, of: ranker, in: programID, on: tx) != nil
                }
                if otherEnrolled, !facts.isSelf, !facts.alreadyRanked, facts.rankedTheRanker {
                    let (mentee, mentor) = role == .mentee ? (ranker, person) : (person, ranker)
                    facts.brokenRule = try await brokenRule(program: program, mentee: mentee, mentor: mentor, on: tx)
                }
                if let refusal = RankingRules.refusal(adding: facts) { throw Refusal("person", refusal) }
                list.append(person)
            case .up, .down:
                guard list.rank(of: person) != nil else { throw ProgramStore.NotFound() }
                let up = if case .up = change { true } else { false }
                guard list.move(person, up: up) else { return false }
            case .remove:
                guard list.remove(person) else { throw ProgramStore.NotFound() }
                // A mentee who drops a mentor leaves that mentor's ranking too: the mentor may
                // rank only mentees who chose them.
                if role == .mentee, try await drop(ranker, from: person, in: programID, on: tx) {
                    count(program, role: .mentor, by: -1)
                }
            }
            try await write(list, ranker: ranker, program: programID, now: now, on: tx)
            if hadRanking != !list.order.isEmpty { count(program, role: role, by: hadRanking ? -1 : 1) }
            program.rosterVersion += 1
            program.updatedAt = now
            try await program.save(on: tx)
            return true
        }
    }

    /// The rule of the program that refuses this pair (reporting line, department, a repeat
    /// pair, an exclusion), named; nil when none does. Reads just the two people.
    static func brokenRule(program: Program, mentee: UUID, mentor: UUID, on db: any Database) async throws -> String? {
        let input = try await ProgramMatching.input(for: program, only: [mentee, mentor], on: db)
        var options = input.options
        options.locks = []
        options.minimumScore = 0
        options.exclusions = options.exclusions.filter { $0.mentee == mentee.uuidString && $0.mentor == mentor.uuidString }
        do {
            let engine = try MatchEngine(participants: input.participants, options: options)
            let explanation = try engine.explain(menteeID: mentee.uuidString, mentorID: mentor.uuidString)
            return explanation.brokenRule.map { ProgramMatching.named($0.sentence, input.names) }
        } catch let error as MatchInputError {
            return ProgramMatching.named(error.message, input.names)
        }
    }

    /// Rewrites a ranker's rows as ranks 1…n (a ranking holds at most fifty).
    private static func write(_ list: RankedList<UUID>, ranker: UUID, program: UUID, now: Date, on tx: any Database) async throws {
        try await RankingEntry.query(on: tx).filter(\.$programID == program).filter(\.$rankerID == ranker).delete()
        for (at, id) in list.order.enumerated() {
            try await RankingEntry(programID: program, rankerID: ranker, rankedID: id, rank: at + 1, now: now).create(on: tx)
        }
    }

    /// Takes `ranked` out of `ranker`'s ranking, closing the gap. Returns whether that left the
    /// ranker with no ranking.
    private static func drop(_ ranked: UUID, from ranker: UUID, in programID: UUID, on tx: any Database) async throws -> Bool {
        guard let entry = try await RankingEntry.query(on: tx).filter(\.$programID == programID).filter(\.$rankerID == ranker)
            .filter(\.$rankedID == ranked).first() else { return false }
        try await entry.delete(on: tx)
        guard let sql = tx as? any SQLDatabase else { return false }
        try await sql.raw("""
            UPDATE rankings SET rank = rank - 1 WHERE program_id = \(bind: programID) AND ranker_id = \(bind: ranker) AND rank > \(bind: entry.rank)
            """).run()
        return try await RankingEntry.query(on: tx).filter(\.$programID == programID).filter(\.$rankerID == ranker).first() == nil
    }

    /// When someone leaves a program: their ranking goes, and they leave everyone else's (the
    /// gaps closed), with the program's counts kept. Part of the withdrawal's transaction, which
    /// saves the program.
    static func forget(_ person: UUID, role: ProgramRole, in program: Program, on tx: any Database) async throws {
        let programID = try program.requireID()
        let own = try await RankingEntry.query(on: tx).filter(\.$programID == programID).filter(\.$rankerID == person).count()
        if own > 0 {
            try await RankingEntry.query(on: tx).filter(\.$programID == programID).filter(\.$rankerID == person).delete()
            count(program, role: role, by: -1)
        }
        let holders = try await RankingEntry.query(on: tx).filter(\.$programID == programID).filter(\.$rankedID == person).all()
        for entry in holders where try await drop(person, from: entry.rankerID, in: programID, on: tx) {
            count(program, role: role == .mentee ? .mentor : .mentee, by: -1)
        }
    }
}
