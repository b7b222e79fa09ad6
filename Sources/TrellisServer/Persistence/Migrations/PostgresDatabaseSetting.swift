import FluentSQL

/// A PostgreSQL setting for Trellis's own database (`ALTER DATABASE … SET`), in effect from the
/// next connection on and at once for this one. If the account may not change it, a notice says
/// so (with `consequence`) and the migration goes on; an administrator can set it by hand.
enum PostgresDatabaseSetting {
    static func set(_ name: String, to value: String, consequence: String, on sql: any SQLDatabase) async throws {
        try await sql.raw("""
            DO $$ BEGIN
                EXECUTE format('ALTER DATABASE %I SET \(unsafeRaw: name) = \(unsafeRaw: value)', current_database());
            EXCEPTION WHEN OTHERS THEN
                RAISE NOTICE 'Trellis could not set \(unsafeRaw: name) for this database (%): \(unsafeRaw: consequence)', SQLERRM;
            END $$
            """).run()
        try await sql.raw("SET \(unsafeRaw: name) = \(unsafeRaw: value)").run()
    }

    static func reset(_ name: String, on sql: any SQLDatabase) async throws {
        try await sql.raw("""
            DO $$ BEGIN
                EXECUTE format('ALTER DATABASE %I RESET \(unsafeRaw: name)', current_database());
            EXCEPTION WHEN OTHERS THEN NULL;
            END $$
            """).run()
    }
}
