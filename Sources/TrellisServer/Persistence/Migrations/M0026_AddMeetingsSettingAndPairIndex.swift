import Fluent
import FluentSQL

/// The mentorship workspace, part five (issue #10): the program-wide setting "meetings happen in
/// Trellis (the default) or only outside it", and the index the program's pair numbers page reads
/// its pages of pairs by.
struct M0026_AddMeetingsSettingAndPairIndex: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("programs")
            .field("meetings_in_trellis", .bool, .required, .sql(.default(true)))
            .update()
        guard let sql = database as? any SQLDatabase else { return }
        // Pairs of one program in publication order (ids are time-ordered): a page reads the next
        // fifty, however many pairs the program has.
        try await sql.raw("CREATE INDEX idx_mentorships_program ON mentorships (program_id, id)").run()
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase { try await sql.raw("DROP INDEX idx_mentorships_program").run() }
        try await database.schema("programs").deleteField("meetings_in_trellis").update()
    }
}
