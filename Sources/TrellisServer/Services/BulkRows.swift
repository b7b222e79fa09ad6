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
        precondition(values.count % columns.count == 0, "a row of \(table) has \(columns.count) values")
        guard !values.isEmpty else { return }
        // Made on the long-work thread: a caller inside a transaction may be on an event loop.
        if let postgres = sql as? any PostgresDatabase, way == .statements {
            let prepared = await withTaskExecutorPreference(LongWork.shared) {
                Self.statements(values, into: table, columns: columns, placeholder: { "$\($0 + 1)" }, value: \BulkValue.postgres)
            }
            for (text, binds) in prepared {
                _ = try await postgres.query(text, binds).get()
            }
            return
        }
        if let postgres = sql as? any PostgresDatabase {
            let chunks = await withTaskExecutorPreference(LongWork.shared) { copyText(values, columns: columns.count) }
            try await postgres.withConnection { connection in
                connection.eventLoop.makeFutureWithTask {
                    try await connection.copyFrom(table: table, columns: columns, logger: connection.logger) { writer in
                        for chunk in chunks { try await writer.write(chunk) }
                    }
                }
            }.get()
            return
        }
        guard let sqlite = sql as? any SQLiteDatabase else { throw Abort(.internalServerError, reason: "Trellis needs SQLite or PostgreSQL.") }
        let prepared = await withTaskExecutorPreference(LongWork.shared) {
            Self.statements(values, into: table, columns: columns, placeholder: { _ in "?" }, value: \BulkValue.sqlite)
        }
        try await sqlite.withConnection { connection in
            connection.eventLoop.makeFutureWithTask {
                for (text, binds) in prepared { _ = try await connection.query(text, binds).get() }
            }
        }.get()
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
        case .id(let id?): .text(id.uuidString)
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
    /// 8th and 10th byte).
    static func appendID(_ id: UUID, to buffer: inout ByteBuffer) {
        withUnsafeBytes(of: id.uuid) { raw in
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 36) { out in
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
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "A") + nibble - 10 }
}
