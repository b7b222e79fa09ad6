import Fluent
import FluentSQL

/// Indexes for the directory's searches and the throttle's look-ups (SQL works on both databases).
struct M0002_AddSearchIndexes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX idx_profile_tags_kind_key ON profile_tags (kind, key)").run()
        try await sql.raw("CREATE INDEX idx_profiles_department ON profiles (department)").run()
        try await sql.raw("CREATE INDEX idx_profiles_manager ON profiles (manager_id)").run()
        try await sql.raw("CREATE INDEX idx_sign_in_attempts_email ON sign_in_attempts (email, created_at)").run()
        try await sql.raw("CREATE INDEX idx_sign_in_attempts_address ON sign_in_attempts (address, created_at)").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for index in ["idx_profile_tags_kind_key", "idx_profiles_department", "idx_profiles_manager", "idx_sign_in_attempts_email", "idx_sign_in_attempts_address"] {
            try await sql.raw("DROP INDEX \(unsafeRaw: index)").run()
        }
    }
}
