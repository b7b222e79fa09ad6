import Fluent
import TrellisCore
import Vapor

/// A person's own settings: password and personal API tokens. Only ever the signed-in person's.
enum SettingsController {
    static func register(_ routes: any RoutesBuilder) {
        routes.get("settings", use: show)
        routes.post("settings", "password", use: changePassword)
        routes.post("settings", "tokens", use: createToken)
        routes.post("settings", "tokens", ":id", "revoke", use: revokeToken)
    }

    struct PasswordChange: Content {
        var current_password: String?
        var password: String?
        var password_confirmation: String?
    }

    struct TokenInput: Content {
        var token_name: String?
    }

    @Sendable static func show(_ req: Request) async throws -> HTML {
        let user = try req.requireUser()
        return try await SettingsPages.page(req, user: user)
    }

    @Sendable static func changePassword(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let input = try req.content.decode(PasswordChange.self)
        var errors = ValidationErrors()
        // The current-password check counts towards the same limit as sign-in, so a stolen
        // session cannot be used to guess the password.
        switch try await SignInThrottle.reserve(email: user.email, address: ClientAddress.of(req), on: req.db) {
        case .locked(let remaining):
            errors.add("current_password", "Too many wrong passwords. For your security, password checks are paused: \(SignInThrottle.describe(remaining)).")
            let page = try await SettingsPages.page(req, user: user, passwordErrors: errors)
            return try await HTMLPage(status: .tooManyRequests, html: page).encodeResponse(for: req)
        case .allowed(let attempt):
            if try await PasswordCheck.verify(input.current_password ?? "", against: user.passwordHash, on: req) {
                try await SignInThrottle.succeeded(attempt, on: req.db)
            } else {
                errors.add("current_password", "This is not your current password.")
            }
        }
        let rules = PasswordRules.check(input.password ?? "", confirmation: input.password_confirmation ?? "")
        for field in rules.order { errors.add(field, rules[field]!) }
        guard errors.isEmpty else {
            let page = try await SettingsPages.page(req, user: user, passwordErrors: errors)
            return try await req.invalidForm(page)
        }
        let hash = try await PasswordCheck.hash(input.password ?? "", on: req)
        user.passwordHash = hash
        let keep = req.storage[CurrentSessionKey.self]?.id
        try await DatabaseWrites.transaction(on: req.db) { tx in
            // Only the password: the rest of the account may have changed since this request began.
            try await User.query(on: tx).filter(\.$id == user.requireID()).set(\.$passwordHash, to: hash).set(\.$updatedAt, to: Date()).update()
            try await Sessions.endAll(of: user.requireID(), except: keep, on: tx)
        }
        return try await SettingsPages.page(req, user: user, notice: "Your password was changed. You were signed out on every other device. Personal API tokens keep working: revoke below any you do not recognise.").encodeResponse(for: req)
    }

    @Sendable static func createToken(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let input = try req.content.decode(TokenInput.self)
        let name = Tags.clean(input.token_name ?? "")
        guard !name.isEmpty, name.count <= 60 else {
            let errors = ValidationErrors(field: "token_name", name.isEmpty ? "Give the token a name, such as “calendar sync”." : "A token name must be at most 60 characters.")
            let page = try await SettingsPages.page(req, user: user, tokenErrors: errors, tokenName: name)
            return try await req.invalidForm(page)
        }
        let secret = SecretToken.generate(prefix: "trl_")
        let token = APIToken(userID: try user.requireID(), name: name, tokenHash: SecretToken.digest(secret), hint: String(secret.suffix(4)), now: Date())
        try await DatabaseWrites.transaction(on: req.db) { tx in try await token.create(on: tx) }
        return try await SettingsPages.page(req, user: user, newToken: (name, secret)).encodeResponse(for: req)
    }

