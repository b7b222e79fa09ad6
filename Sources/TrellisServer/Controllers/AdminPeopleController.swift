import Fluent
import FluentSQL
import TrellisCore
import Vapor

/// Program managers: the list of people, adding and inviting, reset links, CSV export.
enum AdminPeopleController {
    static func register(_ routes: any RoutesBuilder) {
        routes.get("admin", "people", use: list)
        routes.post("admin", "people", use: add)
        routes.post("admin", "people", ":id", "invite", use: { try await link($0, purpose: .invite) })
        routes.post("admin", "people", ":id", "reset-link", use: { try await link($0, purpose: .reset) })
        routes.get("admin", "export", "people.csv", use: export)
        routes.get("admin", "audit", use: audit)
    }

    /// The latest admin actions: who did what, when. Never the content of a relationship.
    @Sendable static func audit(_ req: Request) async throws -> HTML {
        let entries = try await AuditEntry.query(on: req.db).sort(\.$createdAt, .descending).limit(200).all()
        let actorIDs = Array(Set(entries.compactMap(\.actorID)))
        let actors = actorIDs.isEmpty ? [] : try await User.query(on: req.db).filter(\.$id ~~ actorIDs).all()
        let names = Dictionary(uniqueKeysWithValues: actors.compactMap { user in user.id.map { ($0, user.name) } })
        let formatter = ISO8601DateFormatter()
        let rows: [HTML] = entries.map { entry in
            "<tr><td><time datetime=\"\(formatter.string(from: entry.createdAt))\">\(formatter.string(from: entry.createdAt).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC"))</time></td><td>\(entry.actorID.flatMap { names[$0] } ?? "Command line")</td><td>\(entry.action)</td><td>\(entry.detail)</td></tr>"
        }
        return Layout.page(req, title: "Audit log", active: "admin-people", content: """
        <h1>Audit log</h1>
        <p class="lede">The latest \(entries.count) actions by program managers and the command line.</p>
        \(entries.isEmpty ? "<p class=\"panel\">Nothing yet.</p>" as HTML : """
        <div class="table-wrap" tabindex="0" role="region" aria-label="Audit log">
          <table>
            <caption class="muted">Newest first</caption>
            <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Detail</th></tr></thead>
            <tbody>\(rows)</tbody>
          </table>
        </div>
        """)
        """)
    }

    struct AddInput: Content {
        var name: String?
        var email: String?
        var role: String?
        var invite: String?
    }

    @Sendable static func list(_ req: Request) async throws -> HTML {
        return try await AdminPages.people(req, input: AddInput(invite: "on"), errors: ValidationErrors(), createdLink: nil)
    }

    @Sendable static func add(_ req: Request) async throws -> Response {
        let admin = try req.requireUser()  // a program manager: the route group checks
        let input = try req.content.decode(AddInput.self)
        let name = Tags.clean(input.name ?? "")
        let email = EmailAddress.normalize(input.email ?? "")
        var errors = ValidationErrors()
        if let problem = ProfileRules.name.problem(name) { errors.add("name", problem) }
        if let problem = ProfileRules.emailProblem(email) {
            errors.add("email", problem)
        } else if try await User.query(on: req.db).filter(\.$email == email).first() != nil {
            errors.add("email", "Someone with this email is already in Trellis.")
        }
        var role: AccountRole?
        switch ProfileRules.choice(input.role ?? "", as: AccountRole.self) {
        case .success(let chosen): role = chosen ?? .participant
        case .failure(let failure): errors.add("role", failure.message)
        }
        guard errors.isEmpty, let role else {
            let page = try await AdminPages.people(req, input: input, errors: errors, createdLink: nil)
            return try await req.invalidForm(page)
        }
        let user: User
        do {
            user = try await PeopleStore.createPerson(email: email, name: name, role: role, on: req.db)
        } catch let taken as ValidationErrors {
            let page = try await AdminPages.people(req, input: input, errors: taken, createdLink: nil)
            return try await req.invalidForm(page)
        }
        try await PeopleStore.audit("person.create", "\(email) as \(role.rawValue)", by: admin, on: req.db)
        var link: (String, String)?
        if input.invite == "on" {
            link = (name, try await AuthController.createLink(for: user, purpose: .invite, by: admin, on: req))
        }
        let page = try await AdminPages.people(req, input: AddInput(invite: "on"), errors: ValidationErrors(), createdLink: link.map { ($0.0, $0.1, OneTimeToken.Purpose.invite) }, notice: "\(name) was added.")
        return try await HTMLPage(status: .created, html: page).encodeResponse(for: req)
    }

    @Sendable static func link(_ req: Request, purpose: OneTimeToken.Purpose) async throws -> HTML {
        let admin = try req.requireUser()  // a program manager: the route group checks
        guard let id = req.parameters.get("id", as: UUID.self), let user = try await User.find(id, on: req.db) else {
            throw Abort(.notFound, reason: "There is no person with this id.")
        }
        let url = try await AuthController.createLink(for: user, purpose: purpose, by: admin, on: req)
        return try await AdminPages.people(req, input: AddInput(invite: "on"), errors: ValidationErrors(), createdLink: (user.name, url, purpose))
    }

    @Sendable static func export(_ req: Request) async throws -> Response {
        let admin = try req.requireUser()  // a program manager: the route group checks
        let people = try await PlainRows.first("SELECT COUNT(*) AS n FROM profiles WHERE mentoring_role IS NOT NULL", on: req.db)?.int("n") ?? 0
        try await PeopleStore.audit("people.export", "\(people) people", by: admin, on: req.db)
        var headers = HTTPHeaders()
        headers.contentType = .init(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.contentDisposition = .init(.attachment, filename: "trellis-people.csv")
        // Streamed a batch at a time: the first bytes leave at once, and memory stays the size
        // of a batch however large the organisation.
        let db = req.db
        return Response(status: .ok, headers: headers, body: .init(managedAsyncStream: { writer in
            try await PeopleCSV.exportStream(on: db) { text in try await writer.writeBuffer(ByteBuffer(string: text)) }
        }))
    }
}

