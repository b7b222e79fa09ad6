import Fluent
import TrellisCore
import Vapor

/// CSV import through the web: upload (or paste), preview, confirm. Nothing is written until the
/// program manager confirms, and then everything is written in one transaction or nothing is.
enum ImportController {
    static func register(_ routes: any RoutesBuilder) {
        routes.get("admin", "import", use: form)
        routes.post("admin", "import", "preview", use: preview)
        routes.post("admin", "import", "confirm", use: confirm)
    }

    struct UploadInput: Content {
        var file: File?
        var csv: String?
    }

    @Sendable static func form(_ req: Request) async throws -> HTML {
        _ = try req.requireAdmin()
        return ImportPages.form(req, error: nil)
    }

    static func text(of input: UploadInput) throws -> String {
        if let file = input.file, file.data.readableBytes > 0 {
            return try PeopleCSV.decode(Data(buffer: file.data))
        }
        if let csv = input.csv, !csv.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { return csv }
        throw ValidationErrors(field: "file", "Choose a CSV file to upload, or paste its contents.")
    }

    @Sendable static func preview(_ req: Request) async throws -> Response {
        _ = try req.requireAdmin()
        let input = try req.content.decode(UploadInput.self)
        do {
            let csv = try text(of: input)
            let plan = try await PeopleCSV.plan(csv, on: req.db)
            let page = ImportPages.preview(req, plan: plan, csv: csv)
            return try await HTMLPage(status: plan.isValid ? .ok : .unprocessableEntity, html: page).encodeResponse(for: req)
        } catch let errors as ValidationErrors {
            return try await HTMLPage(status: .unprocessableEntity, html: ImportPages.form(req, error: errors["file"])).encodeResponse(for: req)
        }
    }

    @Sendable static func confirm(_ req: Request) async throws -> Response {
        let admin = try req.requireAdmin()
        let input = try req.content.decode(UploadInput.self)
        do {
            let csv = try text(of: input)
            // The file is checked again: people may have changed since the preview.
            let plan = try await PeopleCSV.plan(csv, on: req.db)
            guard plan.isValid else {
                return try await HTMLPage(status: .unprocessableEntity, html: ImportPages.preview(req, plan: plan, csv: csv)).encodeResponse(for: req)
            }
            try await PeopleCSV.apply(plan, by: admin, on: req.db)
            return try await ImportPages.done(req, plan: plan).encodeResponse(for: req)
        } catch let errors as ValidationErrors {
            return try await HTMLPage(status: .unprocessableEntity, html: ImportPages.form(req, error: errors["file"])).encodeResponse(for: req)
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

    static func preview(_ req: Request, plan: PeopleCSV.Plan, csv: String) -> HTML {
        if !plan.isValid {
            let rows: [HTML] = plan.problems.map { problem in
                "<tr><td>\(problem.row)</td><td>\(problem.column)</td><td>\(problem.value)</td><td>\(problem.message)</td></tr>"
            }
            return Layout.page(req, title: "Import problems", active: "import", content: """
            <h1>Nothing was imported</h1>
            <div class="error-summary" role="alert" tabindex="-1">
              <h2>The file has \(plan.problems.count) problem\(plan.problems.count == 1 ? "" : "s"). Fix \(plan.problems.count == 1 ? "it" : "them") and upload the file again.</h2>
            </div>
            <div class="table-wrap">
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
          <form method="post" action="/admin/import/confirm">
            \(Layout.csrfField(req))
            <input type="hidden" name="csv" value="\(csv)">
            <div class="actions"><button type="submit">Import \(plan.records.count) \(plan.records.count == 1 ? "person" : "people")</button><a href="/admin/import">Cancel</a></div>
          </form>
        </section>
        <div class="table-wrap">
          <table>
            <caption class="muted">Rows in the file</caption>
            <thead><tr><th scope="col">Change</th><th scope="col">Name</th><th scope="col">Email</th><th scope="col">Mentoring</th><th scope="col">Department</th><th scope="col">Manager</th></tr></thead>
            <tbody>\(rows)</tbody>
          </table>
        </div>
        \(more)
        """)
    }

    static func done(_ req: Request, plan: PeopleCSV.Plan) -> HTML {
        Layout.page(req, title: "Import complete", active: "import", notice: "Import complete: \(plan.count(.create)) created, \(plan.count(.update)) updated, \(plan.count(.unchanged)) unchanged.", content: """
        <h1>Import complete</h1>
        <p>New people have no password yet: send each an invitation link from <a href="/admin/people">People</a>.</p>
        <p><a class="button" href="/people">Open the directory</a></p>
        """)
    }
}
