import Fluent
import FluentSQL

/// Full-text search over people's names and tags (`SearchIndex`): FTS5 on SQLite, a `tsvector`
/// with a GIN index on PostgreSQL, filled from the people already stored.
struct M0005_CreatePeopleSearch: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await SearchIndex.create(on: sql)
        try await SearchIndex.rebuild(on: database)
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await SearchIndex.drop(on: sql)
    }
}
