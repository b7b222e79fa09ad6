import Fluent
import FluentSQL
import TrellisCore
import Vapor

/// First-run setup, sign in and out, invitations and password resets.
enum AuthController {
    static func register(_ app: Application) {
        app.get("setup", use: setupForm)
        app.post("setup", use: setup)
        app.get("sign-in", use: signInForm)
        app.post("sign-in", use: signIn)
        app.post("sign-out", use: signOut)
        app.get("invite", ":token", use: { try await passwordLinkForm($0, purpose: .invite) })
        app.post("invite", ":token", use: { try await usePasswordLink($0, purpose: .invite) })
        app.get("reset", ":token", use: { try await passwordLinkForm($0, purpose: .reset) })
        app.post("reset", ":token", use: { try await usePasswordLink($0, purpose: .reset) })
    }

    /// Whether nobody has an account yet. One row read, not a count of everyone, and a plain read
    /// (on SQLite, on the asking thread): the sign-in page asks on every visit, and counting
    /// 125,000 accounts through the connection pool waited seconds behind a publish's transaction.
    static func needsSetup(_ db: any Database) async throws -> Bool {
        try await PlainRows.first("SELECT id FROM users LIMIT 1", on: db) == nil
    }

    // MARK: Setup

    struct SetupInput: Content {
        var name: String?
        var email: String?
        var password: String?
        var password_confirmation: String?
    }

    @Sendable static func setupForm(_ req: Request) async throws -> Response {
        guard try await needsSetup(req.db) else { return req.redirect(to: "/sign-in") }
        return try await AuthPages.setup(req.page, input: SetupInput(), errors: ValidationErrors()).encodeResponse(for: req)
    }

    @Sendable static func setup(_ req: Request) async throws -> Response {
        guard try await needsSetup(req.db) else {
            throw Abort(.forbidden, reason: "Trellis is already set up. Sign in, or ask a program manager for an invitation.")
        }
        let input = try req.content.decode(SetupInput.self)
        let name = Tags.clean(input.name ?? "")
        let email = EmailAddress.normalize(input.email ?? "")
        var errors = ValidationErrors()
        if let problem = ProfileRules.name.problem(name) { errors.add("name", problem) }
        if let problem = ProfileRules.emailProblem(email) { errors.add("email", problem) }
        let passwordErrors = PasswordRules.check(input.password ?? "", confirmation: input.password_confirmation ?? "")
        for field in passwordErrors.order { errors.add(field, passwordErrors[field]!) }
        guard errors.isEmpty else {
            return try await req.invalidForm(AuthPages.setup(req.page, input: input, errors: errors))
        }
        let hash = try await PasswordCheck.hash(input.password ?? "", on: req)
        // Checked again with the table locked: of two setups racing, one creates the account.
        let user = try await DatabaseWrites.transaction(on: req.db) { tx in
            try await DatabaseWrites.lockTable(User.schema, on: tx)
            guard try await needsSetup(tx) else {
                throw Abort(.forbidden, reason: "Trellis is already set up. Sign in, or ask a program manager for an invitation.")
            }
            let user = try await PeopleStore.createPerson(email: email, name: name, role: .admin, passwordHash: hash, on: tx)
            try await PeopleStore.audit("setup", "First program manager \(email) created", by: user, on: tx)
            return user
        }
        return try await Sessions.start(for: user, on: req)
    }

    // MARK: Sign in and out

    struct SignInInput: Content {
        var email: String?
        var password: String?
        var next: String?
    }

    @Sendable static func signInForm(_ req: Request) async throws -> Response {
        if try await needsSetup(req.db) { return req.redirect(to: "/setup") }
        if req.currentUser != nil { return req.redirect(to: "/") }
        let next = try? req.query.get(String.self, at: "next")
        return try await AuthPages.signIn(req.page, email: "", next: next, message: nil).encodeResponse(for: req)
    }