enum AdminPages {
    static func people(
        _ req: Request, input: AdminPeopleController.AddInput, errors: ValidationErrors,
        createdLink: (name: String, url: String, purpose: OneTimeToken.Purpose)?, notice: String? = nil
    ) async throws -> HTML {
        // Fifty to a page, searchable by name or email: organisations have thousands of people.
        let search = Tags.key((try? req.query.get(String.self, at: "q")) ?? "")
        let requestedPage = DirectoryQuery.clamped(try? req.query.get(String.self, at: "page"), to: 1...DirectoryQuery.maximumPage, otherwise: 1)
        let pageSize = 50
        guard let sql = req.db as? any SQLDatabase else { throw Abort(.internalServerError, reason: "The people list needs an SQL database.") }
        var filter: SQLQueryString = "1 = 1"
        if !search.isEmpty {
            // Words of the name through the full-text index, or the start of the email (a range
            // on its unique index).
            // One set of ids from both indexes (an OR of the two made PostgreSQL read everyone).
            let byEmail: SQLQueryString = "SELECT e.id FROM users e WHERE e.email >= \(bind: search) AND e.email < \(bind: search + "\u{10FFFF}")"
            filter = if let byName = SearchIndex.matchingIDs(search, scope: .name, on: sql) {
                "users.id IN (\(byName) UNION \(byEmail))"
            } else {
                "users.id IN (\(byEmail))"
            }
        }
        let total = search.isEmpty
            ? try await DirectoryCounts.sum([(.account, DirectoryCounts.everyone)], on: req.db)
            : try await PlainRows.first("SELECT COUNT(*) AS n FROM users WHERE \(filter)", on: req.db)?.int("n") ?? 0
        let pageCount = max(1, (total + pageSize - 1) / pageSize)
        var pageNumber = min(requestedPage, pageCount)
        // The page's ids first (read from the (search_name, id) index alone), then their rows, in
        // plain SQL (Fluent's model decoding cost more than the queries). A page after (or before)
        // a person is read along the index from them, as fast however deep; a numbered page skips
        // every earlier person, so the page links name the person at the edge.
        var pageIDs: [UUID] = []
        let after = try? req.query.get(String.self, at: "after"), before = try? req.query.get(String.self, at: "before")
        if let cursor = after ?? before, let anchorID = UUID(uuidString: cursor),
           let anchor = try await PlainRows.first("SELECT search_name FROM users WHERE id = \(bind: anchorID)", on: req.db)?.string("search_name") {
            let forward = after != nil
            let found = try await PlainRows.all("""
                SELECT users.id FROM users WHERE \(filter) AND (users.search_name, users.id) \(unsafeRaw: forward ? ">" : "<") (\(bind: anchor), \(bind: anchorID))
                ORDER BY users.search_name \(unsafeRaw: forward ? "ASC" : "DESC"), users.id \(unsafeRaw: forward ? "ASC" : "DESC") LIMIT \(literal: pageSize)
                """, on: req.db).map { try $0.uuid("id") }
            // Nothing after the person, or a short page before them: the numbered page instead.
            if forward ? !found.isEmpty : found.count == pageSize {
                pageIDs = forward ? found : found.reversed()
                pageNumber = max(forward ? 2 : 1, pageNumber)
            }
        }
        if pageIDs.isEmpty {
            pageIDs = try await PlainRows.all("""
                SELECT users.id FROM users WHERE \(filter) ORDER BY users.search_name, users.id
                LIMIT \(literal: pageSize) OFFSET \(literal: (pageNumber - 1) * pageSize)
                """, on: req.db).map { try $0.uuid("id") }
        }
        struct Row {
            var id: UUID, name: String, email: String, role: AccountRole, hasPassword: Bool, department: String, mentoringRole: String?
        }
        var rowsByID: [UUID: Row] = [:]
        if !pageIDs.isEmpty {
            for row in try await PlainRows.all("""
                SELECT u.id, u.name, u.email, u.role, u.password_hash IS NOT NULL AS has_password, p.department, p.mentoring_role
                FROM users u LEFT JOIN profiles p ON p.id = u.id WHERE u.id IN (\(binds: pageIDs as [any Encodable & Sendable]))
                """, on: req.db) {
                let id = try row.uuid("id")
                rowsByID[id] = Row(
                    id: id, name: try row.string("name"), email: try row.string("email"),
                    role: AccountRole(rawValue: try row.string("role")) ?? .participant,
                    hasPassword: try row.bool("has_password"),
                    department: try row.optionalString("department") ?? "",
                    mentoringRole: try row.optionalString("mentoring_role")
                )
            }
        }
        // Ordered here, not by SQL: "ORDER BY search_name" would tempt SQLite to walk the whole
        // name index looking for fifty ids.
        let users = pageIDs.compactMap { rowsByID[$0] }
        func link(page number: Int) -> String {
            var items = [("page", String(number))] + (search.isEmpty ? [] : [("q", search)])
            if number > 1, let edge = number > pageNumber ? users.last : users.first {
                items.append((number > pageNumber ? "after" : "before", edge.id.uuidString))
            }
            return QueryLink.make("/admin/people", items)
        }
        let pagination: HTML = pageCount <= 1 ? .empty : """
        <nav class="pagination" aria-label="Pages">
          \(pageNumber > 1 ? "<a href=\"\(link(page: pageNumber - 1))\" rel=\"prev\">Previous</a>" as HTML : .empty)
          <span>Page \(pageNumber) of \(pageCount)</span>
          \(pageNumber < pageCount ? "<a href=\"\(link(page: pageNumber + 1))\" rel=\"next\">Next</a>" as HTML : .empty)
        </nav>
        """
        let heading = search.isEmpty ? "Everyone (\(total))" : "\(total == 1 ? "1 person matches" : "\(total) people match") “\(search)”"
        let linkBlock: HTML = createdLink.map { link in
            """
            <section class="panel" aria-labelledby="link-heading">
              <h2 id="link-heading">\(link.purpose == .invite ? "Invitation link" : "Password-reset link") for \(link.name)</h2>
              <p>Send this link to \(link.name). It works once and expires in \(link.purpose == .invite ? "7 days" : "24 hours"). It is shown only now.</p>
              <p class="token" id="created-link" data-copy="Copy the link for \(link.name)">\(link.url)</p>
            </section>
            """
        } ?? .empty
        let rows: [HTML] = users.map { user in
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
                  \(Layout.csrfField(req))
                  <button type="submit" class="secondary" aria-label="\(linkLabel) for \(user.name)">\(linkLabel)</button>
                </form>
              </td>
            </tr>
            """
        }
        return Layout.page(req, title: "People", active: "admin-people", notice: notice, content: """
        <h1>People</h1>
        \(linkBlock)
        <section class="panel" aria-labelledby="add-heading">
          <h2 id="add-heading">Add a person</h2>
          \(Form.errorSummary(errors))
          <form method="post" action="/admin/people" novalidate>
            \(Layout.csrfField(req))
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
            \(Form.text("q", label: "Name or email", value: search, type: "search"))
            <div class="field"><button type="submit" class="secondary">Search</button></div>
          </form>
          \(users.isEmpty ? "<p class=\"panel\">No one matches. Try another name or email.</p>" as HTML : .empty)
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
