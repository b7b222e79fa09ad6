import Fluent
import FluentSQL
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The one way Trellis changes data: every write that matters runs in `DatabaseWrites.transaction`.
///
/// SQLite allows one writer at a time. Fluent's own transactions start with a deferred
/// `BEGIN`, which takes the write lock only at the first write; two such transactions that both
/// read first then deadlock, and SQLite answers one of them at once with "database is locked"
/// (no busy timeout helps with that). So on SQLite a write transaction here:
/// - waits its turn in this process (`WriteQueue`, first come first served), so requests of one
///   server never fight over the lock;
/// - starts with `BEGIN IMMEDIATE`, which takes the write lock up front, so a transaction that
///   holds it never has to upgrade;
/// - waits up to `busyTimeout` for another process (a second server, `trellis import`) to
///   finish, through SQLite's busy timeout, and only then gives up with a clear 503.
/// Readers never wait: the database file runs in WAL mode (see `configure`).
///
/// On PostgreSQL it is an ordinary transaction: PostgreSQL has row locks and many writers.
/// Calls nest: inside a transaction, a nested call runs in the same transaction.
enum DatabaseWrites {
    /// How long a write waits for another process to release SQLite's write lock.
    static let busyTimeoutMilliseconds = 15_000

    @TaskLocal static var insideTransaction = false

    static let queue = WriteQueue()

    /// Counts write transactions of this process (each one moves it on, committed or not), so
    /// that what was read before a write can tell it may be out of date (`SessionCache`).
    private static let generation = NIOLockedValueBox<UInt64>(0)
    static var currentGeneration: UInt64 { generation.withLockedValue { $0 } }

    static func transaction<T: Sendable>(on db: any Database, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        if insideTransaction { return try await body(db) }
        defer { generation.withLockedValue { $0 &+= 1 } }
        return try await outermostTransaction(on: db, body)
    }

