import Fluent
import FluentSQL

/// The mentorship workspace, part one (issue #10): a pair's agreement, version by version, and
/// the timeline of what happened in the mentorship.
struct M0022_CreateAgreements: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // Every version a pair wrote, each with its own signatures: a change after a signature
        // is a new version, so a signature is always of the text its signer read.
        try await database.schema("agreement_versions")
            .id()
            .field("mentorship_id", .uuid, .required, .references("mentorships", "id", onDelete: .cascade))
            .field("number", .int, .required)
            .field("meeting_frequency", .string, .required)
            // Comma-separated `CommunicationMethod` raw values, in their usual order.
            .field("communication_methods", .string, .required)
            .field("confidentiality", .string, .required)
            .field("mentee_goals", .string, .required)
            .field("mentor_goals", .string, .required)
            .field("boundaries", .string, .required)
            // Days as YYYY-MM-DD, like a mentorship's start.
            .field("review_on", .string, .required)
            .field("ends_on", .string, .required)
            .field("written_by", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("written_side", .string, .required)
            .field("written_at", .datetime, .required)
            .field("mentor_signed_at", .datetime)
            .field("mentee_signed_at", .datetime)
            .unique(on: "mentorship_id", "number", name: "uq_agreement_versions_number")
            .create()

        // What happened in a mentorship, for its timeline (the pair's eyes only) and, as counts
        // and dates without content, for its program's managers.
        try await database.schema("mentorship_events")
            .id()
            .field("mentorship_id", .uuid, .required, .references("mentorships", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("actor_id", .uuid, .references("users", "id", onDelete: .setNull))
            .field("subject", .string, .required)
            .field("occurred_at", .datetime, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX idx_mentorship_events_mentorship ON mentorship_events (mentorship_id, occurred_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("mentorship_events").delete()
        try await database.schema("agreement_versions").delete()
    }
}
