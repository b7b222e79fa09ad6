import Foundation
import TrellisCore

/// What a program's participants page shows, made by `AdminProgramsController`.
struct RosterView: Sendable {
    var program: ProgramSummary
    var page: ProgramRoster.Page
    var input: AdminProgramsController.EnrolInput
    var errors: ValidationErrors
    var notice: String?
    /// Why nobody can be enrolled now (the program is active or concluded), or nil.
    var enrolProblem: String?
    /// What is wrong with an upload that could not be read at all.
    var csvError: String? = nil
    /// The heading over the problems (a refused removal has no field to correct).
    var errorHeading = "Please correct the highlighted fields."
    /// Departments in use, for the "enrol from the directory" filter.
    var departments: [String] = []
}

/// A program's participants, for its managers: enrol someone, and the roster with each person's
/// profile completeness, so the thin profiles can be chased before matching.
enum RosterPage {
    static func render(_ context: PageContext, _ view: RosterView) -> HTML {
        let program = view.program
        let id = program.id.uuidString
        let page = view.page
        func link(after: UUID? = nil, before: UUID? = nil, role: ProgramRole?) -> String {
            var items: [(String, String)] = role.map { [("role", $0.rawValue)] } ?? []
            if let after { items.append(("after", after.uuidString)) }
            if let before { items.append(("before", before.uuidString)) }
            return QueryLink.make("/admin/programs/\(id)/participants", items)
        }
        let rows: [HTML] = page.rows.map { row in
            let missing: HTML = row.missing.isEmpty ? "Complete" : "Missing \(row.missing.prefix(3).joined(separator: ", "))\(row.missing.count > 3 ? ", …" : "")"
            let remove: HTML = view.enrolProblem == nil ? """
            <form method="post" action="/admin/programs/\(id)/participants/\(row.userID.uuidString)/remove">
              \(Layout.csrfField(context))
              <button type="submit" class="secondary" aria-label="Remove \(row.name) from the program">Remove</button>
            </form>
            """ : .empty
            return """
            <tr>
              <td><a href="/people/\(row.userID.uuidString)">\(row.name)</a><br><span class="muted">\(row.email)</span></td>
              <td data-label="Role">\(row.role.label)\(row.capacity.map { " (takes \($0))" } ?? "")</td>
              <td data-label="Department">\(row.department)</td>
              <td data-label="Profile"><span class="\(row.percentComplete < 60 ? "badge changed" : "badge")">\(row.percentComplete)%</span><br><span class="muted">\(missing)</span></td>
              <td data-label="Statement">\(row.statement.excerpt(160))\(row.selfJoined ? "<br><span class=\"muted\">Joined themselves</span>" as HTML : .empty)</td>
              <td>\(remove)</td>
            </tr>
            """
        }
        let filters: [HTML] = [(nil, "Everyone (\(program.mentors + program.mentees))"), (ProgramRole.mentor, "Mentors (\(program.mentors))"), (.mentee, "Mentees (\(program.mentees))")].map { role, label in
            let current = role == page.role
            return "<li><a href=\"\(link(role: role))\"\(HTML.when(current, " aria-current=\"page\""))>\(label)</a></li>"
        }
        let pagination = Form.pagination(previous: page.hasPrevious ? link(before: page.rows.first?.enrolmentID, role: page.role) : nil,
                                         next: page.hasNext ? link(after: page.rows.last?.enrolmentID, role: page.role) : nil)
        let enrolForm: HTML = view.enrolProblem.map { "<p>\($0)</p>" as HTML } ?? """
        \(Form.errorSummary(view.errors, message: view.errorHeading))
        <form method="post" action="/admin/programs/\(id)/participants" novalidate>
          \(Layout.csrfField(context))
          <div class="form-columns">
            \(Form.text("email", label: "Email", value: view.input.email ?? "", type: "email", error: view.errors["email"], required: true))
            \(Form.select("role", label: "Role in this program", options: ProgramRole.allCases.map { ($0.rawValue, $0.label) }, selected: view.input.role ?? ProgramRole.mentee.rawValue, error: view.errors["role"]))
            \(Form.text("capacity", label: "Capacity (mentors)", value: view.input.capacity ?? "", type: "number", hint: "Mentees they take in this program, \(EnrolmentRules.capacity.allowed); blank uses their profile's.", error: view.errors["capacity"], attributes: [Attribute(.min, EnrolmentRules.capacity.range.lowerBound), Attribute(.max, EnrolmentRules.capacity.range.upperBound)]))
          </div>
          <div class="actions"><button type="submit">Enrol</button></div>
        </form>
        """
        return Layout.page(context, title: "Participants · \(program.name)", active: "programs", notice: view.notice, content: """
        <p><a href="/programs/\(id)">\(program.name)</a></p>
        <h1>Participants \(ProgramBits.stateBadge(program.state))</h1>
        <p>Matching reads each person's profile: a fuller profile makes a better match. Ask the people with thin profiles to complete them before matching.</p>
        <section class="panel" aria-labelledby="enrol-heading">
          <h2 id="enrol-heading">Enrol someone</h2>
          \(enrolForm)
        </section>
        \(view.enrolProblem == nil ? """
        <section class="panel" aria-labelledby="csv-heading">
          <h2 id="csv-heading">Enrol from a CSV file</h2>
          \(EnrolmentCSVPages.form(context, programID: program.id, error: view.csvError))
        </section>
        <section class="panel" aria-labelledby="directory-heading">
          <h2 id="directory-heading">Enrol from the directory</h2>
          \(DirectoryEnrolPages.form(programID: program.id, departments: view.departments))
        </section>
        """ as HTML : .empty)
        <section aria-labelledby="roster-heading">
          <h2 id="roster-heading">Roster</h2>
          <nav aria-label="Filter by role"><ul class="tabs">\(filters)</ul></nav>
          \(page.rows.isEmpty ? "<p class=\"panel\">Nobody here yet.</p>" as HTML : .empty)
          <div class="table-wrap" tabindex="0" role="region" aria-label="Participants">
            <table class="stack">
              <caption class="muted">Participants in the order they were enrolled, with their profile's completeness</caption>
              <thead><tr><th scope="col">Person</th><th scope="col">Role</th><th scope="col">Department</th><th scope="col">Profile</th><th scope="col">Statement</th><th scope="col"><span class="muted">Action</span></th></tr></thead>
              <tbody>\(rows)</tbody>
            </table>
          </div>
          \(pagination)
        </section>
        """)
    }
}
