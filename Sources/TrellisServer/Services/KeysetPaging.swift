import Fluent
import SQLKit

/// A page of rows along one ordered column from an edge (keyset paging): the rows after the
/// `after` value, or before the `before` value, or the first page; each page reads its own rows
/// and one more, however far into the list it is. The program roster, a run's proposal and the
/// program's pairs page this way.
struct KeysetPaging<Edge: Encodable & Sendable> {
    /// The ordered column, as the queries name it (`e.id`): unique among the rows paged. Written
    /// into the SQL as it is, so a literal in the code, never input.
    var column: StaticString
    /// Whether the list runs in the column's ascending order.
    var ascending = true
    var after: Edge?
    var before: Edge?
    var size: Int

    /// Whether the page runs on from `after` (or is the first) rather than back from `before`.
    var forward: Bool { before == nil }
    private var edge: Edge? { after ?? before }
    /// Whether the rows are read in the column's ascending order (going back, the other way).
    private var readsAscending: Bool { ascending == forward }

    struct Page {
        /// The rows in the list's order.
        var rows: [PlainRow]
        var hasPrevious: Bool
        var hasNext: Bool
    }

    /// Reads the page. `rows(beyond)` is the `SELECT … WHERE …` of the list with `beyond` among
    /// its conditions (the rows past the edge, or a condition that always holds on the first
    /// page), to which the order and the limit are added; `exists(behind)` the same of the rows on
    /// the other side of the edge, read only to say whether there is a page that way.
    func read(
        rows: (_ beyond: SQLQueryString) -> SQLQueryString, exists: (_ behind: SQLQueryString) -> SQLQueryString, on db: any Database
    ) async throws -> Page {
        let beyond: SQLQueryString = edge.map { "\(unsafeRaw: column.description) \(unsafeRaw: readsAscending ? ">" : "<") \(bind: $0)" } ?? "1 = 1"
        let found = try await PlainRows.all("""
            \(rows(beyond)) ORDER BY \(unsafeRaw: column.description) \(unsafeRaw: readsAscending ? "ASC" : "DESC") LIMIT \(literal: size + 1)
            """, on: db)
        let more = found.count > size
        var page = Array(found.prefix(size))
        if !forward { page.reverse() }
        var behind = false
        if let edge {
            let side: SQLQueryString = "\(unsafeRaw: column.description) \(unsafeRaw: readsAscending ? "<=" : ">=") \(bind: edge)"
            behind = try await PlainRows.first("\(exists(side)) LIMIT 1", on: db) != nil
        }
        return forward ? Page(rows: page, hasPrevious: behind, hasNext: more) : Page(rows: page, hasPrevious: more, hasNext: behind)
    }
}
