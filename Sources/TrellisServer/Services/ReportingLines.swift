import Fluent
import FluentSQL
import Foundation

/// The reporting lines above some people, read by walking up from them in SQL: the work grows
/// with the length of their lines, not with the size of the organisation.
enum ReportingLines {
    /// Rows of `id, manager_id` for everyone `start` selects (a query returning those two columns
    /// from `profiles`) and everyone above them. A loop in the data ends the walk (UNION keeps each
    /// row once).
    static func above(_ start: SQLQueryString, on db: any Database) async throws -> [PlainRow] {
        try await PlainRows.all("""
            WITH RECURSIVE line(id, manager_id) AS (
                \(start)
                UNION
                SELECT p.id, p.manager_id FROM profiles p JOIN line ON p.id = line.manager_id
            )
            SELECT id, manager_id FROM line WHERE manager_id IS NOT NULL
            """, on: db)
    }
}