    @Sendable static func signIn(_ req: Request) async throws -> Response {
        let input = try req.content.decode(SignInInput.self)
        let email = EmailAddress.normalize(input.email ?? "")
        let address = ClientAddress.of(req)
        let next = safeNext(input.next)
        let attempt: UUID
        switch try await SignInThrottle.reserve(email: email, address: address, on: req.db) {
        case .locked(let remaining):
            let page = AuthPages.signIn(req.page, email: email, next: next, message: "Too many failed attempts. For your security, sign-in is paused for this account or network: \(SignInThrottle.describe(remaining)).")
            return try await HTMLPage(status: .tooManyRequests, html: page).encodeResponse(for: req)
        case .allowed(let id):
            attempt = id
        }
        let user = email.isEmpty ? nil : try await User.query(on: req.db).filter(\.$email == email).first()
        // The same Bcrypt work whether or not the account exists: timing reveals nothing.
        let hash = user.flatMap { $0.isActive ? $0.passwordHash : nil }
        let verified = try await PasswordCheck.verify(input.password ?? "", against: hash, on: req)
        guard verified, let user else {
            let page = AuthPages.signIn(req.page, email: email, next: next, message: "That email and password do not match an account. Check both and try again.")
            return try await HTMLPage(status: .unauthorized, html: page).encodeResponse(for: req)
        }
        try await SignInThrottle.succeeded(attempt, on: req.db)
        let response = try await Sessions.start(for: user, on: req)
        response.headers.replaceOrAdd(name: .location, value: next)
        return response
    }