    /// A write transaction that never waits for this process's other writers (nil when one is
    /// running, on SQLite; on PostgreSQL, the body decides, with locks that do not wait).
    static func transactionIfFree<T: Sendable>(on db: any Database, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T? {
        if insideTransaction { return try await body(db) }
        guard isSQLite(db) else { return try await transaction(on: db, body) }
        guard await queue.claimIfFree() else { return nil }
        defer { generation.withLockedValue { $0 &+= 1 } }
        return try await outermostTransaction(on: db, claimed: true, body)
    }

    static func isSQLite(_ db: any Database) -> Bool {
        (db as? any SQLDatabase)?.dialect.name == "sqlite"
    }

    private static func outermostTransaction<T: Sendable>(
        on db: any Database, claimed: Bool = false, _ body: @escaping @Sendable (any Database) async throws -> T
    ) async throws -> T {
        guard isSQLite(db) else {
            return try await db.transaction { tx in
                try await $insideTransaction.withValue(true) { try await body(tx) }
            }
        }
        return try await queue.run(claimed: claimed) {
            try await db.withConnection { connection in
                guard let sql = connection as? any SQLDatabase else { return try await body(connection) }
                try await configure(sql)
                do {
                    try await sql.raw("BEGIN IMMEDIATE").run()
                } catch {
                    throw Abort(.serviceUnavailable, reason: "The database is busy with a long change (such as an import). Please try again in a moment.")
                }
                do {
                    let result = try await $insideTransaction.withValue(true) { try await body(connection) }
                    try await sql.raw("COMMIT").run()
                    return result
                } catch {
                    try? await sql.raw("ROLLBACK").run()
                    throw error
                }
            }
        }
    }

    /// Inside a transaction, makes other writers of the table wait until this one ends, so that a
    /// check ("no one exists yet") stays true until the write that depends on it. SQLite has one
    /// writer at a time already; PostgreSQL takes a table lock that still lets readers read.
    static func lockTable(_ table: String, on tx: any Database) async throws {
        guard let sql = tx as? any SQLDatabase, sql.dialect.name == "postgresql" else { return }
        try await sql.raw("LOCK TABLE \(ident: table) IN SHARE ROW EXCLUSIVE MODE").run()
    }

    /// Per-connection settings for writing (cheap to repeat): wait for other processes instead of
    /// failing; in WAL mode, sync at checkpoints rather than at every commit (a crash cannot
    /// corrupt the database or lose a committed transaction; a power cut may lose the last few);
    /// a page cache of 64 MB, allocated as used (a large import's final transaction takes more
    /// for itself, `PeopleImport.importCacheKiB`); reads through the memory map, as readers do
    /// (`PlainRows.memoryMapBytes`).
    static func configure(_ sql: any SQLDatabase) async throws {
        try await sql.raw("PRAGMA busy_timeout = \(unsafeRaw: String(busyTimeoutMilliseconds))").run()
        try await sql.raw("PRAGMA synchronous = NORMAL").run()
        try await setCache(kibibytes: cacheKiB, on: sql)
        try await sql.raw("PRAGMA mmap_size = \(unsafeRaw: String(PlainRows.memoryMapBytes))").run()
    }

    /// A writer's page cache on SQLite, in KiB (64 MB).
    static let cacheKiB = 65_536

    /// Sets the SQLite connection's page cache (a negative `cache_size` counts KiB).
    static func setCache(kibibytes: Int, on sql: any SQLDatabase) async throws {
        try await sql.raw("PRAGMA cache_size = \(unsafeRaw: String(-kibibytes))").run()
    }

    /// Settings on SQLite for one large transaction (an import's final one, which rewrites
    /// millions of rows), until `endLargeTransaction`, measured on the re-import of 100,000
    /// people with every tag list changed:
    /// - the pages it changes stay in memory up to `holdingKiB` (`cache_spill`), rather than
    ///   being written to the log and read back from it, looking each one up in the log's index,
    ///   which grows with the transaction (`perf`: `walFindFrame`; this was a page cache of 1 GB);
    /// - the page cache is otherwise small (`sortKiB`), because SQLite sorts in memory up to the
    ///   size of the page cache: with 1 GB every `GROUP BY` and `ORDER BY` over millions of tags
    ///   was one sort of them all, with 2 MB it sorts runs of 2 MB and merges them, on `threads`
    ///   helpers (counting the tags again: 9-10 -> 5-6 s; the search tags' insert 4.8 -> 2.5 s);
    /// - deleted rows are overwritten only where that costs no extra writing (`secure_delete =
    ///   FAST`): what such a transaction deletes is the directory's (tags, search entries, names)
    ///   and its own staged rows, which the directory shows to everyone anyway; every other
    ///   transaction zeroes what it deletes.
    ///
    /// `sortHelpers`: SQLite's helper threads for sorting (the command line gives it one a core,
    /// `everyCoreSortHelpers`; the server none, so that a core stays with the pages).
    ///
    /// `cache_spill` is given in KiB (a negative number): a number of pages is also read as a
    /// flag, which older SQLite took as a byte (a multiple of 256 pages turned spilling off).
    /// Call it first thing in the transaction's `do` and `endLargeTransaction` on every way out.
    static func beginLargeTransaction(holdingKiB: Int, sortHelpers: Int = 0, on sql: any SQLDatabase) async throws {
        try await sql.raw("PRAGMA cache_spill = \(unsafeRaw: String(-max(holdingKiB, cacheKiB)))").run()
        try await setCache(kibibytes: sortKiB, on: sql)
        try await sql.raw("PRAGMA threads = \(unsafeRaw: String(min(max(sortHelpers, 0), 4)))").run()
        try await sql.raw("PRAGMA secure_delete = FAST").run()
    }

    /// A writer's settings again (see `configure`): every one of them is set back even if
    /// another fails (the first failure is thrown after), so that the connection does not go
    /// back to the pool with a large transaction's settings.
    static func endLargeTransaction(on sql: any SQLDatabase) async throws {
        var failure: (any Error)?
        for step in [
            { try await sql.raw("PRAGMA secure_delete = ON").run() }, { try await sql.raw("PRAGMA threads = 0").run() },
            { try await setCache(kibibytes: cacheKiB, on: sql) }, { try await sql.raw("PRAGMA cache_spill = 1").run() },
        ] as [() async throws -> Void] {
            do { try await step() } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
    }

    /// The page cache of a large transaction beside the pages it changes, in KiB: the size of
    /// the runs SQLite sorts in memory before merging them.
    static let sortKiB = 2_048

    /// The helper threads of the command line's large transactions: one a processor, at most 4
    /// (on 2 cores, one helper made the re-import of 100,000 people 36-37 -> 39-42 s: SQLite's
    /// sorter works in tasks of its own beside the statement's thread).
    static let everyCoreSortHelpers = min(4, max(1, ProcessInfo.processInfo.activeProcessorCount))

    /// Whether an error is a unique-constraint violation (two requests inserting the same key).
    static func isUniqueViolation(_ error: any Error) -> Bool {
        let text = String(reflecting: error)
        return text.contains("UNIQUE constraint failed") || text.contains("23505") || text.contains("uniqueViolation") || text.contains("unique_violation")
    }
}

/// A first-come-first-served lock for async code: one holder at a time, the rest wait in order
/// without blocking a thread.
actor WriteQueue {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// `claimed`: the caller already holds the queue (`claimIfFree`).
    func run<T: Sendable>(claimed: Bool = false, _ body: @Sendable () async throws -> T) async throws -> T {
        if !claimed { await acquire() }
        defer { release() }
        return try await body()
    }

    /// Takes the queue if no one holds it or waits for it.
    func claimIfFree() -> Bool {
        guard !busy else { return false }
        busy = true
        return true
    }

    private func acquire() async {
        if !busy { busy = true; return }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
    }
}
