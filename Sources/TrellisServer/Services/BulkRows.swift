import FluentPostgresDriver
import FluentSQLiteDriver
import FluentSQL
import Foundation
import PostgresNIO
import Vapor

/// Many rows written at once, without SQLKit's encoder: an import's staged rows, a matching run's
/// proposal. Through SQLKit's insert builder every value went through an `Encoder` of its own:
/// staging 100,000 people took 15 s, and a run's 100,000 proposal rows 2.1–2.7 s.
/// - PostgreSQL: `COPY … FROM STDIN`, the rows streamed as text, about 256 KB a write; or
///   (`postgres: .statements`) many rows a statement, as SQLite. A run's proposal goes the second
///   way: streamed through `COPY`, its 38 MB kept the database's process and the connection's
///   event loop so busy that other pages of a 2-core machine took 0.2–1.3 s meanwhile, and it was
///   no quicker.
/// - SQLite: many rows a statement (at most 14,000 values, well under SQLite's limit of 32,766),
///   each value handed to SQLite as it is stored.
///
/// Inside a transaction, `sql` is the transaction's connection, and the rows are part of it.
enum BulkRows {
    /// Writes `values` (a row's values after one another, in `columns`' order) into `table`. The
    /// statements or the `COPY` text are made on the long-work thread, not on an event loop,
    /// whose other connections would wait meanwhile.
    static func write(
        _ values: [BulkValue], into table: String, columns: [String], postgres way: PostgresWay = .copy, on sql: any SQLDatabase
    ) async throws {
        let target = try Target(sql, postgres: way)
        // Made on the long-work thread: a caller inside a transaction may be on an event loop.
        let prepared = await withTaskExecutorPreference(LongWork.shared) { prepare(values, into: table, columns: columns, for: target) }
        try await write(prepared, on: sql)
    }

    /// How rows go to a database: many rows a statement (SQLite, or PostgreSQL's `.statements`)
    /// or `COPY`.
    enum Target: Sendable {
        case sqlite, postgresCopy, postgresStatements

        init(_ sql: any SQLDatabase, postgres way: PostgresWay = .copy) throws {
            if sql is any PostgresDatabase {
                self = way == .copy ? .postgresCopy : .postgresStatements
            } else if sql is any SQLiteDatabase {
                self = .sqlite
            } else {
                throw Abort(.internalServerError, reason: "Trellis needs SQLite or PostgreSQL.")
            }
        }
    }

    /// Rows made ready to write (`prepare`), to be written later (`write(_:on:)`): an import
    /// makes a batch's while the one before is written.
    enum Prepared: Sendable {
        case sqlite([(text: String, binds: [SQLiteData])])
        case postgres([(text: String, binds: [PostgresData])])
        case copy(table: String, columns: [String], chunks: [ByteBuffer])
    }

    /// The statements or the `COPY` text that write `values` into `table` (no database needed).
    static func prepare(_ values: [BulkValue], into table: String, columns: [String], for target: Target) -> Prepared {
        precondition(values.count % columns.count == 0, "a row of \(table) has \(columns.count) values")
        switch target {
        case .sqlite: return .sqlite(statements(values, into: table, columns: columns, placeholder: { _ in "?" }, value: \BulkValue.sqlite))
        case .postgresStatements: return .postgres(statements(values, into: table, columns: columns, placeholder: { "$\($0 + 1)" }, value: \BulkValue.postgres))
        case .postgresCopy: return .copy(table: table, columns: columns, chunks: copyText(values, columns: columns.count))
        }
    }

    /// Writes rows made by `prepare` (for the database `sql` is).
    static func write(_ prepared: Prepared, on sql: any SQLDatabase) async throws {
        switch prepared {
        case .sqlite(let statements):
            guard !statements.isEmpty else { return }
            guard let sqlite = sql as? any SQLiteDatabase else { preconditionFailure("rows prepared for SQLite") }
            try await sqlite.withConnection { connection in
                connection.eventLoop.makeFutureWithTask {
                    for (text, binds) in statements { _ = try await connection.query(text, binds).get() }
                }
            }.get()
        case .postgres(let statements):
            guard let postgres = sql as? any PostgresDatabase else { preconditionFailure("rows prepared for PostgreSQL") }
            for (text, binds) in statements { _ = try await postgres.query(text, binds).get() }
        case .copy(let table, let columns, let chunks):
            guard !chunks.isEmpty else { return }
            guard let postgres = sql as? any PostgresDatabase else { preconditionFailure("rows prepared for PostgreSQL") }
            try await postgres.withConnection { connection in
                connection.eventLoop.makeFutureWithTask {
                    try await connection.copyFrom(table: table, columns: columns, logger: connection.logger) { writer in
                        for chunk in chunks { try await writer.write(chunk) }
                    }
                }
            }.get()
        }
    }

    enum PostgresWay: Sendable { case copy, statements }

