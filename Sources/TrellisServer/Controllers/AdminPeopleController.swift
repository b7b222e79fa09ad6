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
        let view = entries.map { entry in
            AuditPage.Entry(at: entry.createdAt, who: entry.actorID.flatMap { names[$0] } ?? "Command line", action: entry.action, detail: entry.detail)
        }
        return AuditPage.render(req.page, view)
    }

    struct AddInput: Content {
        var name: String?
        var email: String?
        var role: String?
        var invite: String?
    }

    /// The people page: what the query asks for (search, page, after or before a person), read by
    /// `PeopleList`, with the add form's input and problems and a link just made.
    static func page(
        _ req: Request, input: AddInput, errors: ValidationErrors,
        createdLink: (name: String, url: String, purpose: OneTimeToken.Purpose)?, notice: String? = nil
    ) async throws -> HTML {
        let list = try await PeopleList.page(
            search: Tags.key(((try? req.query.get(String.self, at: "q")) ?? "").scalarPrefix(DirectoryQuery.maximumSearchLength)),
            page: DirectoryQuery.clamped(try? req.query.get(String.self, at: "page"), to: 1...DirectoryQuery.maximumPage, otherwise: 1),
            after: try? req.query.get(String.self, at: "after"), before: try? req.query.get(String.self, at: "before"),
            at: try? req.query.get(String.self, at: "at"), on: req.db
        )
        let link = createdLink.map { AdminPeopleView.CreatedLink(name: $0.name, url: $0.url, purpose: $0.purpose) }
        return AdminPeoplePage.render(req.page, AdminPeopleView(list: list, input: input, errors: errors, createdLink: link, notice: notice))
    }

    @Sendable static func list(_ req: Request) async throws -> HTML {
        return try await page(req, input: AddInput(invite: "on"), errors: ValidationErrors(), createdLink: nil)
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
            let page = try await page(req, input: input, errors: errors, createdLink: nil)
            return try await req.invalidForm(page)
        }
        let user: User
        do {
            user = try await PeopleStore.createPerson(email: email, name: name, role: role, on: req.db)
        } catch let taken as ValidationErrors {
            let page = try await page(req, input: input, errors: taken, createdLink: nil)
            return try await req.invalidForm(page)
        }
        try await PeopleStore.audit("person.create", "\(email) as \(role.rawValue)", by: admin, on: req.db)
        var link: (String, String)?
        if input.invite == "on" {
            link = (name, try await AuthController.createLink(for: user, purpose: .invite, by: admin, on: req))
        }
        let page = try await page(req, input: AddInput(invite: "on"), errors: ValidationErrors(), createdLink: link.map { ($0.0, $0.1, OneTimeToken.Purpose.invite) }, notice: "\(name) was added.")
        return try await HTMLPage(status: .created, html: page).encodeResponse(for: req)
    }

    @Sendable static func link(_ req: Request, purpose: OneTimeToken.Purpose) async throws -> HTML {
        let admin = try req.requireUser()  // a program manager: the route group checks
        guard let id = req.idParameter, let user = try await User.find(id, on: req.db) else {
            throw Abort(.notFound, reason: "There is no person with this id.")
        }
        let url = try await AuthController.createLink(for: user, purpose: purpose, by: admin, on: req)
        return try await page(req, input: AddInput(invite: "on"), errors: ValidationErrors(), createdLink: (user.name, url, purpose))
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
            try await LongWork.run {
                _ = try await PeopleCSV.exportStream(on: db) { text in try await writer.writeBuffer(ByteBuffer(string: text)) }
            }
        }))
    }
}
