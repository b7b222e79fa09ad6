import Fluent
import FluentSQL

/// What lets a search read its results in order instead of ranking every match
/// (`SearchIndex.createOrderStructures`): the names in their own full-text index, and every tag's
/// key beside its holder's sorting name; and on SQLite, documents stored as their words
/// (`SearchIndex.storeDocumentsAsWords`), so that one person's document can be checked without
/// the index. Filled from what is stored.
struct M0009_CreateSearchOrder: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await SearchIndex.storeDocumentsAsWords(on: sql)
        try await SearchIndex.createOrderStructures(on: sql)
        try await SearchIndex.fillOrderStructures(on: sql)
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await SearchIndex.dropOrderStructures(on: sql)
    }
}
