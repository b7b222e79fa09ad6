import Fluent
import Foundation
import FluentPostgresDriver
import FluentSQLiteDriver
import SQLKit
import NIOConcurrencyHelpers
import Vapor

/// Plain SQL reads for the pages every request passes through, decoded without `Codable`.
///
/// Measured at 50,000 people, decoding rows through SQLKit's `Decodable` path (and Fluent's
/// reflective models before it) cost more than running the queries. On SQLite the rows are read
/// straight from SQLite's values; on PostgreSQL through `SQLRow` as usual. The query is an
/// `SQLQueryString`, so values are always bound, never spliced into the text.
enum PlainRows {
    /// `prepared`: on PostgreSQL, run it as a statement the connection keeps (`PostgresStatements`),
    /// planned once for every value: only for statements whose best plan is the same whatever
    /// values are bound. Otherwise it is sent with its values written into its text, so that
    /// PostgreSQL plans it for them (`PostgresStatements.withValuesWritten`).
    static func all(_ query: SQLQueryString, on db: any Database, prepared: Bool = false) async throws -> [PlainRow] {
        guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError, reason: "Trellis needs an SQL database.") }
        var serializer = SQLSerializer(database: sql)
        query.serialize(to: &serializer)
        if let postgres = db as? any PostgresDatabase {
            // Values PostgreSQL's own types read and write directly; anything else through SQLKit.
            let binds = serializer.binds.compactMap(postgresValue)
            guard binds.count == serializer.binds.count else { return try await sql.raw(query).all().map(PlainRow.init(other:)) }
            let text = serializer.sql
            let rows: [PostgresRow]
            if prepared {
                rows = try await postgres.withConnection { PostgresStatements.run(text, binds, on: $0) }.get()
            } else if let written = PostgresStatements.withValuesWritten(text, serializer.binds) {
                rows = try await postgres.query(written, []).get().rows
            } else {
                rows = try await postgres.query(text, binds).get().rows
            }
            return rows.map { PlainRow(postgres: $0.makeRandomAccess()) }
        }
        guard let sqlite = db as? any SQLiteDatabase else {
            return try await sql.raw(query).all().map(PlainRow.init(other:))
        }
        let binds = try serializer.binds.map(sqliteValue)
        let text = serializer.sql
        if let direct = try SQLiteReader.rows(text, binds, on: db) { return direct.map(PlainRow.init(direct:)) }
        let rows = try await sqlite.withConnection { connection in
            prepare(connection).flatMap { connection.query(text, binds) }
        }.get()
        return rows.map(PlainRow.init(sqlite:))
    }

    /// The size of the memory map through which SQLite reads the database file: pages come
    /// straight from the operating system's file cache, shared by every connection, instead of
    /// being copied by a system call into each connection's own small page cache (at 50,000
    /// people, a filtered directory page read 2-3 times faster). SQLite caps it at 2 GB.
    static let memoryMapBytes = 1 << 30

    /// Connections already given `memoryMapBytes` (a per-connection setting; the pool keeps its
    /// connections, so each is set once).
    private static let memoryMapped = NIOLockedValueBox<Set<ObjectIdentifier>>([])

    private static func prepare(_ connection: SQLiteConnection) -> EventLoopFuture<Void> {
        let id = ObjectIdentifier(connection)
        if memoryMapped.withLockedValue({ $0.contains(id) }) { return connection.eventLoop.makeSucceededVoidFuture() }
        return connection.query("PRAGMA mmap_size = \(memoryMapBytes)").map { _ in
            _ = memoryMapped.withLockedValue { $0.insert(id) }
        }
    }

    static func first(_ query: SQLQueryString, on db: any Database, prepared: Bool = false) async throws -> PlainRow? {
        try await all(query, on: db, prepared: prepared).first
    }

    private static func postgresValue(_ value: any Encodable & Sendable) -> PostgresData? {
        switch value {
        case let text as String: PostgresData(string: text)
        case let id as UUID: PostgresData(uuid: id)
        case let number as Int: PostgresData(int: number)
        case let flag as Bool: PostgresData(bool: flag)
        case let date as Date: PostgresData(date: date)
        default: nil
        }
    }

    /// The value SQLite stores for a bound Swift value, as SQLiteKit's encoder would make it
    /// (UUIDs as their text, booleans as 0 and 1), without its `Encoder` for the common types.
    private static func sqliteValue(_ value: any Encodable & Sendable) throws -> SQLiteData {
        switch value {
        case let text as String: .text(text)
        case let id as UUID: .text(id.uuidString)
        case let number as Int: .integer(number)
        case let flag as Bool: .integer(flag ? 1 : 0)
        default: try SQLiteDataEncoder().encode(value)
        }
    }
}

/// One row of a `PlainRows` read. Accessors throw, naming the column, when a value is missing or
/// of another type.
struct PlainRow: Sendable {
    private enum Source: Sendable {
        case sqlite(SQLiteRow)
        case direct(DirectRow)
        case postgres(PostgresRandomAccessRow)
        case other(any SQLRow)
    }

    private let source: Source

    init(sqlite row: SQLiteRow) { source = .sqlite(row) }
    init(direct row: DirectRow) { source = .direct(row) }
    init(postgres row: PostgresRandomAccessRow) { source = .postgres(row) }
    init(other row: any SQLRow) { source = .other(row) }

