import Fluent
import FluentSQL
import Foundation
import TrellisCore
import Vapor

/// The program managers' list of everyone: fifty to a page in name order, searchable by name or
/// email (organisations have thousands of people), read in plain SQL.
enum PeopleList {
    static let pageSize = 50

    struct Row: Sendable {
        var id: UUID, searchName: String, name: String, email: String, role: AccountRole, hasPassword: Bool, department: String, mentoringRole: String?
    }

    struct Page: Sendable {
        var rows: [Row]
        var search: String
        var total: Int
        var pageNumber: Int
        var pageCount: Int
        /// Whether anyone comes before this page, or after it (what Previous and Next depend on).
        var hasPrevious: Bool
        var hasNext: Bool
    }

    /// One page: `requestedPage` (past the last: the last), or the page after or before a person.
    static func page(search: String, page requestedPage: Int, after: String?, before: String?, at: String?, on db: any Database) async throws -> Page {
        let pageSize = Self.pageSize
        guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError, reason: "The people list needs an SQL database.") }
        var filter: SQLQueryString = "1 = 1"
        if !search.isEmpty {
            // Words of the name through the full-text index, or the start of the email (a range
            // on its unique index).
            // One set of ids from both indexes (an OR of the two made PostgreSQL read everyone).
            let byEmail: SQLQueryString = "SELECT e.id FROM users e WHERE e.email >= \(bind: search) AND e.email < \(bind: search + "\u{10FFFF}")"
            filter = if let byName = SearchIndex.matchingIDs(search, scope: .name, on: sql) {
                "users.id IN (\(byName) UNION \(byEmail))"
            } else {
                "users.id IN (\(byEmail))"
            }
        }
        let total = search.isEmpty
            ? try await DirectoryCounts.sum([(.account, DirectoryCounts.everyone)], on: db)
            : try await PlainRows.first("SELECT COUNT(*) AS n FROM users WHERE \(filter)", on: db)?.int("n") ?? 0
        let pageCount = max(1, (total + pageSize - 1) / pageSize)
        var pageNumber = min(requestedPage, pageCount)
        // The page's ids first (read from the (search_name, id) index alone), then their rows, in
        // plain SQL (Fluent's model decoding cost more than the queries). A page after (or before)
        // a person is read along the index from them, as fast however deep; a numbered page skips
        // every earlier person, so the page links name the person at the edge.
        var pageIDs: [UUID] = []
        var (hasPrevious, hasNext) = (false, false)
        if total > pageSize, let cursor = try await NamePaging.cursor(after: after, before: before, at: at, on: db),
           let found = try await NamePaging.page("users.id", from: "users", filter: filter, cursor: cursor, size: pageSize, on: db) {
            pageIDs = try found.rows.map { try $0.uuid("id") }
            (hasPrevious, hasNext) = (found.hasPrevious, found.hasNext)
            pageNumber = NamePaging.label(asked: pageNumber, pageCount: pageCount, hasPrevious: hasPrevious, hasNext: hasNext)
        }
        if pageIDs.isEmpty {
            (hasPrevious, hasNext) = (pageNumber > 1, pageNumber < pageCount)
            let offset = (pageNumber - 1) * pageSize
            // A far page of everyone starts from the kept mark before it (`NameMarks`).
            if search.isEmpty, offset > 10 * pageSize, let marked = try await NameMarks.page(.everyone, offset: offset, limit: pageSize, on: db) {
                pageIDs = marked
            } else {
                pageIDs = try await PlainRows.all("""
                    SELECT users.id FROM users WHERE \(filter) ORDER BY users.search_name, users.id
                    LIMIT \(literal: pageSize) OFFSET \(literal: offset)
                    """, on: db).map { try $0.uuid("id") }
            }
        }
        var rowsByID: [UUID: Row] = [:]
        if !pageIDs.isEmpty {
            for row in try await PlainRows.all("""
                SELECT u.id, u.search_name, u.name, u.email, u.role, u.password_hash IS NOT NULL AS has_password, p.department, p.mentoring_role
                FROM users u LEFT JOIN profiles p ON p.id = u.id WHERE u.id IN (\(binds: pageIDs as [any Encodable & Sendable]))
                """, on: db, prepared: true) {
                let id = try row.uuid("id")
                rowsByID[id] = Row(
                    id: id, searchName: try row.string("search_name"), name: try row.string("name"), email: try row.string("email"),
                    role: AccountRole(rawValue: try row.string("role")) ?? .participant,
                    hasPassword: try row.bool("has_password"),
                    department: try row.optionalString("department") ?? "",
                    mentoringRole: try row.optionalString("mentoring_role")
                )
            }
        }
        // Ordered here, not by SQL: "ORDER BY search_name" would tempt SQLite to walk the whole
        // name index looking for fifty ids.
        let users = pageIDs.compactMap { rowsByID[$0] }
        return Page(rows: users, search: search, total: total, pageNumber: pageNumber, pageCount: pageCount, hasPrevious: hasPrevious, hasNext: hasNext)
    }
}
