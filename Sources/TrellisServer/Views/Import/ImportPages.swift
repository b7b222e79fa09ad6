import TrellisCore
import Foundation

enum ImportPages {
    static func form(_ context: PageContext, error: String?) -> HTML {
        Layout.page(context, title: "Import people", active: "import", content: """
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
          \(Layout.csrfField(context))
          <div class="field">
            <label for="file">CSV file</label>
            <input id="file" name="file" type="file" accept=".csv,text/csv">
          </div>
          \(Form.textarea("csv", label: "Or paste the CSV", value: "", rows: 5))
          <div class="actions"><button type="submit">Preview import</button><a href="/admin/export/people.csv">Download the current people as CSV</a></div>
        </form>
        """)
    }

    /// The most problems a page lists: a large file wrong on every row has hundreds of thousands,
    /// a page of hundreds of megabytes that no browser shows.
    static let problemsListed = 1_000

    /// Every problem of a CSV file (the first `problemsListed`), by row and column, under a
    /// summary that says how many; `everyOne` is the command that lists them all.
    static func problemTable(_ problems: [PeopleTable.Problem], everyOne: String) -> HTML {
        let count = problems.count
        let rows: [HTML] = problems.prefix(problemsListed).map { problem in
            "<tr><td>\(problem.row)</td><td>\(problem.column)</td><td>\(problem.value.excerpt(80))</td><td>\(problem.message)</td></tr>"
        }
        return """
        <div class="error-summary" role="alert" tabindex="-1">
          <h2>The file has \(count.grouped) problem\(count == 1 ? "" : "s"). Fix \(count == 1 ? "it" : "them") and upload the file again.</h2>
          \(HTML.when(count > problemsListed, "<p>The first \(problemsListed.grouped) are listed below, in row order. To see every one, run <code>\(everyOne)</code> on the server.</p>"))
        </div>
        <div class="table-wrap" tabindex="0" role="region" aria-label="Problems in the file">
          <table>
            <caption class="muted">Row numbers count the header as row 1</caption>
            <thead><tr><th scope="col">Row</th><th scope="col">Column</th><th scope="col">Value</th><th scope="col">Problem</th></tr></thead>
            <tbody>\(rows)</tbody>
          </table>
        </div>
        """
    }

