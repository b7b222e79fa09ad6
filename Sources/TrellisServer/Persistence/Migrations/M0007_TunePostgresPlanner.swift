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
        try await sql.raw("""
            DO $$ BEGIN
                EXECUTE format('ALTER DATABASE %I SET random_page_cost = 1.1', current_database());
            EXCEPTION WHEN OTHERS THEN
                RAISE NOTICE 'Trellis could not set random_page_cost for this database (%): searches may be slower.', SQLERRM;
            END $$
            """).run()
        try await sql.raw("SET random_page_cost = 1.1").run()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        try await sql.raw("""
            DO $$ BEGIN
                EXECUTE format('ALTER DATABASE %I RESET random_page_cost', current_database());
            EXCEPTION WHEN OTHERS THEN NULL;
            END $$
            """).run()
    }
}
