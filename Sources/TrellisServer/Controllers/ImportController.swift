import Fluent
import FluentSQL
import TrellisCore
import Vapor

/// CSV import through the web: upload (or paste), preview, confirm. Nothing is written until the
/// program manager confirms, and then everything is written in one transaction or nothing is.
enum ImportController {
    static func register(_ routes: any RoutesBuilder) {
        routes.get("admin", "import", use: form)
        routes.post("admin", "import", "preview", use: preview)
        routes.post("admin", "import", "confirm", use: confirm)
        routes.get("admin", "import", "jobs", ":id", use: job)
    }

    struct UploadInput: Content {
        var file: File?
        var csv: String?
    }

    struct ConfirmInput: Content {
        var job: String?
    }

    @Sendable static func form(_ req: Request) async throws -> HTML {
        return ImportPages.form(req.page, error: nil)
    }

    static func text(of input: UploadInput) throws -> (text: String, filename: String) {
        if let file = input.file, file.data.readableBytes > 0 {
            return (try PeopleFile.decode(Data(buffer: file.data)), TextInput.line(file.filename))
        }
        if let csv = input.csv, !csv.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return (csv, "pasted text") }
        throw ValidationErrors(field: "file", "Choose a CSV file to upload, or paste its contents.")
    }

    /// Checks the file and shows what would change. A valid file is kept on the server, for this
    /// program manager only and for an hour, so that confirming sends only its id.
    @Sendable static func preview(_ req: Request) async throws -> Response {
        let admin = try req.requireUser()  // a program manager: the route group checks
        let input = try req.content.decode(UploadInput.self)
        do {
            let db = req.db
            let (csv, filename, plan) = try await LongWork.run {
                let (csv, filename) = try text(of: input)
                return (csv, filename, try await PeopleCSV.plan(csv, on: db))
            }
            guard plan.isValid else {
                return try await req.invalidForm(ImportPages.preview(req.page, plan: plan, jobID: nil))
            }
            guard plan.count(.create) + plan.count(.update) > 0 else {
                return try await ImportPages.preview(req.page, plan: plan, jobID: nil).encodeResponse(for: req)
            }
            let job = ImportJob(adminID: try admin.requireID(), filename: filename.isEmpty ? "people.csv" : filename.scalarPrefix(200), csv: csv, totalRows: plan.records.count)
            try await DatabaseWrites.transaction(on: req.db) { tx in
                // Uploads nobody confirmed in time are not kept.
                try await ImportJob.query(on: tx).filter(\.$state == ImportJob.State.previewed.rawValue).filter(\.$expiresAt < Date()).delete()
                try await job.create(on: tx)
            }
            return try await ImportPages.preview(req.page, plan: plan, jobID: try job.requireID()).encodeResponse(for: req)
        } catch let errors as ValidationErrors {
            return try await req.invalidForm(ImportPages.form(req.page, error: errors["file"]))
        }
    }

    /// Starts the import of a previewed file in the background and shows its progress page.
    @Sendable static func confirm(_ req: Request) async throws -> Response {
        let admin = try req.requireUser()  // a program manager: the route group checks
        let input = try req.content.decode(ConfirmInput.self)
        let expired = Abort(.gone, reason: "This preview has expired or was already imported. Upload the file again to see a fresh preview.")
        guard let id = input.job.flatMap(UUID.init(uuidString:)),
              let job = try await ImportJob.find(id, on: req.db), job.adminID == admin.id
        else {
            // Another program manager's upload answers like a missing one.
            throw Abort(.notFound, reason: "There is no such import. Upload the file again.")
        }
        guard job.jobState == .previewed, job.expiresAt > Date() else {
            if job.jobState != .previewed { return req.redirect(to: "/admin/import/jobs/\(id)") }
            throw expired
        }
        // Exactly one confirmation starts the job, however many arrive at once.
        guard try await ImportRunner.claim(id, on: req.db) else { return req.redirect(to: "/admin/import/jobs/\(id)") }
        ImportRunner.start(id, by: try admin.requireID(), app: req.application)
        return req.redirect(to: "/admin/import/jobs/\(id)")
    }

    @Sendable static func job(_ req: Request) async throws -> Response {
        guard let id = req.idParameter, let job = try await ImportJob.find(id, on: req.db) else {
            throw Abort(.notFound, reason: "There is no such import.")
        }
        return try await ImportPages.job(req.page, job: progress(job)).encodeResponse(for: req)
    }

    static func progress(_ job: ImportJob, now: Date = Date()) -> ImportPages.Progress {
        let state: ImportPages.Progress.State = switch job.jobState {
        case _ where job.isStalled(now: now): .stalled
        case .previewed: .previewed
        case .running: .running
        case .done: .done
        case .failed: .failed
        }
        return ImportPages.Progress(
            state: state, filename: job.filename, totalRows: job.totalRows, stagedRows: job.stagedRows,
            createdCount: job.createdCount, updatedCount: job.updatedCount, unchangedCount: job.unchangedCount, message: job.message)
    }
}