    /// `jobID`: the kept upload that confirming starts (none when there is nothing to confirm).
    static func preview(_ context: PageContext, plan: PeopleCSV.Plan, jobID: UUID?) -> HTML {
        if !plan.isValid {
            return Layout.page(context, title: "Import problems", active: "import", content: """
            <h1>Nothing was imported</h1>
            \(problemTable(plan.problems, everyOne: "trellis import people FILE.csv --dry-run"))
            <p><a class="button secondary" href="/admin/import">Upload another file</a></p>
            """)
        }
        let rows: [HTML] = zip(plan.records, plan.changes).prefix(200).map { record, change in
            let badge: HTML = switch change {
            case .create: "<span class=\"badge new\">New</span>"
            case .update: "<span class=\"badge changed\">Changed</span>"
            case .unchanged: "<span class=\"badge\">Unchanged</span>"
            }
            return "<tr><td>\(badge)</td><td>\(record.name)</td><td>\(record.email)</td><td>\(record.role?.label ?? "—")</td><td>\(record.department)</td><td>\(record.managerEmail ?? "")</td></tr>"
        }
        let changing = plan.count(.create) + plan.count(.update)
        let confirmForm: HTML = changing == 0 || jobID == nil
            ? "<p>Everyone in the file is already in Trellis exactly as the file describes them: there is nothing to import.</p><div class=\"actions\"><a class=\"button secondary\" href=\"/admin/import\">Upload another file</a></div>"
            : """
            <form method="post" action="/admin/import/confirm">
              \(Layout.csrfField(context))
              <input type="hidden" name="job" value="\(jobID?.uuidString ?? "")">
              <p class="muted">The file is kept on the server for an hour, for you only, until you import it.</p>
              <div class="actions"><button type="submit">Import \(plan.records.count) \(plan.records.count == 1 ? "person" : "people")</button><a href="/admin/import">Cancel</a></div>
            </form>
            """
        let more = plan.records.count > 200 ? "<p class=\"muted\">Showing the first 200 of \(plan.records.count) rows.</p>" as HTML : .empty
        return Layout.page(context, title: "Preview import", active: "import", content: """
        <h1>Preview: \(plan.records.count) \(plan.records.count == 1 ? "person" : "people")</h1>
        <section class="panel" aria-labelledby="summary">
          <h2 id="summary">What will happen</h2>
          <div class="grid">
            <div><div class="stat">\(plan.count(.create))</div><p class="muted">new</p></div>
            <div><div class="stat">\(plan.count(.update))</div><p class="muted">changed</p></div>
            <div><div class="stat">\(plan.count(.unchanged))</div><p class="muted">unchanged</p></div>
          </div>
          \(plan.losingRoleWarning.map { warning -> HTML in "<p class=\"warning\" role=\"status\">\(warning)</p>" } ?? .empty)
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

    /// An import as its page shows it, made by `ImportController` from the stored job.
    struct Progress: Sendable {
        enum State: Sendable { case previewed, running, done, failed, stalled }
        var state: State
        var filename: String
        var totalRows: Int
        var stagedRows: Int
        var createdCount: Int
        var updatedCount: Int
        var unchangedCount: Int
        var message: String
    }

    static func job(_ context: PageContext, job: Progress) -> HTML {
        let state = job.state
        let total = max(job.totalRows, 1)
        switch state {
        case .previewed:
            return Layout.page(context, title: "Import not started", active: "import", content: """
            <h1>This import has not started</h1>
            <p>The file was previewed but not confirmed. Upload it again to see a fresh preview.</p>
            <p><a class="button" href="/admin/import">Upload a file</a></p>
            """)
        case .running:
            let percent = Int((Double(job.stagedRows) / Double(total) * 100).rounded(.down))
            let phase = job.stagedRows >= job.totalRows ? "Writing everything at once…"
                : job.stagedRows == 0 ? "Checking the file again (after any import started before it)…"
                : "Preparing \(job.stagedRows) of \(job.totalRows) people…"
            return Layout.page(context, title: "Importing", active: "import", refreshSeconds: 2, content: """
            <h1>Importing \(job.filename)</h1>
            <section class="panel" aria-labelledby="progress-heading">
              <h2 id="progress-heading">\(phase)</h2>
              <p><label for="import-progress">\(percent)% prepared</label></p>
              <progress id="import-progress" max="\(total)" value="\(job.stagedRows)">\(percent)%</progress>
              <p class="muted">This page updates itself every two seconds. Everyone else can keep working meanwhile; nothing is written until the whole file is ready.</p>
            </section>
            """)
        case .done:
            return Layout.page(context, title: "Import complete", active: "import", notice: job.message, content: """
            <h1>Import complete</h1>
            <div class="grid">
              <div><div class="stat">\(job.createdCount)</div><p class="muted">created</p></div>
              <div><div class="stat">\(job.updatedCount)</div><p class="muted">updated</p></div>
              <div><div class="stat">\(job.unchangedCount)</div><p class="muted">unchanged</p></div>
            </div>
            <p>New people have no password yet: send each an invitation link from <a href="/admin/people">People</a>.</p>
            <p><a class="button" href="/people">Open the directory</a></p>
            """)
        case .failed, .stalled:
            let message = state == .stalled
                ? "The server running this import stopped before it finished. Nothing was imported; upload the file again."
                : job.message
            return Layout.page(context, title: "Import failed", active: "import", content: """
            <h1>Nothing was imported</h1>
            <div class="error-summary" role="alert"><h2>\(message)</h2></div>
            <p><a class="button" href="/admin/import">Upload a file</a></p>
            """)
        }
    }
}
