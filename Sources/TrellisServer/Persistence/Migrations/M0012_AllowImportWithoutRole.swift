import Fluent
import FluentSQL

/// A people file may leave `role` blank for someone without a mentoring role (so that an export
/// holds everyone, managers without a role included): the staging table's `role` may be null.
/// SQLite cannot drop a NOT NULL constraint, so there the table is made again with its rows, in
/// one transaction (SQLite's schema changes are transactional): a run that fails part way, a full
/// disk say, leaves the table as it was and can simply run again.
struct M0012_AllowImportWithoutRole: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        if SearchIndex.isPostgres(sql) {
            try await sql.raw("ALTER TABLE import_people ALTER COLUMN role DROP NOT NULL").run()
            return
        }
        try await Self.rebuild(roleRequired: false, on: database)
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        if SearchIndex.isPostgres(sql) {
            try await DatabaseWrites.transaction(on: database) { tx in
                let sql = tx as! any SQLDatabase
                try await sql.raw("DELETE FROM import_people WHERE role IS NULL").run()
                try await sql.raw("ALTER TABLE import_people ALTER COLUMN role SET NOT NULL").run()
            }
            return
        }
        try await Self.rebuild(roleRequired: true, on: database)
    }

    /// The staging table made again with its rows (those without a role left out when it is
    /// required), all or nothing.
    static func rebuild(roleRequired: Bool, on database: any Database) async throws {
        try await DatabaseWrites.transaction(on: database) { tx in
            let sql = tx as! any SQLDatabase
            try await sql.raw("DROP TABLE IF EXISTS import_people_rebuilt").run()
            try await create("import_people_rebuilt", roleRequired: roleRequired, on: tx)
            try await sql.raw("INSERT INTO import_people_rebuilt SELECT * FROM import_people\(unsafeRaw: roleRequired ? " WHERE role IS NOT NULL" : "")").run()
            try await sql.raw("DROP TABLE import_people").run()
            try await sql.raw("ALTER TABLE import_people_rebuilt RENAME TO import_people").run()
            try await sql.raw("CREATE INDEX idx_import_people_user ON import_people (user_id)").run()
        }
    }

    /// The staging table as M0003 made it (the same columns in the same order), with `role`
    /// required or not.
    static func create(_ name: String, roleRequired: Bool, on database: any Database) async throws {
        let builder = database.schema(name)
            .field("job_id", .uuid, .required)
            .field("user_id", .uuid, .required)
            .field("is_new", .bool, .required)
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("search_name", .string, .required)
        if roleRequired { _ = builder.field("role", .string, .required) } else { _ = builder.field("role", .string) }
        try await builder
            .field("department", .string, .required)
            .field("manager_email", .string)
            .field("timezone", .string, .required)
            .field("capacity", .int)
            .field("meeting_frequency", .string)
            .field("years_experience", .int)
            .field("doc_name", .string, .required)
            .field("doc_expertise", .string, .required)
            .field("doc_development", .string, .required)
            .field("doc_other", .string, .required)
            .create()
    }
}
