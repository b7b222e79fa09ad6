import Fluent
import FluentSQL

/// Indexes again the people whose name or tags hold "+" or "#", now that a word ending in them
/// keeps them spelled out (`SearchIndex.tokens`: "C++" is the word "cplusplus", not "c"). Nobody
/// else's document changes, so nobody else is read.
struct M0017_SpellOutPlusAndSharp: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        // The signs, and their full-width forms, which searching folds to them.
        let signs: SQLQueryString = "(name LIKE '%+%' OR name LIKE '%#%' OR name LIKE '%\u{FF0B}%' OR name LIKE '%\u{FF03}%')"
        let ids = try await PlainRows.all("""
            SELECT id FROM users WHERE \(signs) UNION SELECT profile_id AS id FROM profile_tags WHERE \(signs)
            """, on: database).map { try $0.uuid("id") }
        for chunk in ids.chunked(into: 500) {
            let names = try await PlainRows.all("SELECT id, name FROM users WHERE id IN (\(binds: Array(chunk) as [any Encodable & Sendable]))", on: database)
            let tags = try await PeopleStore.tags(of: Array(chunk), on: database)
            for row in names {
                let id = try row.uuid("id")
                try await SearchIndex.update(id, SearchIndex.Document(name: try row.string("name"), tags: tags[id] ?? [:]), on: sql)
            }
        }
    }

    /// Nothing to undo: the documents are ones the index can hold either way.
    func revert(on database: any Database) async throws {}
}
