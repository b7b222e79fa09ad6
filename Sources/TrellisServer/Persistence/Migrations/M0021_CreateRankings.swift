import Fluent
import FluentSQL

/// Preference programs (issue #9): each participant's ranking of the other side, and which
/// algorithm made a run (the proven-best total, or a stable match from the rankings).
struct M0021_CreateRankings: AsyncMigration {
    func prepare(on database: any Database) async throws {
        // One row per ranked person: `ranker_id` puts `ranked_id` at `rank` (1 = first choice);
        // a ranker's ranks are 1…n with no gaps.
        try await database.schema("rankings")
            .id()
            .field("program_id", .uuid, .required, .references("programs", "id", onDelete: .cascade))
            .field("ranker_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("ranked_id", .uuid, .required, .references("users", "id", onDelete: .cascade))
            .field("rank", .int, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "program_id", "ranker_id", "ranked_id", name: "uq_rankings_pair")
            .create()
        // "Who ranked me", for a mentor's page.
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("CREATE INDEX idx_rankings_ranked ON rankings (program_id, ranked_id)").run()

        // How many mentees and mentors have a ranking, kept by the transactions that change
        // rankings, so that the manager's page counts nothing.
        // (One column per statement: SQLite adds one at a time.)
        try await database.schema("programs").field("mentees_ranked", .int, .required, .sql(.default(0))).update()
        try await database.schema("programs").field("mentors_ranked", .int, .required, .sql(.default(0))).update()

        // For runs: the comparison columns (greedy_*) hold the greedy baseline of an optimal run,
        // and the proven-best total of a stable run (what following the rankings costs in score).
        try await database.schema("match_runs")
            .field("algorithm", .string, .required, .sql(.default("optimal")))
            .update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("match_runs").deleteField("algorithm").update()
        try await database.schema("programs").deleteField("mentees_ranked").update()
        try await database.schema("programs").deleteField("mentors_ranked").update()
        try await database.schema("rankings").delete()
    }
}
