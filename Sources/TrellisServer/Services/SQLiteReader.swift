import FluentKit
import FluentSQLiteDriver
import Foundation
import NIOCore
import NIOPosix
import VaporCSQLite

/// Plain reads of an SQLite file on the thread that asks, through a connection of that thread's
/// own that keeps its prepared statements.
///
/// SQLiteNIO runs every statement on a pool thread and answers back on the event loop: two thread
/// switches a statement, and the statement parsed and planned afresh each time. `perf` showed the
/// switching alone at 0.15–0.3 ms a statement on this machine, more than most of the directory's
/// statements take to run (a search runs 3–5). Here each thread that reads (an event loop, when
/// `serve` runs tasks on them) opens its own connection to the file once, keeps up to
/// `statementsKept` prepared statements, and runs a read where it is. SQLite in WAL mode lets
/// these connections read while another writes; each statement reads the last committed state.
///
/// Only for reads outside a write transaction (which must see their own uncommitted writes, on
/// their own connection), and only for a database in a file (an in-memory database has one
/// connection). A read that finds the database busy (rare in WAL mode: a connection recovering
/// the log) returns nil and goes the usual way, so a reader never waits on the event loop.
enum SQLiteReader {
    static let statementsKept = 96

    /// The configuration `configure` registers for an SQLite file: SQLiteNIO's own, plus the path
    /// (which Fluent does not make public), so that a read can find the file from its `Database`.
    struct Configuration: DatabaseConfiguration {
        var inner: any DatabaseConfiguration
        var path: String
        var middleware: [any AnyModelMiddleware] {
            get { inner.middleware }
            set { inner.middleware = newValue }
        }
        func makeDriver(for databases: Databases) -> any DatabaseDriver { inner.makeDriver(for: databases) }
    }

    static func factory(path: String) -> DatabaseConfigurationFactory {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        return DatabaseConfigurationFactory { Configuration(inner: DatabaseConfigurationFactory.sqlite(.file(absolute)).make(), path: absolute) }
    }

    /// The rows of a read, or nil when it must go the usual way (no file, inside a transaction,
    /// busy).
    static func rows(_ text: String, _ binds: [SQLiteData], on db: any Database) throws -> [DirectRow]? {
        guard let configuration = db.context.configuration as? Configuration, !db.inTransaction, !DatabaseWrites.insideTransaction else { return nil }
        let connections = perThread.currentValue ?? {
            let made = ThreadConnections()
            perThread.currentValue = made
            return made
        }()
        guard let connection = connections.connection(configuration.path) else { return nil }
        return try connection.rows(text, binds)
    }

    /// Each thread's connections, by file (tests open many files; a thread keeps a few).
    private static let perThread = ThreadSpecificVariable<ThreadConnections>()

    /// Unchecked: each instance is only ever reached from the thread it was made for.
    private final class ThreadConnections: @unchecked Sendable {
        var byPath: [(path: String, connection: ReadConnection)] = []

        /// Nil when the file cannot be opened (the read goes the pool's way, which says why).
        func connection(_ path: String) -> ReadConnection? {
            if let found = byPath.first(where: { $0.path == path }) { return found.connection }
            guard let connection = try? ReadConnection(path: path) else { return nil }
            byPath.append((path, connection))
            if byPath.count > 4 { byPath.removeFirst() }  // closed as it goes
            return connection
        }
    }

    struct ReadError: Error, CustomStringConvertible {
        var description: String
    }

    /// One thread's connection to one file and its prepared statements. Used by that thread only.
    private final class ReadConnection {
        private let handle: OpaquePointer
        private var statements: [String: Statement] = [:]
        /// Counts uses, so that the statement used longest ago is the one let go.
        private var clock = 0

        final class Statement {
            let handle: OpaquePointer
            var columns: DirectRow.Columns
            /// How many times SQLite had prepared it again (after a change of a table's shape) when
            /// `columns` were read: its columns may have changed since.
            var reprepared: Int32
            var lastUse = 0
            init(handle: OpaquePointer) {
                self.handle = handle
                columns = Self.columns(of: handle)
                reprepared = sqlite_nio_sqlite3_stmt_status(handle, Int32(SQLITE_STMTSTATUS_REPREPARE), 0)
            }
            deinit { sqlite_nio_sqlite3_finalize(handle) }

            static func columns(of handle: OpaquePointer) -> DirectRow.Columns {
                var names: [String: Int] = [:]
                let count = sqlite_nio_sqlite3_column_count(handle)
                for column in 0..<count {
                    if let name = sqlite_nio_sqlite3_column_name(handle, column) {
                        let key = String(cString: name)
                        if names[key] == nil { names[key] = Int(column) }
                    }
                }
                return DirectRow.Columns(names, count: Int(count))
            }

            /// Reads the columns again if SQLite has prepared the statement again since.
            func refreshColumns() {
                let now = sqlite_nio_sqlite3_stmt_status(handle, Int32(SQLITE_STMTSTATUS_REPREPARE), 0)
                guard now != reprepared else { return }
                (columns, reprepared) = (Self.columns(of: handle), now)
            }
        }

