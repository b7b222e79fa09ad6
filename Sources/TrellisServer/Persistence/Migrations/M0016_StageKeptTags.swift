import Fluent

/// Marks the staged people of an import whose name and tags stand in the file as they are stored
/// (`import_people.keeps_tags`): the import leaves their tags and search entries alone instead of
/// deleting and writing the same rows again. A file of 100,000 people with a new department each
/// rewrote 1.4 million tags and as many search rows for nothing. `recounts` marks, as the import
/// writes, those whose holdings of tags change (tags rewritten, or a new role), so that the tag
/// counts are adjusted for them alone rather than counted again for everyone.
struct M0016_StageKeptTags: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One column a statement: SQLite adds one at a time.
        for column in ["keeps_tags", "recounts"] {
            try await database.schema("import_people").field(.string(column), .bool, .required, .sql(.default(false))).update()
        }
    }

    func revert(on database: any Database) async throws {
        for column in ["recounts", "keeps_tags"] {
            try await database.schema("import_people").deleteField(.string(column)).update()
        }
    }
}
