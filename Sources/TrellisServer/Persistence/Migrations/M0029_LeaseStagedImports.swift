import Fluent

/// One row for each import that has rows staged (`import_people`, `import_tags`), kept alive
/// while it runs (`PeopleImport.Lease`). The staged rows of an import whose process went away
/// (killed, or the machine stopped) were never deleted: 1.7 million rows for a file of 100,000
/// people, and on SQLite every later import then deleted its own row by row instead of emptying
/// the tables. The next import deletes the rows of any lease that has not been renewed for
/// `ImportJob.stalledAfter`.
struct M0029_LeaseStagedImports: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("import_leases")
            .field("job_id", .uuid, .identifier(auto: false))
            .field("alive_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("import_leases").delete()
    }
}
