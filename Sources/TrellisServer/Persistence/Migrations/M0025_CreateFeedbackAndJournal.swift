import Fluent
import FluentSQL

/// The mentorship workspace, part four (issue #10): feedback and thank-you notes between the
/// pair, and each person's private reflection journal (entries stored sealed).
struct M0025_CreateFeedbackAndJournal: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("feedback")
            .id()
            .field("mentorship_id", .uuid, .required, .references("mentorships", "id", onDelete: .cascade))
            .field("author_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("worked", .string, .required)
            .field("better", .string, .required)
            .field("message", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("journal_entries")
            .id()
            .field("mentorship_id", .uuid, .required, .references("mentorships", "id", onDelete: .cascade))
            .field("author_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("prompt", .string, .required)
            // Sealed with the notes key (`NoteSealing`): readable by its author alone.
            .field("body", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX idx_feedback_mentorship ON feedback (mentorship_id, created_at)").run()
        try await sql.raw("CREATE INDEX idx_journal_entries_author ON journal_entries (mentorship_id, author_id, created_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("journal_entries").delete()
        try await database.schema("feedback").delete()
    }
}
