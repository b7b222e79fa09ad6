import Fluent
import FluentSQL

/// Replaces the index of `people_search_tags` on the person alone with one on the person, the
/// key and the kind, so that checking whether a person has a tag that is exactly the search reads
/// one entry instead of every tag of theirs. (M0027 goes back to the person alone: that check now
/// reads `profile_tags`' index.)
struct M0011_IndexTagsByPersonAndKey: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX IF NOT EXISTS idx_people_search_tags_person_key ON people_search_tags (person_id, key, kind)").run()
        try await sql.raw("DROP INDEX IF EXISTS idx_people_search_tags_person").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX IF NOT EXISTS idx_people_search_tags_person ON people_search_tags (person_id)").run()
        try await sql.raw("DROP INDEX IF EXISTS idx_people_search_tags_person_key").run()
    }
}
