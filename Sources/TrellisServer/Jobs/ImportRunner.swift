import Fluent
import FluentSQL
import TrellisCore
import Vapor

/// Runs confirmed imports in the background of the server that received the confirmation.
enum ImportRunner {
    /// Moves a previewed job to running, in one statement that only matches a previewed job.
    static func claim(_ id: UUID, on db: any Database) async throws -> Bool {
        try await DatabaseWrites.transaction(on: db) { tx in
            guard let sql = tx as? any SQLDatabase else { return false }
            let rows = try await sql.update(ImportJob.schema)
                .set("state", to: ImportJob.State.running.rawValue)
                .set("heartbeat_at", to: Date())
                .where("id", .equal, id)
                .where("state", .equal, ImportJob.State.previewed.rawValue)
                .returning("id")
                .all()
            return rows.count == 1
        }
    }

    /// Confirmed imports, one at a time in this process: an import holds its database connection
    /// through its final transaction, and a second one started on the same event loop would wait
    /// for that connection outside the write queue, give up after 10 s and fail.
    static let queue = WriteQueue()

    static func start(_ id: UUID, by adminID: UUID, app: Application) {
        Task.detached(executorPreference: LongWork.shared) {
            // The job reports that this server has it from its confirmation until it ends: while it
            // waits for an import before it, checks the file again and writes, not only while it
            // stages (a job waiting behind a long import read as stopped after five minutes).
            let beat = Task.detached { await heartbeat(id, every: heartbeatInterval, on: app.db) }
            defer { beat.cancel() }
            try? await queue.run { await run(id, by: adminID, db: app.longWorkDB, logger: app.logger) }
        }
    }

    /// How often a job this server holds says so (a fifth of `ImportJob.stalledAfter`).
    static let heartbeatInterval: Duration = .seconds(60)

    /// Marks a running job as alive every `interval` until cancelled. On SQLite a beat waits its
    /// turn for the write lock (behind the job's own final transaction, say); one that comes after
    /// the job has ended changes nothing, and one that fails is left for the next.
    static func heartbeat(_ id: UUID, every interval: Duration, on db: any Database) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: interval) } catch { return }
            try? await DatabaseWrites.transaction(on: db) { tx in
                try await ImportJob.query(on: tx).filter(\.$id == id).filter(\.$state == ImportJob.State.running.rawValue)
                    .set(\.$heartbeatAt, to: Date()).update()
            }
        }
    }

    /// Checks the stored file again (people may have changed since the preview), writes it with
    /// progress, and records the outcome. Nothing is written unless everything is.
    static func run(_ id: UUID, by adminID: UUID, db: any Database, logger: Logger) async {
        @Sendable func record(_ state: ImportJob.State, message: String, outcome: PeopleImport.Outcome? = nil, on tx: any Database) async throws {
            guard let job = try await ImportJob.find(id, on: tx) else { return }
            job.state = state.rawValue
            job.message = message
            job.finishedAt = Date()
            job.csv = ""  // the file's content is not kept once it is imported
            if let outcome {
                job.createdCount = outcome.created
                job.updatedCount = outcome.updated
                job.unchangedCount = outcome.unchanged
                job.stagedRows = job.totalRows
            }
            try await job.save(on: tx)
        }
        func finish(_ state: ImportJob.State, message: String) async {
            do {
                try await DatabaseWrites.transaction(on: db) { tx in try await record(state, message: message, on: tx) }
            } catch {
                logger.report(error: error)
            }
        }
        do {
            guard let job = try await ImportJob.find(id, on: db) else { return }
            let plan = try await PeopleCSV.plan(job.csv, on: db)
            guard plan.isValid else {
                let first = plan.problems.prefix(3).map(\.description).joined(separator: "; ")
                await finish(.failed, message: "People changed since the preview, and the file no longer passes the checks (\(plan.problems.count) problem\(plan.problems.count == 1 ? "" : "s"): \(first)). Nothing was imported; upload the file again to see every problem.")
                return
            }
            // The job is marked done in the transaction that writes the people: an import that
            // committed is never shown as running, or as stopped, afterwards (the vacuum that
            // follows a large one on PostgreSQL takes seconds).
            try await PeopleImport.apply(plan, jobID: id, by: adminID, on: db, progress: { staged, _ in
                try await DatabaseWrites.transaction(on: db) { tx in
                    try await ImportJob.query(on: tx).filter(\.$id == id)
                        .set(\.$stagedRows, to: staged).set(\.$heartbeatAt, to: Date()).update()
                }
            }, committing: { tx, outcome in
                try await record(.done, message: "Import complete: \(outcome.summary).", outcome: outcome, on: tx)
            })
        } catch let errors as ValidationErrors {
            await finish(.failed, message: (errors["file"] ?? errors.summary))
        } catch {
            logger.report(error: error)
            await finish(.failed, message: "The import stopped because of an error on our side (it has been logged). Nothing was imported; please try again.")
        }
    }
}
