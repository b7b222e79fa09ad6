import Fluent
import FluentSQL

/// Imports as background jobs: the uploaded file and the job's progress (`import_jobs`), and the
/// staging tables that a job fills in small batches before one short transaction applies them.
struct M0003_CreateImportJobs: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("import_jobs")
            .id()
            .field("admin_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("filename", .string, .required)
            .field("csv", .string, .required)
            .field("state", .string, .required)
            .field("total_rows", .int, .required)
            .field("staged_rows", .int, .required)
            .field("created_count", .int, .required)
            .field("updated_count", .int, .required)
            .field("unchanged_count", .int, .required)
            .field("message", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("heartbeat_at", .datetime)
            .field("finished_at", .datetime)
            .create()

        try await database.schema("import_people")
            .field("job_id", .uuid, .required)
            .field("user_id", .uuid, .required)
            .field("is_new", .bool, .required)
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("search_name", .string, .required)
            .field("role", .string, .required)
            .field("department", .string, .required)
            .field("manager_email", .string)
            .field("timezone", .string, .required)
            .field("capacity", .int)
            .field("meeting_frequency", .string)
            .field("years_experience", .int)
            // The person's search document (see SearchIndex), folded in Swift.
            .field("doc_name", .string, .required)
            .field("doc_expertise", .string, .required)
            .field("doc_development", .string, .required)
            .field("doc_other", .string, .required)
            .create()

        try await database.schema("import_tags")
            .field("job_id", .uuid, .required)
            .field("id", .uuid, .required)
            .field("profile_id", .uuid, .required)
            .field("kind", .string, .required)
            .field("name", .string, .required)
            .field("key", .string, .required)
            .field("position", .int, .required)
            .create()

        guard let sql = database as? any SQLDatabase else { return }
        // Staged people are joined to profiles and search rows by person; the staging tables hold
        // one job's rows at a time, read and deleted whole, so job_id needs no index.
        try await sql.raw("CREATE INDEX idx_import_people_user ON import_people (user_id)").run()
        try await sql.raw("CREATE INDEX idx_users_search_name ON users (search_name, id)").run()
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase { try await sql.raw("DROP INDEX idx_users_search_name").run() }
        for table in ["import_tags", "import_people", "import_jobs"] {
            try await database.schema(table).delete()
        }
    }
}
