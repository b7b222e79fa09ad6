import Fluent
import FluentSQL

/// The mentorship workspace, part two (issue #10): meetings with their history, agendas, notes
/// (shared, and private ones stored encrypted), action items, and each person's calendar feed.
struct M0023_CreateMeetings: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("meetings")
            .id()
            .field("mentorship_id", .uuid, .required, .references("mentorships", "id", onDelete: .cascade))
            .field("state", .string, .required)
            // Who proposed the time now on the table ("mentor" or "mentee").
            .field("proposed_by", .string, .required)
            .field("starts_at", .datetime, .required)
            .field("ends_at", .datetime, .required)
            .field("time_zone", .string, .required)
            .field("place", .string, .required)
            // Counts every change, for calendar applications (iCalendar SEQUENCE).
            .field("sequence", .int, .required)
            .field("cancel_reason", .string)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()
        // Every change, kept: who, what, why, and the time it set.
        try await database.schema("meeting_changes")
            .id()
            .field("meeting_id", .uuid, .required, .references("meetings", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("actor_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("reason", .string, .required)
            .field("starts_at", .datetime, .required)
            .field("ends_at", .datetime, .required)
            .field("occurred_at", .datetime, .required)
            .create()
        try await database.schema("agenda_items")
            .id()
            .field("meeting_id", .uuid, .required, .references("meetings", "id", onDelete: .cascade))
            .field("author_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("text", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        // Shared notes in clear; a private note's body is sealed with the server's key
        // (`NoteSealing`) and readable by its author alone.
        try await database.schema("meeting_notes")
            .id()
            .field("meeting_id", .uuid, .required, .references("meetings", "id", onDelete: .cascade))
            .field("author_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("private", .bool, .required)
            .field("body", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema("action_items")
            .id()
            .field("mentorship_id", .uuid, .required, .references("mentorships", "id", onDelete: .cascade))
            .field("meeting_id", .uuid, .references("meetings", "id", onDelete: .setNull))
            .field("owner_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("created_by", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("text", .string, .required)
            .field("due_on", .string)
            .field("done_at", .datetime)
            .field("created_at", .datetime, .required)
            .create()
        // A person's private calendar feed: the token's digest (the token is shown, never stored).
        try await database.schema("calendar_feeds")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("token_hash", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "user_id", name: "uq_calendar_feeds_user")
            .unique(on: "token_hash", name: "uq_calendar_feeds_token")
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX idx_meetings_mentorship ON meetings (mentorship_id, starts_at)").run()
        try await sql.raw("CREATE INDEX idx_meeting_changes_meeting ON meeting_changes (meeting_id, occurred_at)").run()
        try await sql.raw("CREATE INDEX idx_agenda_items_meeting ON agenda_items (meeting_id, created_at)").run()
        try await sql.raw("CREATE INDEX idx_meeting_notes_meeting ON meeting_notes (meeting_id, created_at)").run()
        try await sql.raw("CREATE INDEX idx_action_items_mentorship ON action_items (mentorship_id, created_at)").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["calendar_feeds", "action_items", "meeting_notes", "agenda_items", "meeting_changes", "meetings"] {
            try await database.schema(table).delete()
        }
    }
}
