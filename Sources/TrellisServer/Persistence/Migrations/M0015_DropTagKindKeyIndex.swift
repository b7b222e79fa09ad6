import Fluent
import FluentSQL

/// Drops the index of `profile_tags` by kind and key (`M0002_AddSearchIndexes`): the directory
/// finds a tag's holders through `people_search_tags`, whose key starts with the tag's key, and
/// nothing else read along it. Every tag written paid for it: 1.4 million entries in an import of
/// 100,000 people (counting the tags again is faster without it, too).
struct M0015_DropTagKindKeyIndex: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("DROP INDEX IF EXISTS idx_profile_tags_kind_key").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX IF NOT EXISTS idx_profile_tags_kind_key ON profile_tags (kind, key)").run()
    }
}
