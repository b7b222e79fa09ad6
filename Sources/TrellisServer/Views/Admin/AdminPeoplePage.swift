import Foundation
import TrellisCore

/// What the people page shows, made by `AdminPeopleController`: plain values, no queries.
struct AdminPeopleView: Sendable {
    struct CreatedLink: Sendable {
        var name: String
        var url: String
        var purpose: OneTimeToken.Purpose
    }

    var list: PeopleList.Page
    /// What was typed into the add form, and what is wrong with it.
    var input: AdminPeopleController.AddInput
    var errors: ValidationErrors
    /// An invitation or reset link just made, shown once.
    var createdLink: CreatedLink?
    var notice: String?
}

/// The program managers' people page: add a person, make links, and the list.
enum AdminPeoplePage {
    static func render(_ context: PageContext, _ view: AdminPeopleView) -> HTML {
        let (list, input, errors) = (view.list, view.input, view.errors)
        func link(page number: Int) -> String {
            var items = [("page", String(number))] + (list.search.isEmpty ? [] : [("q", list.search)])
            let forward = number > list.pageNumber
            if let edge = forward ? list.rows.last : list.rows.first {
                items += [(forward ? "after" : "before", edge.id.uuidString), ("at", edge.searchName)]
            }
            return QueryLink.make("/admin/people", items)
        }
        let pagination = Form.pagination(page: list.pageNumber, of: list.pageCount, hasPrevious: list.hasPrevious, hasNext: list.hasNext) { link(page: $0) }
        let heading = list.search.isEmpty ? "Everyone (\(list.total))" : "\(list.total == 1 ? "1 person matches" : "\(list.total) people match") “\(list.search)”"
        let linkBlock: HTML = view.createdLink.map { link in
            """
            <section class="panel" aria-labelledby="link-heading">
              <h2 id="link-heading">\(link.purpose == .invite ? "Invitation link" : "Password-reset link") for \(link.name)</h2>
              <p>Send this link to \(link.name). It works once and expires in \(link.purpose == .invite ? "7 days" : "24 hours"). It is shown only now.</p>
              <p class="token" id="created-link" data-copy="Copy the link for \(link.name)">\(link.url)</p>
            </section>
            """
        } ?? .empty
        let rows: [HTML] = list.rows.map { user in
            let id = user.id.uuidString
            let status: HTML = user.hasPassword ? "<span class=\"badge\">Active</span>" : "<span class=\"badge changed\">No password yet</span>"
            let linkPurpose = user.hasPassword ? "reset-link" : "invite"
            let linkLabel = user.hasPassword ? "Reset link" : "Invitation link"
            return """
            <tr>
              <td><a href="/people/\(id)">\(user.name)</a><br><span class="muted">\(user.email)</span></td>
              <td data-label="Role">\(user.role.label)</td>
              <td data-label="Department">\(user.department)</td>
              <td data-label="Mentoring">\(ProfilePages.roleLabel(user.mentoringRole))</td>
              <td data-label="Account">\(status)</td>
              <td>
                <form method="post" action="/admin/people/\(id)/\(linkPurpose)">
                  \(Layout.csrfField(context))
                  <button type="submit" class="secondary" aria-label="\(linkLabel) for \(user.name)">\(linkLabel)</button>
                </form>
              </td>
            </tr>
            """
        }
        return Layout.page(context, title: "People", active: "admin-people", notice: view.notice, content: """
        <h1>People</h1>
        \(linkBlock)
        <section class="panel" aria-labelledby="add-heading">
          <h2 id="add-heading">Add a person</h2>
          \(Form.errorSummary(errors))
          <form method="post" action="/admin/people" novalidate>
            \(Layout.csrfField(context))
            <div class="form-columns">
              \(Form.text("name", label: "Name", value: input.name ?? "", error: errors["name"], required: true))
              \(Form.text("email", label: "Email", value: input.email ?? "", type: "email", error: errors["email"], required: true))
              \(Form.select("role", label: "Role", options: AccountRole.allCases.reversed().map { ($0.rawValue, $0.label) }, selected: input.role ?? "participant", error: errors["role"]))
            </div>
            <div class="field"><label class="choice"><input type="checkbox" name="invite"\(HTML.when(input.invite == "on", " checked"))> Create an invitation link so they can choose a password</label></div>
            <div class="actions"><button type="submit">Add person</button></div>
          </form>
        </section>
        <section aria-labelledby="list-heading">
          <div class="actions"><h2 id="list-heading">\(heading)</h2><a class="button secondary" href="/admin/export/people.csv">Export CSV</a><a class="button secondary" href="/admin/import">Import CSV</a><a href="/admin/audit">Audit log</a></div>
          <form class="filters" method="get" action="/admin/people" role="search" aria-label="Search people">
            \(Form.text("q", label: "Name or email", value: list.search, type: "search"))
            <div class="field"><button type="submit" class="secondary">Search</button></div>
          </form>
          \(list.rows.isEmpty ? "<p class=\"panel\">No one matches. Try another name or email.</p>" as HTML : .empty)
          <div class="table-wrap" tabindex="0" role="region" aria-label="People">
            <table class="stack">
              <caption class="muted">People, their platform role and mentoring role</caption>
              <thead><tr><th scope="col">Person</th><th scope="col">Role</th><th scope="col">Department</th><th scope="col">Mentoring</th><th scope="col">Account</th><th scope="col">Link</th></tr></thead>
              <tbody>\(rows)</tbody>
            </table>
          </div>
          \(pagination)
        </section>
        """)
    }
}
