import Fluent
import FluentSQL

/// How many active people hold each tag, by their mentoring role (`DirectoryCounts.TagHolding`),
/// kept up to date on write: the total of the directory filtered by a tag ("mentors of Swift")
/// without counting the tag's holders on every page.
struct M0014_KeepTagHolders: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("tag_holders")
            .field("kind", .string, .required)
            .field("key", .string, .required)
            .field("role", .string, .required)
            .field("people", .int, .required)
            .compositeIdentifier(over: "key", "kind", "role")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await DirectoryCounts.rebuildTagHolders(on: sql)
    }

    func revert(on database: any Database) async throws {
        try await database.schema("tag_holders").delete()
    }
}
