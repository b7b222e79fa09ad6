import Fluent
import FluentSQL
import Foundation

/// Paging along the name index from a person (keyset paging), for the directory and the people
/// list: Previous and Next name the person at the edge of the page seen and the name they had
/// then, so a deep page costs what the first does, and people added, removed or renamed meanwhile
/// neither repeat nor go missing.
enum NamePaging {
    /// Where a page starts: after (or before) a person, at the name they had.
    struct Cursor: Sendable {
        var id: UUID
        var name: String
        var forward: Bool
    }

    /// The cursor a request names: `after` or `before` a person's id, at `at` (the name as the
    /// page's links carry it) or, without one, at the person's current name. Nil when there is no
    /// cursor or the person is unknown.
    static func cursor(after: String?, before: String?, at: String?, on db: any Database) async throws -> Cursor? {
        guard let text = after ?? before, let id = UUID(uuidString: text) else { return nil }
        let given = at.map { $0.scalarPrefix(400) }.flatMap { $0.isEmpty ? nil : $0 }
        let name: String? = if let given { given } else {
            try await PlainRows.first("SELECT search_name FROM users WHERE id = \(bind: id)", on: db)?.string("search_name")
        }
        guard let name else { return nil }
        return Cursor(id: id, name: name, forward: after != nil)
    }

    struct Page: Sendable {
        /// In name order.
        var rows: [PlainRow]
        /// Someone comes before the first row (or after the last) under the same filter.
        var hasPrevious: Bool
        var hasNext: Bool
    }

    /// One page of `columns` from `from` under `filter` (which must read `users`), from the cursor.
    /// Nil when nothing follows a forward cursor (the caller shows the numbered page instead). A
    /// page before a person that comes up short is the first page.
    static func page(_ columns: SQLQueryString, from: SQLQueryString, filter: SQLQueryString, cursor: Cursor, size: Int, on db: any Database) async throws -> Page? {
        let (beyond, back, order): (SQLQueryString, SQLQueryString, SQLQueryString) = cursor.forward
            ? (">", "<=", "ASC") : ("<", ">=", "DESC")
        let found = try await PlainRows.all("""
            SELECT \(columns) FROM \(from) WHERE \(filter) AND (users.search_name, users.id) \(beyond) (\(bind: cursor.name), \(bind: cursor.id))
            ORDER BY users.search_name \(order), users.id \(order) LIMIT \(literal: size + 1)
            """, on: db)
        if cursor.forward, found.isEmpty { return nil }
        let more = found.count > size
        let rows = Array(found.prefix(size))
        // Is anyone on the cursor's side of it (the page the links came from)?
        let behind = try await PlainRows.first("""
            SELECT users.id FROM \(from) WHERE \(filter) AND (users.search_name, users.id) \(back) (\(bind: cursor.name), \(bind: cursor.id))
            ORDER BY users.search_name \(unsafeRaw: cursor.forward ? "DESC" : "ASC"), users.id \(unsafeRaw: cursor.forward ? "DESC" : "ASC") LIMIT 1
            """, on: db) != nil
        return cursor.forward
            ? Page(rows: rows, hasPrevious: behind, hasNext: more)
            : Page(rows: rows.reversed(), hasPrevious: more, hasNext: behind)
    }

    /// The number a page read from a cursor is labelled with: the one asked for, kept consistent
    /// with what is around it (the first page has no one before it, the last no one after it).
    static func label(asked: Int, pageCount: Int, hasPrevious: Bool, hasNext: Bool) -> Int {
        var number = min(max(asked, 1), pageCount)
        number = hasPrevious ? max(number, min(2, pageCount)) : 1
        if hasNext { number = min(number, max(1, pageCount - 1)) } else if hasPrevious { number = pageCount }
        return number
    }
}
