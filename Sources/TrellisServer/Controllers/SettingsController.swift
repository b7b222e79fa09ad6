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
        routes.post("settings", "calendar-feed", use: makeFeed)
        routes.post("settings", "calendar-feed", "revoke", use: revokeFeed)
    }

    struct PasswordChange: Content {
        var current_password: String?
        var password: String?
        var password_confirmation: String?
    }

    struct TokenInput: Content {
        var token_name: String?
    }

    /// The settings page with the person's tokens, newest first.
    static func page(
        _ req: Request, user: User, notice: String? = nil, passwordErrors: ValidationErrors = ValidationErrors(),
        tokenErrors: ValidationErrors = ValidationErrors(), tokenName: String = "", newToken: (name: String, secret: String)? = nil,
        newFeedURL: String? = nil
    ) async throws -> HTML {
        let tokens = try await APIToken.query(on: req.db).filter(\.$userID == user.requireID()).sort(\.$createdAt, .descending).all().map { token in
            SettingsPages.Token(
                id: try token.requireID(), name: token.name, hint: token.hint, createdAt: token.createdAt,
                lastUsedAt: token.lastUsedAt, revoked: token.revokedAt != nil
            )
        }
        return SettingsPages.render(
            req.page, email: user.email, tokens: tokens, notice: notice, passwordErrors: passwordErrors, tokenErrors: tokenErrors,
            tokenName: tokenName, newToken: newToken,
            calendarFeedSince: try await CalendarFeeds.feed(of: user.requireID(), on: req.db)?.createdAt, newFeedURL: newFeedURL
        )
    }

    /// Makes the person's calendar feed address, replacing the old one (which stops working).
    @Sendable static func makeFeed(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let token = try await CalendarFeeds.rotate(for: try user.requireID(), on: req.db)
        let url = req.application.trellisSettings.baseURL.trimmingSuffix("/") + "/calendar/\(token).ics"
        return try await page(req, user: user, notice: "Your calendar feed address is ready. Any earlier address no longer works.", newFeedURL: url).encodeResponse(for: req)
    }

    @Sendable static func revokeFeed(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        try await CalendarFeeds.revoke(for: try user.requireID(), on: req.db)
        return try await page(req, user: user, notice: "Your calendar feed is off: its address no longer works.").encodeResponse(for: req)
    }

    @Sendable static func show(_ req: Request) async throws -> HTML {
        let user = try req.requireUser()
        return try await page(req, user: user)
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
            let page = try await page(req, user: user, passwordErrors: errors)
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
            let page = try await page(req, user: user, passwordErrors: errors)
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
        return try await page(req, user: user, notice: "Your password was changed. You were signed out on every other device. Personal API tokens keep working: revoke below any you do not recognise.").encodeResponse(for: req)
    }

    @Sendable static func createToken(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        let input = try req.content.decode(TokenInput.self)
        let name = Tags.clean(input.token_name ?? "")
        if let problem = TokenRules.nameProblem(name) {
            let errors = ValidationErrors(field: "token_name", problem)
            let page = try await page(req, user: user, tokenErrors: errors, tokenName: name)
            return try await req.invalidForm(page)
        }
        let secret = SecretToken.generate(prefix: "trl_")
        let token = APIToken(userID: try user.requireID(), name: name, tokenHash: SecretToken.digest(secret), hint: String(secret.suffix(4)), now: Date())
        try await DatabaseWrites.transaction(on: req.db) { tx in try await token.create(on: tx) }
        return try await page(req, user: user, newToken: (name, secret)).encodeResponse(for: req)
    }

    @Sendable static func revokeToken(_ req: Request) async throws -> Response {
        let user = try req.requireUser()
        guard let id = req.idParameter,
              let token = try await APIToken.find(id, on: req.db), token.userID == user.id
        else {
            // Someone else's token answers exactly like a missing one.
            throw Abort(.notFound, reason: "There is no such token.")
        }
        if token.revokedAt == nil {
            token.revokedAt = Date()
            try await DatabaseWrites.transaction(on: req.db) { tx in try await token.save(on: tx) }
        }
        return try await page(req, user: user, notice: "The token “\(token.name)” was revoked.").encodeResponse(for: req)
    }
}
