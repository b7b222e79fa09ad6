import Fluent
import FluentSQL

/// Counts kept up to date on every write, so that pages never count the organisation: the
/// departments and time zones in use (the directory's filters) and how many people use each tag
/// (suggestions while typing).
struct M0004_CreateDirectoryCounts: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("directory_facets")
            .field("kind", .string, .required)
            .field("value", .string, .required)
            .field("people", .int, .required)
            .compositeIdentifier(over: "kind", "value")
            .create()
        try await database.schema("tag_counts")
            .field("kind", .string, .required)
            .field("key", .string, .required)
            .field("name", .string, .required)
            .field("people", .int, .required)
            .compositeIdentifier(over: "kind", "key")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX idx_tag_counts_popular ON tag_counts (kind, people)").run()
        // The directory's alphabetical pages, read from the index alone, however deep the page.
        try await sql.raw("CREATE INDEX idx_users_directory ON users (is_active, search_name, id)").run()
        try await DirectoryCounts.rebuild(on: sql, tagHolders: false)
    }

    func revert(on database: any Database) async throws {
        try await database.schema("tag_counts").delete()
        try await database.schema("directory_facets").delete()
    }
}
