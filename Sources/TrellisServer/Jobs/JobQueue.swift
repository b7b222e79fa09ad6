import Fluent
import FluentSQL
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Background work in the database, shared by every server instance: matching runs now, and
/// reminders to come. A job is queued in the transaction that asks for it; any instance's
/// `JobWorker` may claim it, and the claim is one conditional write, so exactly one does. The
/// instance that holds a job beats its heart; a job whose heart stopped (its server went away) is
/// queued again, up to three tries.
enum JobQueue {
    /// How often a held job says so, and after how long without a beat it counts as abandoned.
    static let heartbeatInterval: Duration = .seconds(10)
    static let abandonedAfter: TimeInterval = 60
    static let maximumAttempts = 3

    /// What a kind of job does with its subject. Throwing fails the job with the error's words.
    typealias Handler = @Sendable (_ subject: UUID, _ app: Application) async throws -> Void

    private static let handlers = NIOLockedValueBox<[String: Handler]>([:])

    static func register(_ kind: String, _ handler: @escaping Handler) {
        handlers.withLockedValue { $0[kind] = handler }
    }

    static func handler(_ kind: String) -> Handler? { handlers.withLockedValue { $0[kind] } }

    /// Queues a job (call inside the transaction that makes its subject).
    @discardableResult
    static func enqueue(_ kind: String, subject: UUID, now: Date = Date(), on tx: any Database) async throws -> Job {
        let job = Job(kind: kind, subjectID: subject, now: now)
        try await job.create(on: tx)
        return job
    }

    /// Claims the oldest job that is due, for `instance`; nil when there is none. Abandoned jobs
    /// are queued again (or failed) first.
    static func claim(instance: String, now: Date = Date(), on db: any Database) async throws -> Job? {
        try await recoverAbandoned(now: now, on: db)
        return try await DatabaseWrites.transaction(on: db) { tx in
            guard let sql = tx as? any SQLDatabase else { return nil }
            let skipLocked: SQLQueryString = SearchIndex.isPostgres(sql) ? "FOR UPDATE SKIP LOCKED" : ""
            guard let row = try await PlainRows.first("""
                SELECT id FROM jobs WHERE state = \(bind: Job.State.queued.rawValue) AND run_after <= \(bind: now)
                ORDER BY created_at LIMIT 1 \(skipLocked)
                """, on: tx)
            else { return nil }
            let id = try row.uuid("id")
            // Only a job still queued is taken: of two instances that read the same row, one
            // updates it and the other changes nothing (SQLite takes turns; PostgreSQL skips the
            // row the other holds).
            let claimed = try await sql.update(Job.schema)
                .set("state", to: Job.State.running.rawValue)
                .set("claimed_by", to: instance)
                .set("heartbeat_at", to: now)
                .set(SQLIdentifier("attempts"), to: SQLRaw("attempts + 1"))
                .where("id", .equal, id)
                .where("state", .equal, Job.State.queued.rawValue)
                .returning("id")
                .all()
            guard claimed.count == 1 else { return nil }
            return try await Job.find(id, on: tx)
        }
    }

    /// Running jobs without a heartbeat for `abandonedAfter`: queued again, or failed after
    /// `maximumAttempts` tries.
    static func recoverAbandoned(now: Date = Date(), on db: any Database) async throws {
        let limit = now.addingTimeInterval(-abandonedAfter)
        let stale = try await Job.query(on: db).filter(\.$state == Job.State.running.rawValue).filter(\.$heartbeatAt < limit).limit(20).all()
        for job in stale {
            try await DatabaseWrites.transaction(on: db) { tx in
                let again = job.attempts < maximumAttempts
                try await Job.query(on: tx).filter(\.$id == job.requireID()).filter(\.$state == Job.State.running.rawValue).filter(\.$heartbeatAt < limit)
                    .set(\.$state, to: again ? Job.State.queued.rawValue : Job.State.failed.rawValue)
                    .set(\.$message, to: again ? "The server running it stopped; queued again." : "The server running it stopped \(maximumAttempts) times.")
                    .update()
                if !again, let fail = failureHandlers.withLockedValue({ $0[job.kind] }) {
                    try await fail(job.subjectID, "The server running it stopped \(maximumAttempts) times; nothing was changed.", tx)
                }
            }
        }
    }

