import Fluent
import FluentSQL

/// Tells PostgreSQL that reading a page out of order costs little more than reading in order
/// (`random_page_cost = 1.1`, the usual setting for solid-state disks and for a database held in
/// memory, instead of the default 4, which assumes spinning disks). With the default, at 50,000
/// people the planner answered a name search by reading every person (8 ms instead of 0.2 ms)
/// and a deep directory page by sorting everyone on disk. Set for Trellis's own database only,
/// from the next connection on; if the account may not change it, a notice says so and nothing
/// else changes. SQLite has no such setting.
struct M0007_TunePostgresPlanner: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        try await PostgresDatabaseSetting.set("random_page_cost", to: "1.1", consequence: "searches may be slower.", on: sql)
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        try await PostgresDatabaseSetting.reset("random_page_cost", on: sql)
    }
}
