import Fluent
import FluentSQL
import Vapor

/// PostgreSQL only: `profile_tags.profile_id` is checked against `profiles` once per statement
/// rather than once per row. The foreign key (M0001) checked each inserted tag on its own, through
/// a trigger per row; an import of 100,000 people writes 1.7 million tags in one statement, and
/// the check was 7 of the 15 s that statement took (`psql`, the import's unicode file), where one
/// look over all of the statement's rows takes 2–3 s.
///
/// The triggers keep the foreign key's meaning, as PostgreSQL's own checks do it:
/// - a tag inserted, or moved to another profile, must name a profile, which stays locked
///   (`FOR KEY SHARE`, as the key's check takes it) until the writer commits, so that a delete of
///   that profile waits for it, and a tag whose profile is being deleted meanwhile is refused once
///   the delete commits (foreign_key_violation, the key's own error);
/// - deleting profiles deletes their tags (the key's `ON DELETE CASCADE`);
/// - a profile's id cannot change while tags name it (the key's `NO ACTION` on update);
/// - `TRUNCATE profiles` is refused while tags remain (truncate the two together).
/// Where they differ: profiles are deleted, and their ids changed, only in READ COMMITTED
/// transactions (as Trellis writes), since a trigger cannot see tags committed after its
/// transaction's snapshot; a tag naming a profile that another writer commits during the same
/// statement is refused; a tag's id never changes (the check knows a tag by it); and
/// `ALTER TABLE … DISABLE TRIGGER USER` turns the check off, as it would not the key's. (M0030 made
/// the functions again with the id kept and the schema named; this migration now makes them so.)
///
/// SQLite keeps the foreign key: it checks a row in a B-tree lookup, with no trigger to run.
struct M0028_CheckTagProfilesPerStatement: AsyncMigration {
    static let constraint = "profile_tags_profile_id_fkey"

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, SearchIndex.isPostgres(sql) else { return }
        try await Self.install(on: sql)
    }

    /// Makes (or makes again, as M0030 does with what an attack found) the functions and triggers
    /// that keep the key.
    static func install(on sql: any SQLDatabase) async throws {
        let constraint = Self.constraint
        func violation(_ message: String) -> String {
            "RAISE foreign_key_violation USING MESSAGE = '\(message)', TABLE = 'profile_tags', CONSTRAINT = '\(constraint)';"
        }
        let missing = violation("insert or update on table \"profile_tags\" violates foreign key constraint \"\(constraint)\": a tag names a profile that is not present in table \"profiles\"")
        // Trellis writes in READ COMMITTED. From an older snapshot (REPEATABLE READ, SERIALIZABLE)
        // a delete cannot see tags written meanwhile by a writer it waited for, which the foreign
        // key's cascade would have refused with a serialization failure: refused here too, with
        // an error that does not invite a retry (which would be refused again).
        let readCommittedOnly = """
            IF current_setting('transaction_isolation') <> 'read committed' THEN
                RAISE object_not_in_prerequisite_state USING MESSAGE = 'profiles are deleted, and their ids changed, in READ COMMITTED transactions only: profile_tags'' check cannot see tags written meanwhile from an older snapshot';
            END IF;
            """
        // Functions of this schema's tables whatever the caller's search path: the schema they are
        // made in, by name (`FROM CURRENT` kept "$user", which names another schema for each
        // role), and temporary tables last.
        guard let schema = try await sql.raw("SELECT current_schema() AS s").first()?.decode(column: "s", as: String?.self) else {
            throw Abort(.internalServerError, reason: "The database has no current schema to make profile_tags' check in.")
        }
        let quoted = "\"" + schema.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        let function = "LANGUAGE plpgsql SET search_path = \(quoted), pg_temp AS"
        // The profiles a statement's tags name (`named`, a query over the transition tables) are
        // locked and counted in one statement: a profile that a second statement (a newer
        // snapshot) found, but the first had not locked, could be deleted before the writer
        // commits. One committed by someone else during the statement is not seen, and the tag is
        // refused where the foreign key would have taken it: safe, and rare.
        func check(_ named: String) -> String {
            """
            SELECT COUNT(*) INTO locked FROM (SELECT 1 FROM profiles p WHERE p.id IN (SELECT n.profile_id FROM (\(named)) AS n)
                ORDER BY p.id FOR KEY SHARE OF p) AS l;
            IF locked < (SELECT COUNT(DISTINCT n.profile_id) FROM (\(named)) AS n) THEN
                \(missing)
            END IF;
            """
        }
        for statement in [
            """
            CREATE OR REPLACE FUNCTION trellis_profile_tags_name_profiles() RETURNS trigger \(function) $$
            DECLARE locked bigint;
            BEGIN
                \(check("SELECT w.profile_id FROM written w"))
                RETURN NULL;
            END $$
            """,
            // Updates check only the tags moved to another profile, as the key does (tags are
            // not updated by Trellis today; a position changed must not lock the profile). A tag
            // is known by its id, which therefore never changes (below): an update that swapped
            // two tags' ids and profiles left each (id, profile) pair as it was, unchecked, while
            // the row that named one profile now named another.
            """
            CREATE OR REPLACE FUNCTION trellis_profile_tags_move_profiles() RETURNS trigger \(function) $$
            DECLARE locked bigint;
            BEGIN
                \(check("SELECT w.profile_id FROM written w WHERE NOT EXISTS (SELECT 1 FROM previous b WHERE b.id = w.id AND b.profile_id = w.profile_id)"))
                RETURN NULL;
            END $$
            """,
            """
            CREATE OR REPLACE FUNCTION trellis_profile_tags_keep_ids() RETURNS trigger \(function) $$
            BEGIN
                RAISE feature_not_supported USING MESSAGE = 'a tag''s id does not change (profile_tags'' check of its profile knows a tag by its id): delete the tag and insert another', TABLE = 'profile_tags';
            END $$
            """,
            // A delete of no profile (a person without one, a condition that matched nobody) has
            // nothing to check, whatever the isolation.
            """
            CREATE OR REPLACE FUNCTION trellis_profiles_delete_tags() RETURNS trigger \(function) $$
            BEGIN
                IF NOT EXISTS (SELECT 1 FROM removed) THEN
                    RETURN NULL;
                END IF;
                \(readCommittedOnly)
                DELETE FROM profile_tags t WHERE t.profile_id IN (SELECT r.id FROM removed r);
                RETURN NULL;
            END $$
            """,
            """
            CREATE OR REPLACE FUNCTION trellis_profiles_keep_tagged_ids() RETURNS trigger \(function) $$
            BEGIN
                \(readCommittedOnly)
                IF EXISTS (SELECT 1 FROM profile_tags t WHERE t.profile_id = OLD.id) THEN
                    \(violation("update on table \"profiles\" violates foreign key constraint \"\(constraint)\" on table \"profile_tags\""))
                END IF;
                RETURN NULL;
            END $$
            """,
            // TRUNCATE runs no delete triggers: as the key did, it is refused while tags remain
            // (`TRUNCATE profiles, profile_tags` empties both).
            """
            CREATE OR REPLACE FUNCTION trellis_profiles_truncate_with_tags() RETURNS trigger \(function) $$
            BEGIN
                IF EXISTS (SELECT 1 FROM profile_tags) THEN
                    \(violation("cannot truncate table \"profiles\" while table \"profile_tags\" names its rows: truncate both together"))
                END IF;
                RETURN NULL;
            END $$
            """,
            "DROP TRIGGER IF EXISTS profile_tags_name_profiles_on_insert ON profile_tags",
            """
            CREATE TRIGGER profile_tags_name_profiles_on_insert AFTER INSERT ON profile_tags
            REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION trellis_profile_tags_name_profiles()
            """,
            "DROP TRIGGER IF EXISTS profile_tags_name_profiles_on_update ON profile_tags",
            """
            CREATE TRIGGER profile_tags_name_profiles_on_update AFTER UPDATE ON profile_tags
            REFERENCING OLD TABLE AS previous NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION trellis_profile_tags_move_profiles()
            """,
            "DROP TRIGGER IF EXISTS profile_tags_keep_ids ON profile_tags",
            """
            CREATE TRIGGER profile_tags_keep_ids BEFORE UPDATE OF id ON profile_tags
            FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION trellis_profile_tags_keep_ids()
            """,
            "DROP TRIGGER IF EXISTS profiles_delete_tags ON profiles",
            """
            CREATE TRIGGER profiles_delete_tags AFTER DELETE ON profiles
            REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION trellis_profiles_delete_tags()
            """,
            "DROP TRIGGER IF EXISTS profiles_keep_tagged_ids ON profiles",
            """
            CREATE TRIGGER profiles_keep_tagged_ids AFTER UPDATE OF id ON profiles
            FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION trellis_profiles_keep_tagged_ids()
            """,
            "DROP TRIGGER IF EXISTS profiles_truncate_with_tags ON profiles",
            """
            CREATE TRIGGER profiles_truncate_with_tags AFTER TRUNCATE ON profiles
            FOR EACH STATEMENT EXECUTE FUNCTION trellis_profiles_truncate_with_tags()
            """,
            "ALTER TABLE profile_tags DROP CONSTRAINT IF EXISTS \"\(constraint)\"",
            // The name marks' functions (M0013) too: with no search path of their own, a restore
            // by `pg_dump` (which empties it) could not write users.
            "ALTER FUNCTION name_marks_insert() SET search_path = \(quoted), pg_temp",
            "ALTER FUNCTION name_marks_delete() SET search_path = \(quoted), pg_temp",
            "ALTER FUNCTION name_marks_update() SET search_path = \(quoted), pg_temp",
        ] {
            try await sql.raw(SQLQueryString(statement)).run()
        }
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, SearchIndex.isPostgres(sql) else { return }
        try await sql.raw("""
            ALTER TABLE profile_tags ADD CONSTRAINT \(ident: Self.constraint)
            FOREIGN KEY (profile_id) REFERENCES profiles (id) ON DELETE CASCADE
            """).run()
        try await sql.raw("DROP TRIGGER IF EXISTS profiles_truncate_with_tags ON profiles").run()
        try await sql.raw("DROP TRIGGER IF EXISTS profiles_keep_tagged_ids ON profiles").run()
        try await sql.raw("DROP TRIGGER IF EXISTS profiles_delete_tags ON profiles").run()
        try await sql.raw("DROP TRIGGER IF EXISTS profile_tags_name_profiles_on_update ON profile_tags").run()
        try await sql.raw("DROP TRIGGER IF EXISTS profile_tags_name_profiles_on_insert ON profile_tags").run()
        try await sql.raw("DROP TRIGGER IF EXISTS profile_tags_keep_ids ON profile_tags").run()
        try await sql.raw("DROP FUNCTION IF EXISTS trellis_profile_tags_keep_ids()").run()
        try await sql.raw("DROP FUNCTION IF EXISTS trellis_profiles_truncate_with_tags()").run()
        try await sql.raw("DROP FUNCTION IF EXISTS trellis_profiles_keep_tagged_ids()").run()
        try await sql.raw("DROP FUNCTION IF EXISTS trellis_profile_tags_move_profiles()").run()
        try await sql.raw("DROP FUNCTION IF EXISTS trellis_profiles_delete_tags()").run()
        try await sql.raw("DROP FUNCTION IF EXISTS trellis_profile_tags_name_profiles()").run()
    }
}