    @Sendable static func revokeToken(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard let id = req.parameters.get("id", as: UUID.self),
              let token = try await APIToken.find(id, on: req.db), token.userID == user.id
        else {
            // Someone else's token answers exactly like a missing one.
            throw Abort(.notFound, reason: "There is no such token.")
        }
        if token.revokedAt == nil {
            token.revokedAt = Date()
            try await DatabaseWrites.transaction(on: req.db) { tx in try await token.save(on: tx) }
        }
        return try await SettingsPages.page(req, user: user, notice: "The token “\(token.name)” was revoked.").encodeResponse(for: req)
    }
}

enum SettingsPages {
    static func page(
        _ req: Request, user: User, notice: String? = nil, passwordErrors: ValidationErrors = ValidationErrors(),
        tokenErrors: ValidationErrors = ValidationErrors(), tokenName: String = "", newToken: (name: String, secret: String)? = nil
    ) async throws -> HTML {
        let tokens = try await APIToken.query(on: req.db).filter(\.$userID == user.requireID()).sort(\.$createdAt, .descending).all()
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        let rows: [HTML] = try tokens.map { token in
            let status: HTML = token.revokedAt == nil ? "Active" : "Revoked"
            let revoke: HTML = token.revokedAt != nil ? .empty : """
            <form method="post" action="/settings/tokens/\(try token.requireID().uuidString)/revoke">
              \(Layout.csrfField(req))
              <button type="submit" class="danger" aria-label="Revoke \(token.name)">Revoke</button>
            </form>
            """
            return "<tr><td>\(token.name)</td><td>…\(token.hint)</td><td>\(formatter.string(from: token.createdAt))</td><td>\(token.lastUsedAt.map { formatter.string(from: $0) } ?? "Never")</td><td>\(status)</td><td>\(revoke)</td></tr>"
        }
        let created: HTML = newToken.map { token in
            """
            <div class="notice" role="status">
              <p>Your new token “\(token.name)”. Copy it now: it will not be shown again.</p>
              <p class="token" id="new-token" data-copy="Copy the token \(token.name)">\(token.secret)</p>
            </div>
            """
        } ?? .empty
        return Layout.page(req, title: "Settings", active: "settings", notice: notice, content: """
        <h1>Settings</h1>
        <div class="grid">
          <section class="panel" aria-labelledby="password-heading">
            <h2 id="password-heading">Change your password</h2>
            \(Form.errorSummary(passwordErrors))
            <form method="post" action="/settings/password" novalidate>
              \(Layout.csrfField(req))
              <input type="hidden" name="username" value="\(user.email)" autocomplete="username">
              \(Form.text("current_password", label: "Current password", value: "", type: "password", error: passwordErrors["current_password"], required: true, autocomplete: "current-password"))
              \(Form.text("password", label: "New password", value: "", type: "password", hint: "At least \(PasswordRules.minimumLength) characters.", error: passwordErrors["password"], required: true, autocomplete: "new-password"))
              \(Form.text("password_confirmation", label: "New password again", value: "", type: "password", error: passwordErrors["password_confirmation"], required: true, autocomplete: "new-password"))
              <div class="actions"><button type="submit">Change password</button></div>
            </form>
          </section>
          <section class="panel" aria-labelledby="tokens-heading">
            <h2 id="tokens-heading">API tokens</h2>
            <p>Personal tokens let scripts use the <a href="/api/v1/openapi.json">Trellis API</a> as you. Send one as <code>Authorization: Bearer …</code>.</p>
            \(created)
            \(Form.errorSummary(tokenErrors))
            <form method="post" action="/settings/tokens" novalidate>
              \(Layout.csrfField(req))
              \(Form.text("token_name", label: "Token name", value: tokenName, hint: "What the token is for.", error: tokenErrors["token_name"], extra: " maxlength=\"60\""))
              <div class="actions"><button type="submit">Create token</button></div>
            </form>
          </section>
        </div>
        \(tokens.isEmpty ? HTML.empty : """
        <div class="table-wrap" tabindex="0" role="region" aria-label="Your API tokens">
          <table>
            <caption class="muted">Your tokens</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">Ends in</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Status</th><th scope="col"><span class="muted">Action</span></th></tr></thead>
            <tbody>\(rows)</tbody>
          </table>
        </div>
        """)
        """)
    }
}
