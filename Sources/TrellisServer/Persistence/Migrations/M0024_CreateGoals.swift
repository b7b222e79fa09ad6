import Fluent
import FluentSQL

/// The mentorship workspace, part three (issue #10): goals with milestones, and the
/// congratulations that celebrate them.
struct M0024_CreateGoals: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("goals")
            .id()
            .field("mentorship_id", .uuid, .required, .references("mentorships", "id", onDelete: .cascade))
            // "mentee" (the default) or "mentor" (the mentor's own goal: reverse mentoring).
            .field("owner_side", .string, .required)
            .field("title", .string, .required)
            .field("description", .string, .required)
            .field("term", .string, .required)
            .field("target_on", .string)
            .field("reached_at", .datetime)
            .field("created_by", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("milestones")
            .id()
            .field("goal_id", .uuid, .required, .references("goals", "id", onDelete: .cascade))
            .field("title", .string, .required)
            .field("position", .int, .required)
            .field("reached_at", .datetime)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("congratulations")
            .id()
            .field("goal_id", .uuid, .required, .references("goals", "id", onDelete: .cascade))
            .field("milestone_id", .uuid, .references("milestones", "id", onDelete: .cascade))
            .field("author_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("text", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX idx_goals_mentorship ON goals (mentorship_id, created_at)").run()
        try await sql.raw("CREATE INDEX idx_milestones_goal ON milestones (goal_id, position)").run()
        try await sql.raw("CREATE INDEX idx_congratulations_goal ON congratulations (goal_id, created_at)").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["congratulations", "milestones", "goals"] { try await database.schema(table).delete() }
    }
}
