import Foundation
import NIOConcurrencyHelpers
import NIOCore
import PostgresNIO

/// Statements that PostgreSQL parses once per connection and then runs again by name, for the
/// reads every search and page makes.
///
/// Measured at 50,000 people, PostgreSQL spent more time parsing and planning a search's six to
/// eight small statements afresh (the unnamed statement of each query) than running them: about
/// 2 ms of a request's 3. A prepared statement is parsed once and planned once, for all values
/// (a generic plan): Trellis's connections start with `plan_cache_mode = force_generic_plan`.
/// Left to choose (`auto`), PostgreSQL planned the search's kept statements afresh on every run,
/// as its estimates for a generic plan came out higher: 0.1-0.2 ms of planning for a statement
/// that ran in 0.01-0.14 ms; a search page served 15-25 % more a second without it. So only
/// statements whose best plan does not depend on the values bound come here (`PlainRows`'
/// `prepared`); the others are sent with their values written into the text
/// (`withValuesWritten`), which PostgreSQL plans for those values, as it planned a statement
/// with bound values before. (With bound values and no values in the text, the setting would
/// give them a generic plan too: Fluent's own statements get one, and they are lookups by key.)
///
/// Each connection keeps at most `capacity` statements, the least recently used closed first,
/// so that statements differing in their literal numbers (`LIMIT 14`) cannot fill the server's
/// memory. The statement's text carries each parameter's type (`$1::text`), as the unnamed
/// statement's types are sent with it and a named one's would otherwise be guessed.
enum PostgresStatements {
    static let capacity = 128

    private struct Kept {
        weak var connection: PostgresConnection?
        var statements: [String: (query: PreparedQuery, used: UInt64)] = [:]
        var clock: UInt64 = 0
    }

    private static let kept = NIOLockedValueBox<[ObjectIdentifier: Kept]>([:])

    /// The rows of `text` (placeholders `$1`… in `binds`' order) run as a prepared statement on
    /// `connection`, prepared first if this connection has not kept it.
    static func run(_ text: String, _ binds: [PostgresData], on connection: PostgresConnection) -> EventLoopFuture<[PostgresRow]> {
        let typed = typedPlaceholders(text, types: binds.map(\.type))
        guard let query = lookUp(typed, on: connection) else { return prepareAndRun(typed, binds, on: connection) }
        return query.execute(binds).flatMapError { error in
            // The server no longer has it, or its tables changed shape since: prepare it again.
            // (Not within a transaction: the failed run has ended it. The next one prepares afresh.)
            guard let state = sqlState(error), state == "26000" || state == "0A000" else {
                return connection.eventLoop.makeFailedFuture(error)
            }
            forget(typed, on: connection)
            return prepareAndRun(typed, binds, on: connection)
        }
    }

    /// The error's SQLSTATE (PostgresNIO's older calls turn `PSQLError` into `PostgresError`).
    private static func sqlState(_ error: any Error) -> String? {
        if let error = error as? PSQLError { return error.serverInfo?[.sqlState] }
        if let error = error as? PostgresError, case .server = error { return error.code.raw }
        return nil
    }

    /// How many statements `connection` keeps (for tests).
    static func count(on connection: PostgresConnection) -> Int {
        kept.withLockedValue { table in
            guard let entry = table[ObjectIdentifier(connection)], entry.connection === connection else { return 0 }
            return entry.statements.count
        }
    }

    private static func prepareAndRun(_ text: String, _ binds: [PostgresData], on connection: PostgresConnection) -> EventLoopFuture<[PostgresRow]> {
        connection.prepare(query: text).flatMap { query in
            for evicted in keep(query, as: text, on: connection) {
                // Queued on the connection before the statements that follow; failing to close one
                // only leaves it to close with the connection.
                _ = evicted.deallocate()
            }
            return query.execute(binds)
        }
    }

    private static func lookUp(_ text: String, on connection: PostgresConnection) -> PreparedQuery? {
        kept.withLockedValue { table in
            // Changed in place (no copy of the connection's statements held meanwhile): this runs
            // for every statement.
            let id = ObjectIdentifier(connection)
            guard table[id]?.connection === connection, let query = table[id]?.statements[text]?.query else { return nil }
            table[id]!.clock += 1
            table[id]!.statements[text]!.used = table[id]!.clock
            return query
        }
    }

