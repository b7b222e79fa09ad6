import Fluent
import FluentSQL
import TrellisCore

/// Brings profiles saved before the profile rules (`ProfileRules.capacityProblems`) in line with
/// them, so that every stored profile can be saved again as it is: someone who does not mentor
/// keeps no capacity or hours (saving used to drop a mentee's capacity but keep their hours), and a
/// mentor who never gave a capacity gets 0, which is what matching already counted for them (they
/// can raise it on their profile).
struct M0008_AlignCapacityWithRole: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        let mentoring = MentoringRole.mentoring.map(\.rawValue) as [any Encodable & Sendable]
        try await sql.raw("""
            UPDATE profiles SET capacity_mentees = NULL, capacity_hours = NULL
            WHERE (mentoring_role IS NULL OR mentoring_role NOT IN (\(binds: mentoring)))
              AND (capacity_mentees IS NOT NULL OR capacity_hours IS NOT NULL)
            """).run()
        try await sql.raw("""
            UPDATE profiles SET capacity_mentees = 0 WHERE mentoring_role IN (\(binds: mentoring)) AND capacity_mentees IS NULL
            """).run()
    }

    /// Nothing to undo: the values cleared meant nothing under either version.
    func revert(on database: any Database) async throws {}
}