    /// What a kind of job records on its subject when it fails for good without running its own
    /// error handling (its server went away each time).
    typealias FailureHandler = @Sendable (_ subject: UUID, _ message: String, _ tx: any Database) async throws -> Void
    private static let failureHandlers = NIOLockedValueBox<[String: FailureHandler]>([:])

    static func onAbandoned(_ kind: String, _ handler: @escaping FailureHandler) {
        failureHandlers.withLockedValue { $0[kind] = handler }
    }

    static func beat(_ id: UUID, instance: String, on db: any Database) async throws {
        try await DatabaseWrites.transaction(on: db) { tx in
            try await Job.query(on: tx).filter(\.$id == id).filter(\.$state == Job.State.running.rawValue).filter(\.$claimedBy == instance)
                .set(\.$heartbeatAt, to: Date()).update()
        }
    }

    static func finish(_ id: UUID, state: Job.State, message: String, on db: any Database) async throws {
        try await DatabaseWrites.transaction(on: db) { tx in
            try await Job.query(on: tx).filter(\.$id == id)
                .set(\.$state, to: state.rawValue).set(\.$message, to: message).set(\.$finishedAt, to: Date()).update()
        }
    }

    /// Claims and runs one job; false when none was due.
    @discardableResult
    static func runOne(instance: String, app: Application) async throws -> Bool {
        guard let job = try await claim(instance: instance, on: app.db) else { return false }
        let id = try job.requireID()
        guard let handler = handler(job.kind) else {
            try await finish(id, state: .failed, message: "No handler for jobs of kind \(job.kind).", on: app.db)
            return true
        }
        let beat = Task.detached {
            while !Task.isCancelled {
                do { try await Task.sleep(for: heartbeatInterval) } catch { return }
                try? await JobQueue.beat(id, instance: instance, on: app.db)
            }
        }
        defer { beat.cancel() }
        do {
            try await withTaskExecutorPreference(LongWork.shared) { try await handler(job.subjectID, app) }
            try await finish(id, state: .done, message: "", on: app.db)
        } catch {
            app.logger.report(error: error)
            try await finish(id, state: .failed, message: String(describing: error).scalarPrefix(500), on: app.db)
        }
        return true
    }

    /// Runs every due job, one after another (the tests, and `trellis program match`).
    static func drain(instance: String = "drain-\(UUID().uuidString.prefix(8))", app: Application) async throws {
        while try await runOne(instance: instance, app: app) {}
    }
}

/// The loop that runs jobs in a server: wakes every few seconds, or at once when this server
/// queued one (`kick`), and runs due jobs one at a time.
actor JobWorker {
    static let instanceID = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"
    static let pollInterval: Duration = .seconds(3)

    private var waiting: CheckedContinuation<Void, Never>?
    private var kicked = false
    private var task: Task<Void, Never>?

    func start(app: Application) {
        guard task == nil else { return }
        task = Task.detached { [self] in
            while !Task.isCancelled {
                do {
                    while try await JobQueue.runOne(instance: Self.instanceID, app: app) {}
                } catch {
                    app.logger.warning("Background jobs: \(String(describing: error))")
                }
                await self.sleep()
            }
        }
    }

    func stop() {
        task?.cancel()
        task = nil
        kick()
    }

    /// Wakes the loop now (a job was just queued by this server).
    func kick() {
        if let waiting {
            self.waiting = nil
            waiting.resume()
        } else {
            kicked = true
        }
    }

    private func sleep() async {
        if kicked { kicked = false; return }
        let timer = Task { [self] in
            do { try await Task.sleep(for: Self.pollInterval) } catch { return }
            await self.kick()
        }
        await withCheckedContinuation { waiting = $0 }
        timer.cancel()
    }
}

struct JobWorkerKey: StorageKey { typealias Value = JobWorker }

extension Application {
    /// This server's job loop: started by `serve`; tests run jobs with `JobQueue.drain`.
    var jobWorker: JobWorker? {
        get { storage[JobWorkerKey.self] }
        set { storage[JobWorkerKey.self] = newValue }
    }
}
