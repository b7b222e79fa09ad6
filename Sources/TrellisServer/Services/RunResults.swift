import Fluent
import FluentSQL
import Foundation
import TrellisCore
import TrellisMatching

/// What the result pages read of a run: a page of its proposal through an index, the people it
/// names, and comparisons.
enum RunResults {
    static let pageSize = 50

    enum Show: String, Sendable, CaseIterable {
        case pairs, unmatched
    }

    enum Order: String, Sendable, CaseIterable {
        case best, weakest
    }

    struct Filter: Sendable, Equatable {
        var show: Show = .pairs
        var order: Order = .best
        /// Mentees of this department (exact, as stored).
        var department: String = ""
        /// Pairs scoring at most this (0...1): the weak ones, to review first.
        var maximumScore: Double?
    }

    struct Row: Sendable {
        var position: Int
        var menteeID: UUID
        var menteeName: String
        var menteeDepartment: String
        var mentorID: UUID?
        var mentorName: String?
        var mentorDepartment: String
        var score: Int64
        var locked: Bool
        var reasons: [(contribution: Int64, sentence: String)]
    }

    struct Page: Sendable {
        var rows: [Row]
        var filter: Filter
        var hasPrevious: Bool
        var hasNext: Bool
    }

    /// A page of the run's proposal from a position on (`after`, forward) or back (`before`).
    static func page(run runID: UUID, filter: Filter, after: Int?, before: Int?, on db: any Database) async throws -> Page {
        var conditions: [SQLQueryString] = ["r.run_id = \(bind: runID)"]
        conditions.append(filter.show == .pairs ? "r.mentor_id IS NOT NULL" : "r.mentor_id IS NULL")
        if !filter.department.isEmpty { conditions.append("r.mentee_department = \(bind: filter.department)") }
        if let maximum = filter.maximumScore, filter.show == .pairs { conditions.append("r.score <= \(bind: Int64((maximum * 1_000_000).rounded()))") }
        // Positions are in score order, best first: the weakest first reads them backwards.
        let paging = KeysetPaging(column: "r.position", ascending: filter.order == .best, after: after, before: before, size: pageSize)
        let listed = conditions.joined(separator: " AND ")
        let page = try await paging.read(rows: { beyond in """
            SELECT r.position, r.mentee_id, r.mentor_id, r.score, r.locked, r.mentee_department, r.mentor_department, r.reasons,
                   e.name AS mentee_name, m.name AS mentor_name
            FROM match_run_pairs r JOIN users e ON e.id = r.mentee_id LEFT JOIN users m ON m.id = r.mentor_id
            WHERE \(listed) AND \(beyond)
            """ }, exists: { behind in "SELECT r.position FROM match_run_pairs r WHERE \(listed) AND \(behind)" }, on: db)
        let rows = try page.rows.map { row in
            Row(
                position: try row.int("position"), menteeID: try row.uuid("mentee_id"), menteeName: try row.string("mentee_name"),
                menteeDepartment: try row.string("mentee_department"), mentorID: try row.optionalUUID("mentor_id"),
                mentorName: try row.optionalString("mentor_name"), mentorDepartment: try row.string("mentor_department"),
                score: Int64(try row.int("score")), locked: try row.bool("locked"), reasons: ProgramMatching.readReasons(try row.string("reasons"))
            )
        }
        return Page(rows: rows, filter: filter, hasPrevious: page.hasPrevious, hasNext: page.hasNext)
    }

    /// What a run made of one mentee, and of one mentor, for "why not X with Y".
    struct Placement: Sendable {
        /// The mentee's mentor in the run (nil: unmatched) and the score, or the reason.
        var menteePartner: (name: String, score: Int64)?
        var menteeUnmatchedReason: String?
        /// The mentor's mentees in the run, weakest first.
        var mentorPairs: [(name: String, score: Int64)]
    }

    static func placement(run runID: UUID, mentee: UUID, mentor: UUID, on db: any Database) async throws -> Placement {
        let own = try await PlainRows.first("""
            SELECT r.score, r.reasons, m.name AS mentor_name FROM match_run_pairs r LEFT JOIN users m ON m.id = r.mentor_id
            WHERE r.run_id = \(bind: runID) AND r.mentee_id = \(bind: mentee)
            """, on: db)
        let theirs = try await PlainRows.all("""
            SELECT r.score, e.name FROM match_run_pairs r JOIN users e ON e.id = r.mentee_id
            WHERE r.run_id = \(bind: runID) AND r.mentor_id = \(bind: mentor) ORDER BY r.score ASC
            """, on: db)
        var partner: (String, Int64)?
        var reason: String?
        if let own {
            if let name = try own.optionalString("mentor_name") { partner = (name, Int64(try own.int("score"))) }
            else { reason = ProgramMatching.readReasons(try own.string("reasons")).first?.sentence }
        }
        return Placement(
            menteePartner: partner, menteeUnmatchedReason: reason,
            mentorPairs: try theirs.map { (try $0.string("name"), Int64(try $0.int("score"))) }
        )
    }

