import Fluent
import FluentSQL

/// Marks along the alphabetical list of everyone, with how many people come between one and the
/// next, kept by triggers on `users` (`NameMarks`): a page number typed far into the directory or
/// the people list starts from the mark before it instead of counting everyone before it.
///
/// The triggers live in the database so that no write, whichever code makes it, can leave a count
/// behind. Each finds the mark at or before the person's (name, id) and moves its counts by one.
/// On PostgreSQL they first lock `name_marks` against other writers of it (readers still read), so
/// that a stretch being cut and a person being added to it never both go by an old picture of it.
/// An import pauses them for its own transaction (a row in `name_marks_paused` that only that
/// transaction sees) and sets every mark afresh at its end.
struct M0013_KeepNameMarks: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("name_marks")
            .field("search_name", .string, .required)
            .field("id", .uuid, .required)
            .field("people", .int, .required)
            .field("active_people", .int, .required)
            .compositeIdentifier(over: "search_name", "id")
            .create()
        try await database.schema("name_marks_paused")
            .field("paused", .int, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        let postgres = SearchIndex.isPostgres(sql)
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
        if postgres {
            let function = """
                CREATE FUNCTION name_marks_keep() RETURNS trigger LANGUAGE plpgsql AS $body$
                BEGIN
                    IF EXISTS (SELECT 1 FROM name_marks_paused) THEN RETURN NULL; END IF;
                    LOCK TABLE name_marks IN SHARE ROW EXCLUSIVE MODE;
                    IF TG_OP IN ('UPDATE', 'DELETE') THEN \(remove) END IF;
                    IF TG_OP IN ('UPDATE', 'INSERT') THEN \(add) END IF;
                    RETURN NULL;
                END
                $body$
                """
            try await sql.raw("\(unsafeRaw: function)").run()
            try await sql.raw("CREATE TRIGGER name_marks_insert_delete AFTER INSERT OR DELETE ON users FOR EACH ROW EXECUTE FUNCTION name_marks_keep()").run()
            try await sql.raw("""
                CREATE TRIGGER name_marks_update AFTER UPDATE OF search_name, is_active ON users FOR EACH ROW
                WHEN (OLD.search_name IS DISTINCT FROM NEW.search_name OR OLD.is_active IS DISTINCT FROM NEW.is_active)
                EXECUTE FUNCTION name_marks_keep()
                """).run()
        } else {
            let running = "NOT EXISTS (SELECT 1 FROM name_marks_paused)"
            try await sql.raw("\(unsafeRaw: "CREATE TRIGGER name_marks_insert AFTER INSERT ON users WHEN \(running) BEGIN \(add) END")").run()
            try await sql.raw("\(unsafeRaw: "CREATE TRIGGER name_marks_delete AFTER DELETE ON users WHEN \(running) BEGIN \(remove) END")").run()
            let update = """
                CREATE TRIGGER name_marks_update AFTER UPDATE OF search_name, is_active ON users
                WHEN (OLD.search_name IS NOT NEW.search_name OR OLD.is_active IS NOT NEW.is_active) AND \(running)
                BEGIN \(remove) \(add) END
                """
            try await sql.raw("\(unsafeRaw: update)").run()
        }
        try await DatabaseWrites.transaction(on: database) { tx in try await NameMarks.rebuild(on: tx) }
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            if SearchIndex.isPostgres(sql) {
                try await sql.raw("DROP TRIGGER IF EXISTS name_marks_insert_delete ON users").run()
                try await sql.raw("DROP TRIGGER IF EXISTS name_marks_update ON users").run()
                try await sql.raw("DROP FUNCTION IF EXISTS name_marks_keep()").run()
            } else {
                for name in ["name_marks_insert", "name_marks_delete", "name_marks_update"] {
                    try await sql.raw("DROP TRIGGER IF EXISTS \(ident: name)").run()
                }
            }
        }
        try await database.schema("name_marks_paused").delete()
        try await database.schema("name_marks").delete()
    }
}