    /// Many rows a statement (at most 14,000 values), with each value's placeholder (by its
    /// position in the statement) and bound value.
    static func statements<Bound>(
        _ values: [BulkValue], into table: String, columns: [String], placeholder: (Int) -> String, value: (BulkValue) -> Bound
    ) -> [(text: String, binds: [Bound])] {
        let perStatement = max(1, 14_000 / columns.count) * columns.count
        let head = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
        func text(rows: Int) -> String {
            head + (0..<rows).map { row in "(" + (0..<columns.count).map { placeholder(row * columns.count + $0) }.joined(separator: ", ") + ")" }
                .joined(separator: ", ")
        }
        var full: String?
        return stride(from: 0, to: values.count, by: perStatement).map { start in
            let chunk = values[start..<min(start + perStatement, values.count)]
            // Every statement but the last has the same text: made once.
            let statement = chunk.count == perStatement
                ? full ?? { full = text(rows: perStatement / columns.count); return full! }()
                : text(rows: chunk.count / columns.count)
            return (statement, chunk.map(value))
        }
    }

    /// PostgreSQL: the rows in `COPY`'s text format, in pieces of about 256 KB.
    static func copyText(_ values: [BulkValue], columns: Int) -> [ByteBuffer] {
        var chunks: [ByteBuffer] = []
        var buffer = ByteBuffer()
        buffer.reserveCapacity(300 * 1024)
        for (index, value) in values.enumerated() {
            let column = index % columns
            if column > 0 { buffer.writeStaticString("\t") }
            value.appendCopyText(to: &buffer)
            if column == columns - 1 {
                buffer.writeStaticString("\n")
                if buffer.readableBytes >= 256 * 1024 {
                    chunks.append(buffer)
                    buffer = ByteBuffer()
                    buffer.reserveCapacity(300 * 1024)
                }
            }
        }
        if buffer.readableBytes > 0 { chunks.append(buffer) }
        return chunks
    }
}

/// A value `BulkRows` writes: handed to SQLite as it stores it, or written as COPY text.
enum BulkValue: Sendable {
    case text(String?)
    case id(UUID?)
    case flag(Bool)
    case number(Int?)

    /// As PostgreSQL binds it (a NULL of no type takes its column's).
    var postgres: PostgresData {
        switch self {
        case .text(let text?): PostgresData(string: text)
        case .text(nil), .number(nil), .id(nil): .null
        case .id(let id?): PostgresData(uuid: id)
        case .flag(let flag): PostgresData(bool: flag)
        case .number(let number?): PostgresData(int: number)
        }
    }

    /// As SQLiteKit stores it (ids as their text, flags as 0 and 1, as `PlainRows` binds them).
    var sqlite: SQLiteData {
        switch self {
        case .text(let text?): .text(text)
        case .text(nil), .number(nil), .id(nil): .null
        case .id(let id?): .text(Self.idText(id))
        case .flag(let flag): .integer(flag ? 1 : 0)
        case .number(let number?): .integer(number)
        }
    }

    /// The value in `COPY`'s text format: NULL as `\N`; a backslash, tab, line feed and
    /// carriage return escaped, every other character as it is; an id as `UUID.uuidString`
    /// writes it. Text is written a run of bytes at a time and ids without Foundation's
    /// formatting: byte by byte, and ids through `uuidString` (which formats with `sprintf`),
    /// this was nearly half of the Swift side of staging an import of 100,000 people.
    func appendCopyText(to buffer: inout ByteBuffer) {
        switch self {
        case .text(nil), .number(nil), .id(nil): buffer.writeStaticString("\\N")
        case .text(var text?): text.withUTF8 { Self.appendEscaped($0, to: &buffer) }
        case .id(let id?): Self.appendID(id, to: &buffer)
        case .flag(let flag): buffer.writeStaticString(flag ? "t" : "f")
        case .number(let number?): buffer.writeString(String(number))
        }
    }

    /// `bytes` with COPY's four escapes, the runs between them written whole.
    static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to buffer: inout ByteBuffer) {
        var start = 0
        for index in bytes.indices {
            let escape: StaticString
            switch bytes[index] {
            case UInt8(ascii: "\\"): escape = "\\\\"
            case UInt8(ascii: "\t"): escape = "\\t"
            case UInt8(ascii: "\n"): escape = "\\n"
            case UInt8(ascii: "\r"): escape = "\\r"
            default: continue
            }
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[start..<index]))
            buffer.writeStaticString(escape)
            start = index + 1
        }
        buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(bytes)[start...]))
    }

    /// The 36 characters of `id.uuidString` (upper-case hexadecimal, dashes after the 4th, 6th,
    /// 8th and 10th byte), without Foundation's formatting (`sprintf`, a call an id).
    static func appendID(_ id: UUID, to buffer: inout ByteBuffer) {
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 36) { writeID(id, into: $0) }
    }

    /// `id.uuidString`, as `appendID` writes it.
    static func idText(_ id: UUID) -> String {
        String(unsafeUninitializedCapacity: 36) { writeID(id, into: UnsafeMutableRawBufferPointer($0)) }
    }

    private static func writeID(_ id: UUID, into out: UnsafeMutableRawBufferPointer) -> Int {
        withUnsafeBytes(of: id.uuid) { raw in
            var position = 0
            for (index, byte) in raw.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    out[position] = UInt8(ascii: "-")
                    position += 1
                }
                out[position] = hexDigit(byte >> 4)
                out[position + 1] = hexDigit(byte & 0x0F)
                position += 2
            }
            return position
        }
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "A") + nibble - 10 }
}