    /// Only a path on this site is followed after sign-in, never another site: the value must be
    /// an absolute path made of printable ASCII, with no scheme or host, no backslash (browsers
    /// read it as a slash), no second slash or encoded slash at the start, and it must parse as a
    /// path-only URL. Anything else goes to the dashboard.
    static func safeNext(_ next: String?) -> String {
        guard let next, next.utf8.count <= 2048, next.hasPrefix("/") else { return "/" }
        // Printable ASCII only: control characters and spaces are dropped by browsers, which
        // turns "/\t/evil.example" into "//evil.example".
        guard next.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return "/" }
        let lowered = next.lowercased()
        guard !next.contains("\\"), !next.contains("//"), !next.contains("/./"), !next.contains("/../"), !lowered.hasPrefix("/%2f"), !lowered.hasPrefix("/%5c"),
              !lowered.contains("%09"), !lowered.contains("%0a"), !lowered.contains("%0d"), !lowered.contains("%00")
        else { return "/" }
        guard let components = URLComponents(string: next), components.scheme == nil, components.host == nil,
              components.user == nil, components.port == nil, components.path.hasPrefix("/"), !components.path.hasPrefix("//")
        else { return "/" }
        return next
    }

    @Sendable static func signOut(_ req: Request) async throws -> Response {
        if let session = req.storage[CurrentSessionKey.self] {
            try await DatabaseWrites.transaction(on: req.db) { tx in try await session.delete(on: tx) }
        }
        let response = req.redirect(to: "/sign-in")
        Sessions.clearCookie(on: response)
        return response
    }

    // MARK: Invitations and resets

    static func findLink(_ req: Request, purpose: OneTimeToken.Purpose) async throws -> (OneTimeToken, User) {
        let token = req.parameters.get("token") ?? ""
        guard let link = try await OneTimeToken.query(on: req.db)
            .filter(\.$tokenHash == SecretToken.digest(token))
            .filter(\.$purpose == purpose.rawValue)
            .first(),
            let user = try await User.find(link.userID, on: req.db)
        else {
            throw Abort(.notFound, reason: "This link is not valid. Ask your program manager for a new one.")
        }
        if link.usedAt != nil { throw Abort(.gone, reason: "This link has already been used. Sign in, or ask your program manager for a new link.") }
        if link.expiresAt < Date() { throw Abort(.gone, reason: "This link has expired. Ask your program manager for a new one.") }
        return (link, user)
    }

    struct PasswordInput: Content {
        var password: String?
        var password_confirmation: String?
    }

    static func passwordLinkPage(_ req: Request, user: User, purpose: OneTimeToken.Purpose, errors: ValidationErrors) -> HTML {
        AuthPages.passwordLink(req.page, name: user.name, email: user.email, token: req.parameters.get("token") ?? "", purpose: purpose, errors: errors)
    }

    @Sendable static func passwordLinkForm(_ req: Request, purpose: OneTimeToken.Purpose) async throws -> Response {
        let (_, user) = try await findLink(req, purpose: purpose)
        return try await passwordLinkPage(req, user: user, purpose: purpose, errors: ValidationErrors()).encodeResponse(for: req)
    }

    @Sendable static func usePasswordLink(_ req: Request, purpose: OneTimeToken.Purpose) async throws -> Response {
        let (link, user) = try await findLink(req, purpose: purpose)
        let input = try req.content.decode(PasswordInput.self)
        let errors = PasswordRules.check(input.password ?? "", confirmation: input.password_confirmation ?? "")
        guard errors.isEmpty else {
            return try await req.invalidForm(passwordLinkPage(req, user: user, purpose: purpose, errors: errors))
        }
        let hash = try await PasswordCheck.hash(input.password ?? "", on: req)
        let userID = try user.requireID()
        try await DatabaseWrites.transaction(on: req.db) { tx in
            guard try await claim(link.requireID(), on: tx) else {
                throw Abort(.gone, reason: "This link has already been used. Sign in, or ask your program manager for a new link.")
            }
            // The account first, then the count, as every write of a person does (an import holds
            // both, in that order).
            try await PeopleStore.lockPerson(userID, on: tx)
            if user.passwordHash == nil, let sql = tx as? any SQLDatabase {
                try await DirectoryCounts.adjust(.account, DirectoryCounts.withoutPassword, by: -1, on: sql)
            }
            user.passwordHash = hash
            try await user.save(on: tx)
            try await Sessions.endAll(of: userID, on: tx)
            // A reset is how an account is recovered: personal API tokens made before it (perhaps
            // by whoever had the account) stop working too.
            try await APIToken.query(on: tx).filter(\.$userID == userID).filter(\.$revokedAt == nil).set(\.$revokedAt, to: Date()).update()
        }
        return try await Sessions.start(for: user, on: req)
    }

    /// Marks a link used in one statement that only matches an unused link, so that of several
    /// concurrent uses exactly one succeeds (the others see no row come back).
    static func claim(_ id: UUID, on db: any Database) async throws -> Bool {
        guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError, reason: "Links need an SQL database.") }
        let rows = try await sql.update(OneTimeToken.schema)
            .set("used_at", to: Date())
            .where("id", .equal, id)
            .where(SQLIdentifier("used_at"), .is, SQLLiteral.null)
            .returning("id")
            .all()
        return rows.count == 1
    }

    /// Creates a one-time link and returns its full address.
    static func createLink(for user: User, purpose: OneTimeToken.Purpose, by actor: User, on req: Request) async throws -> String {
        let token = SecretToken.generate()
        let lifetime: TimeInterval = purpose == .invite ? 7 * 24 * 3600 : 24 * 3600
        try await DatabaseWrites.transaction(on: req.db) { tx in
            // A new link replaces any unused one of the same kind.
            try await OneTimeToken.query(on: tx).filter(\.$userID == user.requireID()).filter(\.$purpose == purpose.rawValue)
                .filter(\.$usedAt == nil).set(\.$usedAt, to: Date()).update()
            try await OneTimeToken(tokenHash: SecretToken.digest(token), userID: user.requireID(), purpose: purpose, now: Date(), lifetime: lifetime, createdBy: actor.id).create(on: tx)
            try await PeopleStore.audit(purpose == .invite ? "person.invite" : "person.reset-link", user.email, by: actor, on: tx)
        }
        return "\(req.application.trellisSettings.baseURL)/\(purpose.rawValue)/\(token)"
    }
}
