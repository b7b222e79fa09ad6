import Fluent
import FluentSQL

/// Programs (cohorts), who is enrolled in them, and the mentorships they make (issue #9). A program keeps its numbers of
/// mentors and mentees, changed in the transaction that enrols or withdraws someone, so that no
/// page counts a roster; and a roster version that every such change moves on, so that a matching
/// run can tell it was made for a roster that has since changed.
struct M0019_CreatePrograms: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("programs")
            .id()
            .field("name", .string, .required)
            .field("description", .string, .required)
            .field("purpose", .string, .required)
            .field("mode", .string, .required)
            .field("state", .string, .required)
            // Days as YYYY-MM-DD, which sort as days do.
            .field("enrolment_opens", .string)
            .field("enrolment_closes", .string)
            .field("starts", .string)
            .field("ends", .string)
            .field("exclude_same_department", .bool, .required)
            .field("minimum_score", .double, .required)
            .field("allow_repeat_pairs", .bool, .required)
            .field("maximum_open_requests", .int, .required)
            .field("request_expiry_days", .int, .required)
            // The factor weights as the engine's weights JSON.
            .field("weights", .string, .required)
            .field("mentor_count", .int, .required)
            .field("mentee_count", .int, .required)
            .field("roster_version", .int, .required)
            // Moved on by every review decision (lock, exclusion, manual pair).
            .field("decisions_version", .int, .required)
            .field("created_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .create()

        try await database.schema("enrolments")
            .id()
            .field("program_id", .uuid, .required, .references("programs", "id", onDelete: .cascade))
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("role", .string, .required)
            // Only mentors: how many mentees in this program, over the profile's capacity.
            .field("capacity", .int)
            .field("statement", .string, .required)
            // Joined from the programs page, rather than enrolled by a program manager.
            .field("self_joined", .bool, .required)
            // A mentor who takes no new requests for now (self-select programs).
            .field("paused", .bool, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "program_id", "user_id", name: "uq_enrolments_program_user")
            .create()

        // The pairs a program made. One mentorship per mentee and program, enforced by the
        // database as well as checked, so that two accepts or two publishes arriving together
        // cannot match a mentee twice.
        try await database.schema("mentorships")
            .id()
            .field("program_id", .uuid, .required, .references("programs", "id", onDelete: .cascade))
            .field("mentor_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("mentee_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("state", .string, .required)
            .field("started_on", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "program_id", "mentee_id", name: "uq_mentorships_program_mentee")
            .create()

        // An enrolment CSV between its preview and its confirmation: kept on the server, for the
        // program manager who uploaded it and for an hour, so that confirming sends only its id.
        try await database.schema("enrolment_uploads")
            .id()
            .field("program_id", .uuid, .required, .references("programs", "id", onDelete: .cascade))
            .field("admin_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("filename", .string, .required)
            .field("csv", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .create()

        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX idx_mentorships_mentor ON mentorships (mentor_id, program_id)").run()
        try await sql.raw("CREATE INDEX idx_mentorships_mentee ON mentorships (mentee_id)").run()
        // A person's programs ("my mentoring", the programs page).
        try await sql.raw("CREATE INDEX idx_enrolments_user ON enrolments (user_id)").run()
        // The roster in enrolment order (ids are time-ordered), all of it or one role: a page
        // from a person on reads the next fifty rows, however large the program.
        try await sql.raw("CREATE INDEX idx_enrolments_program ON enrolments (program_id, id)").run()
        try await sql.raw("CREATE INDEX idx_enrolments_program_role ON enrolments (program_id, role, id)").run()
        try await sql.raw("CREATE INDEX idx_programs_state ON programs (state, created_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("enrolment_uploads").delete()
        try await database.schema("mentorships").delete()
        try await database.schema("enrolments").delete()
        try await database.schema("programs").delete()
    }
}
