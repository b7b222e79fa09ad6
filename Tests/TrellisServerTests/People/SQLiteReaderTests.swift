import Fluent
import FluentSQL
import FluentSQLiteDriver
import Foundation
import Testing
@testable import TrellisServer
import TrellisCore
import VaporTesting

extension ServerTests {
    /// Reads on the asking thread (`SQLiteReader`) answer what SQLiteNIO's pool answers, see every
    /// committed write at once, and leave reads inside a write transaction to its own connection.
    @Suite(.enabled(if: !usingPostgres, "SQLite's own reader"))
    struct SQLiteReads {
        /// A file database, whatever the suite's default.
        static func withFile(_ test: (Application) async throws -> Void) async throws {
            var settings = testSettings()
            settings.database = .sqliteFile(testDatabaseFolder.appendingPathComponent("\(UUID().uuidString).sqlite").path)
            try await withTrellis(settings: settings, test)
        }

        /// The same read through SQLiteNIO's pool.
        static func pooled(_ query: SQLQueryString, on db: any Database) async throws -> [[String: SQLiteData]] {
            let sql = db as! any SQLDatabase
            var serializer = SQLSerializer(database: sql)
            query.serialize(to: &serializer)
            let binds = try serializer.binds.map { try SQLiteDataEncoder().encode($0) }
            let rows = try await (db as! any SQLiteDatabase).withConnection { $0.query(serializer.sql, binds) }.get()
            return rows.map { row in Dictionary(row.columns.map { ($0.name, $0.data) }, uniquingKeysWith: { first, _ in first }) }
        }

        static func direct(_ query: SQLQueryString, on db: any Database) throws -> [[String: SQLiteData]]? {
            let sql = db as! any SQLDatabase
            var serializer = SQLSerializer(database: sql)
            query.serialize(to: &serializer)
            let binds = try serializer.binds.map { try SQLiteDataEncoder().encode($0) }
            return try SQLiteReader.rows(serializer.sql, binds, on: db)?.map { row in
                Dictionary(row.columns.indexes.map { ($0.key, row.values[$0.value]) }, uniquingKeysWith: { first, _ in first })
            }
        }

        @Test func `every kind of value reads as the pool reads it`() async throws {
            try await Self.withFile { app in
                let db = app.db
                let sql = try #require(db as? any SQLDatabase)
                try await sql.raw("CREATE TABLE values_read (id INTEGER PRIMARY KEY, t TEXT, r REAL, b BLOB, n INTEGER)").run()
                let texts = ["", "plain", "Zoë “quotes” 中文 🌱", String(repeating: "é", count: 5_000), "line\nbreak\ttab", "a\u{0}b"]
                for (index, text) in texts.enumerated() {
                    try await sql.raw("""
                        INSERT INTO values_read (id, t, r, b, n) VALUES (\(bind: index), \(bind: text), \(bind: Double(index) / 3), \(bind: Data([0, 1, 255, UInt8(index)])), NULL)
                        """).run()
                }
                // Text with a NUL reads whole (the pool's reader stops at the NUL; Trellis refuses
                // control characters in what people type, so no stored text of its own has one).
                #expect(try Self.direct("SELECT t FROM values_read WHERE id = 5", on: db)?.first?["t"] == .text("a\u{0}b"))
                for query: SQLQueryString in [
                    "SELECT id, t, r, b, n FROM values_read WHERE id < 5 ORDER BY id",
                    "SELECT id, t AS same, r AS same FROM values_read WHERE id >= \(bind: 2) AND id < 5 ORDER BY id",
                    "SELECT COUNT(*) AS n, SUM(r) AS total, MAX(t) AS last FROM values_read",
                    "SELECT id FROM values_read WHERE t = \(bind: "Zoë “quotes” 中文 🌱")",
                    "SELECT id FROM values_read WHERE 1 = 0",
                ] {
                    let direct = try #require(try Self.direct(query, on: db))
                    #expect(direct == (try await Self.pooled(query, on: db)))
                }
            }
        }