    /// A preference program: why a stable run did not pair these two, in words (who would refuse
    /// whom), from both rankings and the run's pairs. Reads the two people's rows only.
    static func stableWhyNot(run runID: UUID?, program: Program, mentee: User, mentor: User, on db: any Database) async throws -> [String] {
        let programID = try program.requireID()
        let (menteeID, mentorID) = (try mentee.requireID(), try mentor.requireID())
        // Only between a mentee and a mentor of the program (the rules above say what else).
        let roles = try await Enrolment.query(on: db).filter(\.$programID == programID).filter(\.$userID ~~ [menteeID, mentorID]).all()
        guard roles.contains(where: { $0.userID == menteeID && $0.programRole == .mentee }),
              roles.contains(where: { $0.userID == mentorID && $0.programRole == .mentor })
        else { return [] }
        let menteeRanksMentor = try await Rankings.rank(by: menteeID, of: mentorID, in: programID, on: db)
        let mentorRanksMentee = try await Rankings.rank(by: mentorID, of: menteeID, in: programID, on: db)
        var partner: StableExplanation.Partner?
        var partners: [StableExplanation.Partner] = []
        if let runID {
            if let own = try await PlainRows.first("""
                SELECT r.mentor_id, m.name, k.rank FROM match_run_pairs r JOIN users m ON m.id = r.mentor_id
                LEFT JOIN rankings k ON k.program_id = \(bind: programID) AND k.ranker_id = r.mentee_id AND k.ranked_id = r.mentor_id
                WHERE r.run_id = \(bind: runID) AND r.mentee_id = \(bind: menteeID)
                """, on: db) {
                partner = .init(name: try own.string("name"), rank: try own.optionalInt("rank"))
            }
            partners = try await PlainRows.all("""
                SELECT e.name, k.rank FROM match_run_pairs r JOIN users e ON e.id = r.mentee_id
                LEFT JOIN rankings k ON k.program_id = \(bind: programID) AND k.ranker_id = r.mentor_id AND k.ranked_id = r.mentee_id
                WHERE r.run_id = \(bind: runID) AND r.mentor_id = \(bind: mentorID)
                """, on: db).map { .init(name: try $0.string("name"), rank: try $0.optionalInt("rank")) }
        }
        var capacity = 0
        if let enrolment = try await ProgramStore.enrolment(of: mentorID, in: programID, on: db), enrolment.programRole == .mentor {
            capacity = try await Requests.capacity(of: enrolment, on: db)
        }
        if runID == nil, menteeRanksMentor != nil, mentorRanksMentee != nil {
            return ["They ranked each other: \(mentee.name) put \(mentor.name) \(StableExplanation.ordinal(menteeRanksMentor!)), and \(mentor.name) put \(mentee.name) \(StableExplanation.ordinal(mentorRanksMentee!)). Run stable matching to see where they land."]
        }
        return StableExplanation.whyNot(
            mentee: mentee.name, mentor: mentor.name, menteeRanksMentor: menteeRanksMentor, mentorRanksMentee: mentorRanksMentee,
            menteePartner: partner, mentorPartners: partners, mentorCapacity: capacity
        )
    }

    /// How two runs differ: mentees whose mentor changed (the first few named), and the totals.
    struct Comparison: Sendable {
        struct Change: Sendable {
            var mentee: String
            var before: String?
            var after: String?
        }

        var changed: Int
        var changes: [Change]
    }

    static func compare(_ a: UUID, _ b: UUID, on db: any Database) async throws -> Comparison {
        let changedCondition: SQLQueryString = """
            FROM match_run_pairs x JOIN match_run_pairs y ON y.run_id = \(bind: b) AND y.mentee_id = x.mentee_id
            WHERE x.run_id = \(bind: a) AND ((x.mentor_id IS NULL) <> (y.mentor_id IS NULL) OR x.mentor_id <> y.mentor_id)
            """
        let count = try await PlainRows.first("SELECT COUNT(*) AS n \(changedCondition)", on: db)?.int("n") ?? 0
        let sample = try await PlainRows.all("""
            SELECT e.name AS mentee, mx.name AS before_name, my.name AS after_name
            FROM match_run_pairs x JOIN match_run_pairs y ON y.run_id = \(bind: b) AND y.mentee_id = x.mentee_id
            JOIN users e ON e.id = x.mentee_id LEFT JOIN users mx ON mx.id = x.mentor_id LEFT JOIN users my ON my.id = y.mentor_id
            WHERE x.run_id = \(bind: a) AND ((x.mentor_id IS NULL) <> (y.mentor_id IS NULL) OR x.mentor_id <> y.mentor_id)
            ORDER BY x.position LIMIT 50
            """, on: db)
        return Comparison(changed: count, changes: try sample.map {
            Comparison.Change(mentee: try $0.string("mentee"), before: try $0.optionalString("before_name"), after: try $0.optionalString("after_name"))
        })
    }
}