        init(path: String) throws {
            var opened: OpaquePointer?
            let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
            let result = sqlite_nio_sqlite3_open_v2(path, &opened, flags, nil)
            guard result == SQLITE_OK, let opened else {
                if let opened { sqlite_nio_sqlite3_close(opened) }
                throw ReadError(description: "SQLite could not open \(path) for reading (code \(result)).")
            }
            handle = opened
            // Reads only, through the memory map as the pool's connections do; never wait for a
            // lock here (a busy read goes the usual way instead).
            for pragma in ["PRAGMA query_only = ON", "PRAGMA mmap_size = \(PlainRows.memoryMapBytes)", "PRAGMA busy_timeout = 0"] {
                sqlite_nio_sqlite3_exec(handle, pragma, nil, nil, nil)
            }
        }

        deinit {
            statements.removeAll()
            sqlite_nio_sqlite3_close(handle)
        }

        private func message() -> String {
            sqlite_nio_sqlite3_errmsg(handle).map { String(cString: $0) } ?? "unknown error"
        }

        /// Nil when the database is busy (being recovered by another connection).
        private func statement(_ text: String) throws -> Statement? {
            clock += 1
            if let kept = statements[text] {
                kept.lastUse = clock
                return kept
            }
            var prepared: OpaquePointer?
            let result = sqlite_nio_sqlite3_prepare_v3(handle, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, nil)
            guard result == SQLITE_OK, let prepared else {
                if let prepared { sqlite_nio_sqlite3_finalize(prepared) }
                if result & 0xFF == SQLITE_BUSY || result & 0xFF == SQLITE_LOCKED { return nil }
                throw ReadError(description: "SQLite could not prepare a read: \(message())")
            }
            let kept = Statement(handle: prepared)
            kept.lastUse = clock
            if statements.count >= SQLiteReader.statementsKept, let oldest = statements.min(by: { $0.value.lastUse < $1.value.lastUse }) {
                statements[oldest.key] = nil
            }
            statements[text] = kept
            return kept
        }

        func rows(_ text: String, _ binds: [SQLiteData]) throws -> [DirectRow]? {
            guard let statement = try statement(text) else { return nil }
            let handle = statement.handle
            defer {
                // A statement left unfinished would keep its read transaction (and an old view of
                // the database) open.
                sqlite_nio_sqlite3_reset(handle)
                sqlite_nio_sqlite3_clear_bindings(handle)
            }
            for (index, bind) in binds.enumerated() {
                let position = Int32(index + 1)
                let result: Int32 = switch bind {
                case .integer(let value): sqlite_nio_sqlite3_bind_int64(handle, position, Int64(value))
                case .float(let value): sqlite_nio_sqlite3_bind_double(handle, position, value)
                case .text(let value):
                    sqlite_nio_sqlite3_bind_text64(handle, position, value, UInt64(value.utf8.count), transient, UInt8(SQLITE_UTF8))
                case .blob(let value):
                    value.withUnsafeReadableBytes { sqlite_nio_sqlite3_bind_blob64(handle, position, $0.baseAddress, UInt64($0.count), transient) }
                case .null: sqlite_nio_sqlite3_bind_null(handle, position)
                }
                guard result == SQLITE_OK else { throw ReadError(description: "SQLite could not bind a value: \(message())") }
            }
            var rows: [DirectRow] = []
            var width: Int32 = 0
            while true {
                let step = sqlite_nio_sqlite3_step(handle)
                if step == SQLITE_DONE { return rows }
                if step & 0xFF == SQLITE_BUSY || step & 0xFF == SQLITE_LOCKED { return nil }
                guard step == SQLITE_ROW else { throw ReadError(description: "SQLite could not read: \(message())") }
                if rows.isEmpty {
                    // The first step may have prepared it again for a table of another shape.
                    statement.refreshColumns()
                    width = Int32(statement.columns.count)
                }
                var values: [SQLiteData] = []
                values.reserveCapacity(Int(width))
                for column in 0..<width {
                    switch sqlite_nio_sqlite3_column_type(handle, column) {
                    case SQLITE_INTEGER: values.append(.integer(Int(sqlite_nio_sqlite3_column_int64(handle, column))))
                    case SQLITE_FLOAT: values.append(.float(sqlite_nio_sqlite3_column_double(handle, column)))
                    case SQLITE_TEXT:
                        // The text first, then its length (SQLite's documented order).
                        guard let text = sqlite_nio_sqlite3_column_text(handle, column) else {
                            throw ReadError(description: "SQLite could not read a text: \(message())")
                        }
                        let bytes = Int(sqlite_nio_sqlite3_column_bytes(handle, column))
                        values.append(.text(String(decoding: UnsafeBufferPointer(start: text, count: bytes), as: UTF8.self)))
                    case SQLITE_BLOB:
                        let blob = sqlite_nio_sqlite3_column_blob(handle, column)
                        let bytes = Int(sqlite_nio_sqlite3_column_bytes(handle, column))
                        var buffer = ByteBufferAllocator().buffer(capacity: bytes)
                        if let blob {
                            buffer.writeBytes(UnsafeRawBufferPointer(start: blob, count: bytes))
                        }
                        values.append(.blob(buffer))
                    default: values.append(.null)
                    }
                }
                rows.append(DirectRow(columns: statement.columns, values: values))
            }
        }
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

/// A row read by `SQLiteReader`: its values, and the statement's column names (shared by its rows).
struct DirectRow: Sendable {
    final class Columns: Sendable {
        let indexes: [String: Int]
        /// Every column, those of a repeated name included.
        let count: Int
        init(_ indexes: [String: Int], count: Int) { (self.indexes, self.count) = (indexes, count) }
    }

    let columns: Columns
    let values: [SQLiteData]

    func column(_ name: String) -> SQLiteData? {
        columns.indexes[name].map { values[$0] }
    }
}