    /// A value read by PostgreSQL's own decoding (nil for NULL).
    private func postgres<T: PostgresDecodable>(_ column: String, _ type: T.Type, expected: String) throws -> T? {
        guard case .postgres(let row) = source else { return nil }
        guard row.contains(column) else { throw UnreadableColumn(column: column, expected: "any value (it is missing)") }
        do {
            var cell = row[column]
            guard cell.bytes != nil else { return nil }
            // PostgresNIO asks for every result in binary (one format code for all columns in each
            // Bind), but the rows of its `PreparedQuery` come labelled with the text format that
            // PostgreSQL describes a statement with before it is bound.
            cell.format = .binary
            return try cell.decode(T.self)
        } catch {
            throw UnreadableColumn(column: column, expected: expected)
        }
    }

    struct UnreadableColumn: Error, CustomStringConvertible {
        var column: String
        var expected: String
        var description: String { "The column \(column) did not hold \(expected)." }
    }

    private func sqliteData(_ column: String) throws -> SQLiteData? {
        let data: SQLiteData? = switch source {
        case .sqlite(let row): row.column(column)
        case .direct(let row): row.column(column)
        case .postgres, .other: nil
        }
        guard let data else { throw UnreadableColumn(column: column, expected: "any value (it is missing)") }
        return data
    }

    func string(_ column: String) throws -> String {
        guard let value = try optionalString(column) else { throw UnreadableColumn(column: column, expected: "text") }
        return value
    }

    func optionalString(_ column: String) throws -> String? {
        switch source {
        case .sqlite, .direct:
            switch try sqliteData(column) {
            case .text(let text): return text
            case .null, nil: return nil
            case .some(let other): return other.string
            }
        case .postgres: return try postgres(column, String.self, expected: "text")
        case .other(let row): return try row.decode(column: column, as: String?.self)
        }
    }

    func int(_ column: String) throws -> Int {
        guard let value = try optionalInt(column) else { throw UnreadableColumn(column: column, expected: "a whole number") }
        return value
    }

    func optionalInt(_ column: String) throws -> Int? {
        switch source {
        case .sqlite, .direct:
            switch try sqliteData(column) {
            case .integer(let number): return Int(number)
            case .null, nil: return nil
            case .some: throw UnreadableColumn(column: column, expected: "a whole number")
            }
        case .postgres: return try postgres(column, Int.self, expected: "a whole number")
        case .other(let row): return try row.decode(column: column, as: Int?.self)
        }
    }

    func bool(_ column: String) throws -> Bool {
        switch source {
        case .sqlite, .direct:
            guard case .integer(let number) = try sqliteData(column) else { throw UnreadableColumn(column: column, expected: "true or false") }
            return number != 0
        case .postgres:
            guard let flag = try postgres(column, Bool.self, expected: "true or false") else { throw UnreadableColumn(column: column, expected: "true or false") }
            return flag
        case .other(let row): return try row.decode(column: column, as: Bool.self)
        }
    }

    func uuid(_ column: String) throws -> UUID {
        guard let value = try optionalUUID(column) else { throw UnreadableColumn(column: column, expected: "an id") }
        return value
    }

    func optionalUUID(_ column: String) throws -> UUID? {
        switch source {
        case .sqlite, .direct:
            switch try sqliteData(column) {
            case .text(let text):
                guard let id = UUID.parse(text) else { throw UnreadableColumn(column: column, expected: "an id") }
                return id
            case .null, nil: return nil
            case .some(let other):
                return try SQLiteDataDecoder().decode(UUID.self, from: other)
            }
        case .postgres: return try postgres(column, UUID.self, expected: "an id")
        case .other(let row): return try row.decode(column: column, as: UUID?.self)
        }
    }

    func optionalDate(_ column: String) throws -> Date? {
        switch source {
        case .sqlite, .direct:
            switch try sqliteData(column) {
            case .float(let seconds): return Date(timeIntervalSince1970: seconds)
            case .integer(let seconds): return Date(timeIntervalSince1970: Double(seconds))
            case .null, nil: return nil
            case .some(let other): return try SQLiteDataDecoder().decode(Date.self, from: other)
            }
        case .postgres: return try postgres(column, Date.self, expected: "a date")
        case .other(let row): return try row.decode(column: column, as: Date?.self)
        }
    }

    func date(_ column: String) throws -> Date {
        guard let value = try optionalDate(column) else { throw UnreadableColumn(column: column, expected: "a date") }
        return value
    }
}

extension UUID {
    /// Reads the canonical 36-character form (either case), as `UUID(uuidString:)` does, without
    /// the C library's `sscanf` it uses on Linux (a visible share of a directory page).
    static func parse(_ text: String) -> UUID? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        var high: UInt8?
        var position = 0
        for character in text.utf8 {
            defer { position += 1 }
            if position == 8 || position == 13 || position == 18 || position == 23 {
                guard character == UInt8(ascii: "-") else { return nil }
                continue
            }
            let nibble: UInt8
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = character - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let first = high {
                bytes.append(first << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        guard position == 36, bytes.count == 16 else { return nil }
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}

extension Request {
    /// The route's `id` in its canonical 36-character form, or nil. Strict: `UUID(uuidString:)`
    /// on Linux read an id followed by a NUL and anything else (`/people/{id}%00x`) as the id.
    var idParameter: UUID? {
        parameters.get("id").flatMap(UUID.parse)
    }
}