        @Test func `a read sees each commit at once, and a read inside a write transaction sees that transaction's writes`() async throws {
            try await Self.withFile { app in
                let db = app.db
                #expect(try Self.direct("SELECT COUNT(*) AS n FROM users", on: db)?.first?["n"] == .integer(0))
                _ = try await PeopleStore.createPerson(email: "a@example.org", name: "A", role: .participant, on: db)
                // Through PlainRows (the reader) straight after the commit.
                #expect(try await PlainRows.first("SELECT COUNT(*) AS n FROM users", on: db)?.int("n") == 1)
                try await DatabaseWrites.transaction(on: db) { tx in
                    _ = try await PeopleStore.createPerson(email: "b@example.org", name: "B", role: .participant, on: tx)
                    // Not the reader's (it would not see the uncommitted row)...
                    #expect(try SQLiteReader.rows("SELECT 1", [], on: tx) == nil)
                    // ...so PlainRows reads the transaction's own connection.
                    #expect(try await PlainRows.first("SELECT COUNT(*) AS n FROM users", on: tx)?.int("n") == 2)
                }
                #expect(try await PlainRows.first("SELECT COUNT(*) AS n FROM users", on: db)?.int("n") == 2)
            }
        }

        @Test func `kept statements survive a change of the table's shape and many different statements`() async throws {
            try await Self.withFile { app in
                let db = app.db
                let sql = try #require(db as? any SQLDatabase)
                try await sql.raw("CREATE TABLE shapes (id INTEGER PRIMARY KEY, a TEXT)").run()
                try await sql.raw("INSERT INTO shapes (id, a) VALUES (1, 'one')").run()
                #expect(try Self.direct("SELECT * FROM shapes", on: db)?.first?.count == 2)
                try await sql.raw("ALTER TABLE shapes ADD COLUMN b TEXT DEFAULT 'two'").run()
                // The same text, prepared again by SQLite for the new shape.
                #expect(try Self.direct("SELECT * FROM shapes", on: db)?.first?["b"] == .text("two"))
                // A column dropped by the same connection between two reads of a kept statement
                // (no await between them, so one thread and one connection): SQLite prepares it
                // again on its next step, and its columns are read again with it.
                let before = try Self.direct("SELECT * FROM shapes", on: db)
                #expect(before?.first?["a"] == .text("one"))
                _ = try Self.direct("PRAGMA query_only = OFF", on: db)
                _ = try Self.direct("ALTER TABLE shapes DROP COLUMN a", on: db)
                _ = try Self.direct("PRAGMA query_only = ON", on: db)
                let after = try Self.direct("SELECT * FROM shapes", on: db)
                #expect(after?.first?["a"] == nil && after?.first?["b"] == .text("two") && after?.first?.count == 2)
                // More different statements than are kept: the oldest are let go and made again.
                for round in 0..<2 {
                    for number in 0..<(SQLiteReader.statementsKept + 20) {
                        let rows = try Self.direct("SELECT \(literal: number) AS n, b FROM shapes", on: db)
                        #expect(rows?.first?["n"] == .integer(number), "round \(round)")
                    }
                }
                // A statement that cannot be prepared says why.
                #expect(throws: SQLiteReader.ReadError.self) { try Self.direct("SELECT nothing FROM nowhere", on: db) }
            }
        }

        @Test func `an in-memory database reads through the pool`() async throws {
            var settings = testSettings()
            settings.database = .sqliteMemory
            try await withTrellis(settings: settings) { (app: Application) async throws in
                let rows = try SQLiteReader.rows("SELECT 1", [], on: app.db)
                #expect(rows == nil)
                #expect(try await PlainRows.first("SELECT COUNT(*) AS n FROM users", on: app.db)?.int("n") == 0)
            }
        }
    }
}
