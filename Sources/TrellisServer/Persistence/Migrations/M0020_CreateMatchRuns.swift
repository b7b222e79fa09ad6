import Fluent
import FluentSQL

/// Background jobs (matching runs now, reminders to come), matching runs with their proposed
/// pairs, a program manager's review decisions, self-select requests and waitlists, and in-app
/// notifications (issue #9).
struct M0020_CreateMatchRuns: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One row per piece of background work. Any server instance may claim a queued job; the
        // claim is one conditional update, so exactly one does. A claimed job's instance beats
        // its heart; a job whose heart stopped is queued again (or failed after three tries).
        try await database.schema("jobs")
            .id()
            .field("kind", .string, .required)
            .field("subject_id", .uuid, .required)
            .field("state", .string, .required)
            .field("claimed_by", .string)
            .field("attempts", .int, .required)
            .field("run_after", .datetime, .required)
            .field("heartbeat_at", .datetime)
            .field("created_at", .datetime, .required)
            .field("finished_at", .datetime)
            .field("message", .string, .required)
            .create()

        try await database.schema("match_runs")
            .id()
            .field("program_id", .uuid, .required, .references("programs", "id", onDelete: .cascade))
            .field("number", .int, .required)
            .field("started_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("state", .string, .required)
            // What the run was made with: the program's rules and weights, its roster version and
            // the review decisions in force, so that a stale run can be told from a fresh one.
            .field("settings", .string, .required)
            .field("roster_version", .int, .required)
            .field("decisions_version", .int, .required)
            .field("phase", .string, .required)
            .field("progress", .double, .required)
            .field("mentors", .int, .required)
            .field("mentees", .int, .required)
            .field("matched", .int, .required)
            .field("total_score", .int64, .required)
            .field("greedy_total", .int64, .required)
            .field("greedy_matched", .int, .required)
            .field("proven_optimal", .bool, .required)
            .field("message", .string, .required)
            .field("created_at", .datetime, .required)
            .field("started_at", .datetime)
            .field("finished_at", .datetime)
            .field("published_at", .datetime)
            .create()

        // A run's proposal: one row per mentee, with their mentor (none when unmatched), the
        // score in millionths and the reasons, as the engine gave them.
        try await database.schema("match_run_pairs")
            .field("run_id", .uuid, .required, .references("match_runs", "id", onDelete: .cascade))
            .field("position", .int, .required)
            .field("mentee_id", .uuid, .required)
            .field("mentor_id", .uuid)
            .field("score", .int64, .required)
            .field("locked", .bool, .required)
            .field("mentee_department", .string, .required)
            .field("mentor_department", .string, .required)
            .field("reasons", .string, .required)
            .compositeIdentifier(over: "run_id", "position")
            .create()

        // The manager's review: a pair locked (kept in every re-run), excluded (never made), or
        // made by hand (a lock the manager chose). Kept per program, across runs.
        try await database.schema("match_decisions")
            .id()
            .field("program_id", .uuid, .required, .references("programs", "id", onDelete: .cascade))
            .field("mentee_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("mentor_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("created_by", .uuid, .references("users", "id", onDelete: .setNull))
            .field("created_at", .datetime, .required)
            .unique(on: "program_id", "mentee_id", "mentor_id", name: "uq_match_decisions_pair")
            .create()

        try await database.schema("notifications")
            .id()
            .field("user_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("title", .string, .required)
            .field("body", .string, .required)
            .field("link", .string, .required)
            .field("created_at", .datetime, .required)
            .field("read_at", .datetime)
            .create()

        // Self-select programs: a mentee's request to a mentor, with its note (part of matching:
        // the program's managers may read it), and the mentor's answer.
        try await database.schema("mentoring_requests")
            .id()
            .field("program_id", .uuid, .required, .references("programs", "id", onDelete: .cascade))
            .field("mentee_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("mentor_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("note", .string, .required)
            .field("state", .string, .required)
            .field("answer", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("answered_at", .datetime)
            .create()

        // A mentee waiting for a full mentor's place, in the order they joined.
        try await database.schema("waitlist_places")
            .id()
            .field("program_id", .uuid, .required, .references("programs", "id", onDelete: .cascade))
            .field("mentee_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("mentor_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("created_at", .datetime, .required)
            .field("notified_at", .datetime)
            .unique(on: "program_id", "mentee_id", "mentor_id", name: "uq_waitlist_places")
            .create()

        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX idx_requests_mentor ON mentoring_requests (mentor_id, program_id, state)").run()
        try await sql.raw("CREATE INDEX idx_requests_mentee ON mentoring_requests (mentee_id, program_id, state)").run()
        try await sql.raw("CREATE INDEX idx_waitlist_mentor ON waitlist_places (program_id, mentor_id, created_at)").run()
        try await sql.raw("CREATE INDEX idx_waitlist_mentee ON waitlist_places (mentee_id)").run()
        try await sql.raw("CREATE INDEX idx_jobs_queue ON jobs (state, run_after, created_at)").run()
        try await sql.raw("CREATE INDEX idx_match_runs_program ON match_runs (program_id, number)").run()
        // The result page's filters: a run's pairs by score, its unmatched, by department.
        try await sql.raw("CREATE INDEX idx_match_run_pairs_score ON match_run_pairs (run_id, score, position)").run()
        try await sql.raw("CREATE INDEX idx_match_run_pairs_mentee ON match_run_pairs (run_id, mentee_id)").run()
        try await sql.raw("CREATE INDEX idx_match_run_pairs_mentor ON match_run_pairs (run_id, mentor_id)").run()
        try await sql.raw("CREATE INDEX idx_match_run_pairs_department ON match_run_pairs (run_id, mentee_department, position)").run()
        try await sql.raw("CREATE INDEX idx_match_decisions_program ON match_decisions (program_id, kind)").run()
        try await sql.raw("CREATE INDEX idx_notifications_user ON notifications (user_id, created_at)").run()
        try await sql.raw("CREATE INDEX idx_notifications_unread ON notifications (user_id, read_at)").run()
    }

    func revert(on database: any Database) async throws {
        for table in ["waitlist_places", "mentoring_requests", "notifications", "match_decisions", "match_run_pairs", "match_runs", "jobs"] {
            try await database.schema(table).delete()
        }
    }
}
