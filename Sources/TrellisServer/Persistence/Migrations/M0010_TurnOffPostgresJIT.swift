import Fluent
import FluentSQL

/// Turns off PostgreSQL's just-in-time compilation of queries for Trellis's database (`jit =
/// off`). It pays off for long analytical queries; Trellis's are short, but a search whose
/// estimated cost crossed `jit_above_cost` (a planner estimate, not a measurement) spent 10-30 ms
/// compiling a query that then ran in 0.5 ms. Set like `M0007_TunePostgresPlanner`: for this
/// database, from the next connection on; a notice if the account may not. Nothing on SQLite.
struct M0010_TurnOffPostgresJIT: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        try await PostgresDatabaseSetting.set("jit", to: "off", consequence: "some searches may be slower.", on: sql)
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        try await PostgresDatabaseSetting.reset("jit", on: sql)
    }
}
