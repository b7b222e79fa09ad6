import Fluent
import FluentSQL

/// Marks along the alphabetical list of everyone, with how many people come between one and the
/// next, kept by triggers on `users` (`NameMarks`): a page number typed far into the directory or
/// the people list starts from the mark before it instead of counting everyone before it.
///
/// The triggers live in the database so that no write, whichever code makes it, can leave a count
/// behind. Each finds the mark at or before a person's (name, id) and moves its counts.
/// - SQLite: a trigger a row (one writer at a time, so nothing can interleave).
/// - PostgreSQL: a trigger a statement, over the statement's changed rows (an import's 100,000
///   rows make one update a mark, not 100,000 updates of one row). Each first takes a shared
///   advisory lock (`NameMarks.lockKey`) that only cutting a stretch takes exclusively, so that a
///   cut and an addition never both go by an old picture of a stretch, while writers never wait
///   for one another (and so never deadlock over it). Transition tables cannot go with a column
///   list, so the update trigger runs for every update of `users` and changes only the marks
///   whose counts move.
struct M0013_KeepNameMarks: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("name_marks")
            .field("search_name", .string, .required)
            .field("id", .uuid, .required)
            .field("people", .int, .required)
            .field("active_people", .int, .required)
            .compositeIdentifier(over: "search_name", "id")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        if SearchIndex.isPostgres(sql) {
            // The people a statement added (+1) and removed (-1), each counted at its mark.
            func function(_ name: String, added: Bool, removed: Bool) -> String {
                var changed: [String] = []
                if added { changed.append("SELECT search_name, id, 1 AS sign, CASE WHEN is_active THEN 1 ELSE 0 END AS active FROM added") }
                if removed { changed.append("SELECT search_name, id, -1 AS sign, CASE WHEN is_active THEN -1 ELSE 0 END AS active FROM removed") }
                return """
                    CREATE FUNCTION \(name)() RETURNS trigger LANGUAGE plpgsql AS $body$
                    BEGIN
                        PERFORM pg_advisory_xact_lock_shared(\(NameMarks.lockKey));
                        UPDATE name_marks m SET people = m.people + d.people, active_people = m.active_people + d.active
                        FROM (
                            SELECT mark.search_name, mark.id, SUM(c.sign) AS people, SUM(c.active) AS active
                            FROM (\(changed.joined(separator: " UNION ALL "))) AS c
                            CROSS JOIN LATERAL (
                                SELECT nm.search_name, nm.id FROM name_marks nm WHERE (nm.search_name, nm.id) <= (c.search_name, c.id)
                                ORDER BY nm.search_name DESC, nm.id DESC LIMIT 1
                            ) AS mark
                            GROUP BY mark.search_name, mark.id
                        ) AS d
                        WHERE m.search_name = d.search_name AND m.id = d.id AND (d.people <> 0 OR d.active <> 0);
                        RETURN NULL;
                    END
                    $body$
                    """
            }
            try await sql.raw("\(unsafeRaw: function("name_marks_insert", added: true, removed: false))").run()
            try await sql.raw("\(unsafeRaw: function("name_marks_delete", added: false, removed: true))").run()
            try await sql.raw("\(unsafeRaw: function("name_marks_update", added: true, removed: true))").run()
            try await sql.raw("""
                CREATE TRIGGER name_marks_insert AFTER INSERT ON users REFERENCING NEW TABLE AS added
                FOR EACH STATEMENT EXECUTE FUNCTION name_marks_insert()
                """).run()
            try await sql.raw("""
                CREATE TRIGGER name_marks_delete AFTER DELETE ON users REFERENCING OLD TABLE AS removed
                FOR EACH STATEMENT EXECUTE FUNCTION name_marks_delete()
                """).run()
            try await sql.raw("""
                CREATE TRIGGER name_marks_update AFTER UPDATE ON users REFERENCING OLD TABLE AS removed NEW TABLE AS added
                FOR EACH STATEMENT EXECUTE FUNCTION name_marks_update()
                """).run()
        } else {
            let active: (String) -> String = { "CASE WHEN \($0).is_active THEN 1 ELSE 0 END" }
            // The mark at or before a row of users (`OLD` or `NEW`), by its key.
            let markOf: (String) -> String = { row in
                """
                (search_name, id) = (SELECT m.search_name, m.id FROM name_marks m WHERE (m.search_name, m.id) <= (\(row).search_name, \(row).id)
                    ORDER BY m.search_name DESC, m.id DESC LIMIT 1)
                """
            }
            let remove = "UPDATE name_marks SET people = people - 1, active_people = active_people - \(active("OLD")) WHERE \(markOf("OLD"));"
            let add = "UPDATE name_marks SET people = people + 1, active_people = active_people + \(active("NEW")) WHERE \(markOf("NEW"));"
            try await sql.raw("\(unsafeRaw: "CREATE TRIGGER name_marks_insert AFTER INSERT ON users BEGIN \(add) END")").run()
            try await sql.raw("\(unsafeRaw: "CREATE TRIGGER name_marks_delete AFTER DELETE ON users BEGIN \(remove) END")").run()
            let update = """
                CREATE TRIGGER name_marks_update AFTER UPDATE OF search_name, is_active, id ON users
                WHEN OLD.search_name IS NOT NEW.search_name OR OLD.is_active IS NOT NEW.is_active OR OLD.id IS NOT NEW.id
                BEGIN \(remove) \(add) END
                """
            try await sql.raw("\(unsafeRaw: update)").run()
        }
        try await DatabaseWrites.transaction(on: database) { tx in try await NameMarks.rebuild(on: tx) }
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            for name in ["name_marks_insert", "name_marks_delete", "name_marks_update"] {
                if SearchIndex.isPostgres(sql) {
                    try await sql.raw("DROP TRIGGER IF EXISTS \(ident: name) ON users").run()
                    try await sql.raw("DROP FUNCTION IF EXISTS \(ident: name)()").run()
                } else {
                    try await sql.raw("DROP TRIGGER IF EXISTS \(ident: name)").run()
                }
            }
        }
        try await database.schema("name_marks").delete()
    }
}