    /// Keeps `query` for `connection`; returns the statements to close (the least recently used
    /// past `capacity`, and a second copy prepared by a concurrent caller).
    private static func keep(_ query: PreparedQuery, as text: String, on connection: PostgresConnection) -> [PreparedQuery] {
        kept.withLockedValue { table in
            let id = ObjectIdentifier(connection)
            // Taken out of the table while it changes, so that its statements are not copied.
            var entry: Kept
            if let existing = table.removeValue(forKey: id), existing.connection === connection {
                entry = existing
            } else {
                // A new connection (or a new one at a closed one's address): drop closed ones' statements.
                table = table.filter { $0.value.connection != nil }
                entry = Kept(connection: connection)
            }
            var closing: [PreparedQuery] = []
            if let earlier = entry.statements[text] { closing.append(earlier.query) }
            entry.clock += 1
            entry.statements[text] = (query, entry.clock)
            while entry.statements.count > capacity, let oldest = entry.statements.min(by: { $0.value.used < $1.value.used }) {
                closing.append(oldest.value.query)
                entry.statements[oldest.key] = nil
            }
            table[id] = entry
            return closing
        }
    }

    private static func forget(_ text: String, on connection: PostgresConnection) {
        kept.withLockedValue { table in
            let id = ObjectIdentifier(connection)
            guard table[id]?.connection === connection else { return }
            table[id]?.statements[text] = nil
        }
    }

    /// `text` with each placeholder `$n` outside quotes replaced by the n-th value written as a
    /// literal of its type (`E'…'::text`, `E'…'::uuid`, `E'…'::int8`, `E'…'::bool`); nil when a
    /// value is of another type or a text holds a NUL, which is then bound as usual. The escape
    /// string syntax (`E'…'`, with `\` and `'` doubled) reads the same whatever the server's
    /// `standard_conforming_strings`, so a value can never end its literal early.
    static func withValuesWritten(_ text: String, _ values: [any Encodable & Sendable]) -> String? {
        var literals: [String] = []
        literals.reserveCapacity(values.count)
        for value in values {
            let (content, type): (String, String)
            switch value {
            case let text as String: (content, type) = (text, "text")
            case let id as UUID: (content, type) = (id.uuidString, "uuid")
            case let number as Int: (content, type) = (String(number), "int8")
            case let flag as Bool: (content, type) = (flag ? "true" : "false", "bool")
            default: return nil
            }
            guard !content.utf8.contains(0) else { return nil }
            var literal = "E'"
            for character in content.unicodeScalars {
                switch character {
                case "\\": literal += "\\\\"
                case "'": literal += "''"
                default: literal.unicodeScalars.append(character)
                }
            }
            literals.append(literal + "'::" + type)
        }
        return replacingPlaceholders(text) { number in number >= 1 && number <= literals.count ? literals[number - 1] : nil }
    }

    /// `text` with each placeholder `$n` outside quotes written `$n::type`, the type of the n-th
    /// value.
    static func typedPlaceholders(_ text: String, types: [PostgresDataType]) -> String {
        let names = types.map(typeName)
        return replacingPlaceholders(text) { number in
            guard number >= 1, number <= names.count, let name = names[number - 1] else { return nil }
            return "$\(number)::\(name)"
        }
    }

    /// `text` with each placeholder `$n` outside quotes replaced by `replacement(n)` (left as it
    /// is when that is nil).
    private static func replacingPlaceholders(_ text: String, _ replacement: (Int) -> String?) -> String {
        let bytes = Array(text.utf8)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count + 64)
        var quote: UInt8?
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == UInt8(ascii: "'") || byte == UInt8(ascii: "\"") {
                quote = byte
            } else if byte == UInt8(ascii: "$") {
                var number = 0
                var end = index
                while end < bytes.count, end - index < 6, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[end]) {
                    number = number * 10 + Int(bytes[end] - UInt8(ascii: "0"))
                    end += 1
                }
                if end > index, let written = replacement(number) {
                    result += written.utf8
                    index = end
                    continue
                }
            }
            result.append(byte)
        }
        return String(decoding: result, as: UTF8.self)
    }

    private static func typeName(_ type: PostgresDataType) -> String? {
        switch type {
        case .text: "text"
        case .uuid: "uuid"
        case .int8: "int8"
        case .bool: "bool"
        case .timestamptz: "timestamptz"
        default: nil
        }
    }
}
