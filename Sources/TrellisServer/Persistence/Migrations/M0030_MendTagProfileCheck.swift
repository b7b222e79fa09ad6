import Fluent
import FluentSQL

/// PostgreSQL only: makes M0028's check of tags' profiles again as an attack on it found it
/// should be (`M0028_CheckTagProfilesPerStatement.install`):
/// - a tag's id never changes: one statement that swapped two tags' ids and profiles left each
///   (id, profile) pair as it was, so the update's check saw no tag moved, locked neither profile,
///   and a delete of one of them meanwhile left a tag naming nobody;
/// - the functions read the tables of the schema they were made in, by name: `FROM CURRENT` kept
///   "$user", so a role with a schema of its own holding a `profiles` table was checked against it;
/// - a delete of no profile is not refused outside READ COMMITTED, and the refusal of a delete of
///   some is no longer a serialization failure, which asked the caller to retry in vain;
/// - the name marks' functions (M0013) get the same search path, which a restore by `pg_dump`
///   (run with an empty one) needs.
struct M0030_MendTagProfileCheck: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, SearchIndex.isPostgres(sql) else { return }
        try await M0028_CheckTagProfilesPerStatement.install(on: sql)
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, SearchIndex.isPostgres(sql) else { return }
        try await sql.raw("DROP TRIGGER IF EXISTS profile_tags_keep_ids ON profile_tags").run()
        try await sql.raw("DROP FUNCTION IF EXISTS trellis_profile_tags_keep_ids()").run()
    }
}
