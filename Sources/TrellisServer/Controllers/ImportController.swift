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
        return ImportPages.form(req, error: nil)
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
            let (csv, filename) = try text(of: input)
            let plan = try await PeopleCSV.plan(csv, on: req.db)
            guard plan.isValid else {
                return try await req.invalidForm(ImportPages.preview(req, plan: plan, job: nil))
            }
            guard plan.count(.create) + plan.count(.update) > 0 else {
                return try await ImportPages.preview(req, plan: plan, job: nil).encodeResponse(for: req)
            }
            let job = ImportJob(adminID: try admin.requireID(), filename: filename.isEmpty ? "people.csv" : String(filename.prefix(200)), csv: csv, totalRows: plan.records.count)
            try await DatabaseWrites.transaction(on: req.db) { tx in
                // Uploads nobody confirmed in time are not kept.
                try await ImportJob.query(on: tx).filter(\.$state == ImportJob.State.previewed.rawValue).filter(\.$expiresAt < Date()).delete()
                try await job.create(on: tx)
            }
            return try await ImportPages.preview(req, plan: plan, job: job).encodeResponse(for: req)
        } catch let errors as ValidationErrors {
            return try await req.invalidForm(ImportPages.form(req, error: errors["file"]))
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
        guard let id = req.parameters.get("id", as: UUID.self), let job = try await ImportJob.find(id, on: req.db) else {
            throw Abort(.notFound, reason: "There is no such import.")
        }
        return try await ImportPages.job(req, job: job).encodeResponse(for: req)
    }
}

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

    static func start(_ id: UUID, by adminID: UUID, app: Application) {
        Task.detached {
            await run(id, by: adminID, db: app.db, logger: app.logger)
        }
    }

    /// Checks the stored file again (people may have changed since the preview), writes it with
    /// progress, and records the outcome. Nothing is written unless everything is.
    static func run(_ id: UUID, by adminID: UUID, db: any Database, logger: Logger) async {
        func finish(_ state: ImportJob.State, message: String, outcome: PeopleImport.Outcome? = nil) async {
            do {
                try await DatabaseWrites.transaction(on: db) { tx in
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
            let outcome = try await PeopleImport.apply(plan, jobID: id, by: adminID, on: db) { staged, _ in
                try await DatabaseWrites.transaction(on: db) { tx in
                    try await ImportJob.query(on: tx).filter(\.$id == id)
                        .set(\.$stagedRows, to: staged).set(\.$heartbeatAt, to: Date()).update()
                }
            }
            await finish(.done, message: "Import complete: \(outcome.summary).", outcome: outcome)
        } catch let errors as ValidationErrors {
            await finish(.failed, message: (errors["file"] ?? errors.summary))
        } catch {
            logger.report(error: error)
            await finish(.failed, message: "The import stopped because of an error on our side (it has been logged). Nothing was imported; please try again.")
        }
    }
}

enum ImportPages {
    static func form(_ req: Request, error: String?) -> HTML {
        Layout.page(req, title: "Import people", active: "import", content: """
        <h1>Import people from CSV</h1>
        <section class="panel">
          <p>Upload a CSV file with a header row and exactly these columns, in any order:</p>
          <p class="token">\(PeopleTable.columns.joined(separator: ","))</p>
          <ul>
            <li><strong>role</strong>: mentor, mentee or both. <strong>capacity</strong>: how many mentees a mentor can take (blank for mentees).</li>
            <li><strong>meeting_frequency</strong>: weekly, biweekly, monthly or as-needed. <strong>timezone</strong>: an IANA name such as Europe/Berlin.</li>
            <li>Lists (languages, expertise, development_areas, interests, values) separate values with “;”.</li>
            <li>Someone already in Trellis (same email) is updated. A manager may appear anywhere in the file.</li>
          </ul>
          <p>You will see a preview first. If any row has a problem, nothing is imported and every problem is listed.</p>
        </section>
        \(error.map { "<div class=\"error-summary\" role=\"alert\" id=\"file-error\"><h2>\($0)</h2></div>" as HTML } ?? .empty)
        <form class="panel" method="post" action="/admin/import/preview" enctype="multipart/form-data">
          \(Layout.csrfField(req))
          <div class="field">
            <label for="file">CSV file</label>
            <input id="file" name="file" type="file" accept=".csv,text/csv">
          </div>
          \(Form.textarea("csv", label: "Or paste the CSV", value: "", rows: 5))
          <div class="actions"><button type="submit">Preview import</button><a href="/admin/export/people.csv">Download the current people as CSV</a></div>
        </form>
        """)
    }

    static func preview(_ req: Request, plan: PeopleCSV.Plan, job: ImportJob?) -> HTML {
        if !plan.isValid {
            let rows: [HTML] = plan.problems.map { problem in
                "<tr><td>\(problem.row)</td><td>\(problem.column)</td><td>\(problem.value)</td><td>\(problem.message)</td></tr>"
            }
            return Layout.page(req, title: "Import problems", active: "import", content: """
            <h1>Nothing was imported</h1>
            <div class="error-summary" role="alert" tabindex="-1">
              <h2>The file has \(plan.problems.count) problem\(plan.problems.count == 1 ? "" : "s"). Fix \(plan.problems.count == 1 ? "it" : "them") and upload the file again.</h2>
            </div>
            <div class="table-wrap" tabindex="0" role="region" aria-label="Problems in the file">
              <table>
                <caption class="muted">Row numbers count the header as row 1</caption>
                <thead><tr><th scope="col">Row</th><th scope="col">Column</th><th scope="col">Value</th><th scope="col">Problem</th></tr></thead>
                <tbody>\(rows)</tbody>
              </table>
            </div>
            <p><a class="button secondary" href="/admin/import">Upload another file</a></p>
            """)
        }
        let rows: [HTML] = zip(plan.records, plan.changes).prefix(200).map { record, change in
            let badge: HTML = switch change {
            case .create: "<span class=\"badge new\">New</span>"
            case .update: "<span class=\"badge changed\">Changed</span>"
            case .unchanged: "<span class=\"badge\">Unchanged</span>"
            }
            return "<tr><td>\(badge)</td><td>\(record.name)</td><td>\(record.email)</td><td>\(record.role.label)</td><td>\(record.department)</td><td>\(record.managerEmail ?? "")</td></tr>"
        }
        let changing = plan.count(.create) + plan.count(.update)
        let confirmForm: HTML = changing == 0 || job == nil
            ? "<p>Everyone in the file is already in Trellis exactly as the file describes them: there is nothing to import.</p><div class=\"actions\"><a class=\"button secondary\" href=\"/admin/import\">Upload another file</a></div>"
            : """
            <form method="post" action="/admin/import/confirm">
              \(Layout.csrfField(req))
              <input type="hidden" name="job" value="\(job?.id?.uuidString ?? "")">
              <p class="muted">The file is kept on the server for an hour, for you only, until you import it.</p>
              <div class="actions"><button type="submit">Import \(plan.records.count) \(plan.records.count == 1 ? "person" : "people")</button><a href="/admin/import">Cancel</a></div>
            </form>
            """
        let more = plan.records.count > 200 ? "<p class=\"muted\">Showing the first 200 of \(plan.records.count) rows.</p>" as HTML : .empty
        return Layout.page(req, title: "Preview import", active: "import", content: """
        <h1>Preview: \(plan.records.count) \(plan.records.count == 1 ? "person" : "people")</h1>
        <section class="panel" aria-labelledby="summary">
          <h2 id="summary">What will happen</h2>
          <div class="grid">
            <div><div class="stat">\(plan.count(.create))</div><p class="muted">new</p></div>
            <div><div class="stat">\(plan.count(.update))</div><p class="muted">changed</p></div>
            <div><div class="stat">\(plan.count(.unchanged))</div><p class="muted">unchanged</p></div>
          </div>
          \(confirmForm)
        </section>
        <div class="table-wrap" tabindex="0" role="region" aria-label="Rows in the file">
          <table>
            <caption class="muted">Rows in the file</caption>
            <thead><tr><th scope="col">Change</th><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Mentoring</th><th scope="col">Department</th><th scope="col">Manager</th></tr></thead>
            <tbody>\(rows)</tbody>
          </table>
        </div>
        \(more)
        """)
    }

    static func job(_ req: Request, job: ImportJob) -> HTML {
        let state = job.isStalled() ? .failed : job.jobState
        let total = max(job.totalRows, 1)
        switch state {
        case .previewed:
            return Layout.page(req, title: "Import not started", active: "import", content: """
            <h1>This import has not started</h1>
            <p>The file was previewed but not confirmed. Upload it again to see a fresh preview.</p>
            <p><a class="button" href="/admin/import">Upload a file</a></p>
            """)
        case .running:
            let percent = Int((Double(job.stagedRows) / Double(total) * 100).rounded(.down))
            let phase = job.stagedRows >= job.totalRows ? "Writing everything at once…" : "Preparing \(job.stagedRows) of \(job.totalRows) people…"
            return Layout.page(req, title: "Importing", active: "import", refreshSeconds: 2, content: """
            <h1>Importing \(job.filename)</h1>
            <section class="panel" aria-labelledby="progress-heading">
              <h2 id="progress-heading">\(phase)</h2>
              <p><label for="import-progress">\(percent)% prepared</label></p>
              <progress id="import-progress" max="\(total)" value="\(job.stagedRows)">\(percent)%</progress>
              <p class="muted">This page updates itself every two seconds. Everyone else can keep working meanwhile; nothing is written until the whole file is ready.</p>
            </section>
            """)
        case .done:
            return Layout.page(req, title: "Import complete", active: "import", notice: job.message, content: """
            <h1>Import complete</h1>
            <div class="grid">
              <div><div class="stat">\(job.createdCount)</div><p class="muted">created</p></div>
              <div><div class="stat">\(job.updatedCount)</div><p class="muted">updated</p></div>
              <div><div class="stat">\(job.unchangedCount)</div><p class="muted">unchanged</p></div>
            </div>
            <p>New people have no password yet: send each an invitation link from <a href="/admin/people">People</a>.</p>
            <p><a class="button" href="/people">Open the directory</a></p>
            """)
        case .failed:
            let message = job.isStalled()
                ? "The server running this import stopped before it finished. Nothing was imported; upload the file again."
                : job.message
            return Layout.page(req, title: "Import failed", active: "import", content: """
            <h1>Nothing was imported</h1>
            <div class="error-summary" role="alert"><h2>\(message)</h2></div>
            <p><a class="button" href="/admin/import">Upload a file</a></p>
            """)
        }
    }
}
