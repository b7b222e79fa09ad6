import Fluent
import FluentSQL
import Foundation

/// Where a page number typed far into an alphabetical list starts, without counting everyone
/// before it (`M0013_KeepNameMarks`).
///
/// The list of everyone in name order is cut into stretches at kept marks (a name and an id, the
/// order of `users (search_name, id)`); each mark keeps how many people, and how many active
/// people, come from it up to the next mark. Triggers on `users` keep the counts on every insert,
/// delete, rename and (de)activation, whichever code makes it. Page 1,000 of the directory then
/// adds up the marks' counts (one row a stretch of `stretch` to `2 * stretch` people: 50 to 100 rows
/// at 50,000 people) and walks the index from the mark before it, at most `2 * stretch` entries,
/// instead of 25,000. A stretch that has grown past `2 * stretch` (people added into one part of
/// the alphabet, or an import) is cut: after an import or the demo (`cutLong`), or by a page that
/// finds it, if no one else is cutting or writing at that moment (the page never waits for it).
///
/// Kept counts that went wrong would put people on the wrong page: `verify` compares every mark
/// with a count of the table, and the tests run it after every kind of write on both databases.
enum NameMarks {
    /// People in a freshly cut stretch.
    static let stretch = 500
    /// PostgreSQL's advisory lock that writers of `users` take shared (in the triggers) and a cut
    /// takes exclusively.
    static let lockKey = 7_262_001
    /// The first mark, below every name: never removed, so that everyone is after some mark.
    static let floorName = ""
    static let floorID = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))

    enum Scope: Sendable {
        /// Everyone in the directory (active accounts).
        case active
        /// Everyone with an account (the program managers' list).
        case everyone

        var column: SQLQueryString { self == .active ? "active_people" : "people" }
        var filter: SQLQueryString { self == .active ? "users.is_active = \(bind: true)" : "1 = 1" }
    }

    /// A mark: where a page's walk starts, and how many people of the scope come before it.
    struct Mark: Sendable {
        var name: String
        var id: UUID
        var before: Int
        /// People of the whole stretch (both scopes): whether it is due to be cut.
        var stretchPeople: Int
    }

    /// The ids of `limit` people of the scope from position `offset` (0-based) in name order, or
    /// nil when no marks are kept (a database the migration has not reached). `stretch` is for
    /// tests, which cut small stretches.
    static func page(_ scope: Scope, offset: Int, limit: Int, stretch: Int = stretch, on db: any Database) async throws -> [UUID]? {
        guard let mark = try await mark(scope, before: offset, on: db) else { return nil }
        let ids = try await PlainRows.all("""
            SELECT users.id FROM users WHERE \(scope.filter) AND (users.search_name, users.id) >= (\(bind: mark.name), \(bind: mark.id))
            ORDER BY users.search_name, users.id LIMIT \(literal: limit) OFFSET \(bind: offset - mark.before)
            """, on: db, prepared: true).map { try $0.uuid("id") }
        if mark.stretchPeople > 2 * stretch {
            // The page is read; cutting is for the pages after it, so it neither waits nor fails it.
            do {
                try await cut(at: mark, stretch: stretch, waiting: false, on: db)
            } catch {
                db.logger.warning("Cutting a stretch of the name marks failed (the page was read): \(String(reflecting: error))")
            }
        }
        return ids
    }

    /// The last mark at or before position `offset` of the scope.
    static func mark(_ scope: Scope, before offset: Int, on db: any Database) async throws -> Mark? {
        let column = scope.column
        // Cast: PostgreSQL sums an integer column as bigint, which the window keeps.
        guard let row = try await PlainRows.first("""
            SELECT search_name, id, before, people FROM (
                SELECT search_name, id, people, CAST(SUM(\(column)) OVER (ORDER BY search_name, id ROWS UNBOUNDED PRECEDING) - \(column) AS BIGINT) AS before
                FROM name_marks
            ) AS marks WHERE before <= \(bind: offset) ORDER BY search_name DESC, id DESC LIMIT 1
            """, on: db, prepared: true) else { return nil }
        return Mark(name: try row.string("search_name"), id: try row.uuid("id"), before: try row.int("before"), stretchPeople: try row.int("people"))
    }

    /// Cuts the stretch from `mark` into stretches of `stretch` people, if it is still too long
    /// once the lock is held (another page may have cut it meanwhile). Without `waiting`, gives up
    /// at once when another write holds the lock (a page must not wait behind an import).
    static func cut(at mark: Mark, stretch: Int = stretch, waiting: Bool, on db: any Database) async throws {
        let body: @Sendable (any Database) async throws -> Void = { tx in
            let sql = tx as! any SQLDatabase
            if SearchIndex.isPostgres(sql) {
                if waiting {
                    try await lockExclusively(sql)
                } else {
                    let row = try await sql.raw("SELECT pg_try_advisory_xact_lock(\(literal: lockKey)) AS locked").first()
                    guard try row?.decode(column: "locked", as: Bool.self) == true else { return }
                }
            }
            guard let row = try await PlainRows.first("""
                SELECT people FROM name_marks WHERE search_name = \(bind: mark.name) AND id = \(bind: mark.id)
                """, on: tx), try row.int("people") > 2 * stretch else { return }
            try await cut(from: mark.name, mark.id, stretch: stretch, on: sql)
        }
        if waiting {
            try await DatabaseWrites.transaction(on: db, body)
        } else {
            _ = try await DatabaseWrites.transactionIfFree(on: db, body)
        }
    }

    /// Cuts every stretch longer than `2 * stretch`, each in a transaction of its own (after an
    /// import or the demo, outside their transactions, holding nothing else while it waits).
    static func cutLong(stretch: Int = stretch, on db: any Database) async throws {
        for _ in 0..<10_000 {
            guard let row = try await PlainRows.first("""
                SELECT search_name, id, people FROM name_marks WHERE people > \(bind: 2 * stretch) ORDER BY people DESC LIMIT 1
                """, on: db) else { return }
            let mark = Mark(name: try row.string("search_name"), id: try row.uuid("id"), before: 0, stretchPeople: try row.int("people"))
            try await cut(at: mark, stretch: stretch, waiting: true, on: db)
        }
    }

    /// PostgreSQL: waits until no other transaction writes `users` (their triggers hold the lock
    /// shared) and keeps them waiting until this one ends.
    private static func lockExclusively(_ sql: any SQLDatabase) async throws {
        try await sql.raw("SELECT pg_advisory_xact_lock(\(literal: lockKey))").run()
    }

    /// Sets every mark afresh from the table (inside the caller's transaction): when the marks are
    /// first made (the migration). Work that grows with the organisation; never on a page.
    static func rebuild(stretch: Int = stretch, on tx: any Database) async throws {
        let sql = tx as! any SQLDatabase
        if SearchIndex.isPostgres(sql) { try await lockExclusively(sql) }
        try await sql.raw("DELETE FROM name_marks").run()
        try await sql.raw("""
            INSERT INTO name_marks (search_name, id, people, active_people)
            SELECT \(bind: floorName), \(bind: floorID), COUNT(*), COALESCE(SUM(CASE WHEN is_active THEN 1 ELSE 0 END), 0) FROM users
            """).run()
        try await cut(from: floorName, floorID, stretch: stretch, on: sql)
    }

    /// The stretch from the mark (name, id) up to the next mark, cut: marks added every `stretch`
    /// people after its first, with their counts, and the mark's own counts reduced by theirs.
    private static func cut(from name: String, _ id: UUID, stretch: Int, on sql: any SQLDatabase) async throws {
        let next = try await sql.raw("""
            SELECT search_name, id FROM name_marks WHERE (search_name, id) > (\(bind: name), \(bind: id)) ORDER BY search_name, id LIMIT 1
            """).first()
        var range: SQLQueryString = "(users.search_name, users.id) >= (\(bind: name), \(bind: id))"
        var newMarks: SQLQueryString = "(later.search_name, later.id) > (\(bind: name), \(bind: id))"
        if let next {
            let (nextName, nextID) = (try next.decode(column: "search_name", as: String.self), try next.decode(column: "id", as: UUID.self))
            range = "\(range) AND (users.search_name, users.id) < (\(bind: nextName), \(bind: nextID))"
            newMarks = "\(newMarks) AND (later.search_name, later.id) < (\(bind: nextName), \(bind: nextID))"
        }
        // The stretch's people numbered in order; a new mark at every `stretch`-th after the first.
        let numbered: SQLQueryString = """
            SELECT users.search_name, users.id, CASE WHEN users.is_active THEN 1 ELSE 0 END AS active,
                ROW_NUMBER() OVER (ORDER BY users.search_name, users.id) - 1 AS n
            FROM users WHERE \(range)
            """
        try await sql.raw("""
            INSERT INTO name_marks (search_name, id, people, active_people)
            SELECT first.search_name, first.id, counted.people, counted.active_people
            FROM (\(numbered)) AS first
            JOIN (SELECT n / \(literal: stretch) AS part, COUNT(*) AS people, SUM(active) AS active_people FROM (\(numbered)) AS numbered GROUP BY n / \(literal: stretch)) AS counted
                ON counted.part = first.n / \(literal: stretch)
            WHERE first.n >= \(literal: stretch) AND first.n % \(literal: stretch) = 0
            """).run()
        try await sql.raw("""
            UPDATE name_marks SET
                people = people - (SELECT COALESCE(SUM(later.people), 0) FROM name_marks later WHERE \(newMarks)),
                active_people = active_people - (SELECT COALESCE(SUM(later.active_people), 0) FROM name_marks later WHERE \(newMarks))
            WHERE search_name = \(bind: name) AND id = \(bind: id)
            """).run()
    }

    /// Every mark whose kept counts differ from a count of the table: (name, kept people, counted
    /// people, kept active, counted active). Empty when all is well. Reads everyone: for tests and
    /// `trellis check`, never for a page.
    static func verify(on db: any Database) async throws -> [String] {
        let marks = try await PlainRows.all("SELECT search_name, id, people, active_people FROM name_marks ORDER BY search_name, id", on: db)
        var problems: [String] = []
        for (index, mark) in marks.enumerated() {
            let name = try mark.string("search_name")
            let id = try mark.uuid("id")
            var range: SQLQueryString = "(users.search_name, users.id) >= (\(bind: name), \(bind: id))"
            if index + 1 < marks.count {
                range = "\(range) AND (users.search_name, users.id) < (\(bind: try marks[index + 1].string("search_name")), \(bind: try marks[index + 1].uuid("id")))"
            }
            let counted = try await PlainRows.first("""
                SELECT COUNT(*) AS people, COALESCE(SUM(CASE WHEN users.is_active THEN 1 ELSE 0 END), 0) AS active_people FROM users WHERE \(range)
                """, on: db)
            let (people, active) = (try counted?.int("people") ?? 0, try counted?.int("active_people") ?? 0)
            let (keptPeople, keptActive) = (try mark.int("people"), try mark.int("active_people"))
            if people != keptPeople || active != keptActive {
                problems.append("mark \(name) \(id): kept \(keptPeople) people (\(keptActive) active), counted \(people) (\(active))")
            }
        }
        if marks.first.map({ (try? $0.string("search_name")) != floorName || (try? $0.uuid("id")) != floorID }) ?? true {
            problems.append("the floor mark is missing")
        }
        return problems
    }
}
