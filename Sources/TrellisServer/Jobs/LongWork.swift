import Fluent
import NIOPosix
import Vapor

/// A thread of its own for long computations inside a request or a job: checking and staging an
/// import, encoding an export. `serve` runs Swift concurrency's tasks on the event loops that
/// read and write every connection (`TrellisMain.shareEventLoops`), so work that keeps a thread
/// busy for seconds must not run there: it would hold up every connection on that loop. Code run
/// with this executor preferred (`LongWork.run`, or a task started with it) runs here between its
/// awaits; what it awaits (the database) runs where it always does.
final class LongWork: TaskExecutor, @unchecked Sendable {
    static let shared = LongWork()
    /// A second thread, for work that runs beside the first: an export reads its next batch here
    /// while it writes one there, and an import works out its next batch here while the database
    /// writes one (so a large import may keep both cores of a small machine busy for a while).
    static let beside = LongWork()

    /// One thread each: imports and exports are rare.
    private let pool: NIOThreadPool

    static let threadNamePrefix = "long-work-"

    private init() {
        pool = NIOThreadPool._makePerpetualStartedPool(numberOfThreads: 1, threadNamePrefix: Self.threadNamePrefix)
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        pool.submit { _ in job.runSynchronously(on: executor) }
    }

    /// `body` with this executor preferred.
    static func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await withTaskExecutorPreference(shared) { try await body() }
    }
}

extension DatabaseID {
    /// The same SQLite file as `.sqlite`, through connections of its own (`longWorkDB`).
    static let longWork = DatabaseID(string: "long-work")
}

extension Application {
    /// The database for work that holds a connection for long, such as an import's final
    /// transaction (seconds for 100,000 people). SQLite's driver gives each event loop one
    /// connection, and a request waits for its own loop's: with the import holding it, every
    /// page served by that loop (even the sign-in page) waited 10 s and then failed. So on an
    /// SQLite file such work has connections of its own, and readers on the others go on reading
    /// (write-ahead logging). PostgreSQL's pool has several connections a loop; an in-memory
    /// SQLite database cannot be shared between connections. Both use `db`.
    var longWorkDB: any Database {
        databases.ids().contains(.longWork) ? db(.longWork) : db
    }
}
