import Fluent
import FluentSQL

/// Accounts, profiles, tags, sessions, sign-in attempts, one-time links, API tokens, audit log.
struct M0001_CreateAccountsAndProfiles: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("users")
            .id()
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("search_name", .string, .required)
            .field("role", .string, .required)
            .field("password_hash", .string)
            .field("is_active", .bool, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "email")
            .create()

        try await database.schema("profiles")
            .id()
            .field("headline", .string, .required)
            .field("bio", .string, .required)
            .field("department", .string, .required)
            .field("manager_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("years_experience", .int)
            .field("timezone", .string, .required)
            .field("mentoring_role", .string)
            .field("capacity_mentees", .int)
            .field("capacity_hours", .int)
            .field("meeting_frequency", .string)
            .field("communication_methods", .string, .required)
            .field("career_goals", .string, .required)
            .field("phone", .string, .required)
            .field("location", .string, .required)
            .field("contact_private", .bool, .required)
            .field("updated_at", .datetime)
            .foreignKey("id", references: "users", "id", onDelete: .cascade)
            .create()

        try await database.schema("profile_tags")
            .id()
            .field("profile_id", .uuid, .required, .references("profiles", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("name", .string, .required)
            .field("key", .string, .required)
            .field("position", .int, .required)
            .unique(on: "profile_id", "kind", "key")
            .create()

        try await database.schema("user_sessions")
            .id()
            .field("token_hash", .string, .required)
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("created_at", .datetime, .required)
            .field("last_seen_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .unique(on: "token_hash")
            .create()

        try await database.schema("sign_in_attempts")
            .id()
            .field("email", .string, .required)
            .field("address", .string, .required)
            .field("succeeded", .bool, .required)
            .field("created_at", .datetime, .required)
            .create()

        try await database.schema("one_time_tokens")
            .id()
            .field("token_hash", .string, .required)
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("purpose", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .field("created_by", .uuid)
            .unique(on: "token_hash")
            .create()

        try await database.schema("api_tokens")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("name", .string, .required)
            .field("token_hash", .string, .required)
            .field("hint", .string, .required)
            .field("created_at", .datetime, .required)
            .field("last_used_at", .datetime)
            .field("revoked_at", .datetime)
            .unique(on: "token_hash")
            .create()

        try await database.schema("audit_entries")
            .id()
            .field("actor_id", .uuid)
            .field("action", .string, .required)
            .field("detail", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        for table in ["audit_entries", "api_tokens", "one_time_tokens", "sign_in_attempts", "user_sessions", "profile_tags", "profiles", "users"] {
            try await database.schema(table).delete()
        }
    }
}

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
