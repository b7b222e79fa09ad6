import Fluent
import Vapor

/// Reads the session cookie and, if it names a live session, makes its user the request's user.
/// Sessions live in the database, so any server instance can serve any signed-in person.
struct SessionMiddleware: AsyncMiddleware {
    static let cookieName = "trellis_session"
    let settings: TrellisSettings

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let token = request.cookies[Self.cookieName]?.string, !token.isEmpty {
            let now = Date()
            if let session = try await UserSession.query(on: request.db)
                .filter(\.$tokenHash == SecretToken.digest(token))
                .first(),
               session.expiresAt > now,
               let user = try await User.find(session.userID, on: request.db),
               user.isActive {
                request.storage[CurrentUserKey.self] = user
                request.storage[CurrentSessionKey.self] = session
                // Sliding expiry, written at most once an hour to keep reads cheap.
                if now.timeIntervalSince(session.lastSeenAt) > 3600 {
                    session.lastSeenAt = now
                    session.expiresAt = now.addingTimeInterval(settings.sessionLifetime)
                    try await DatabaseWrites.transaction(on: request.db) { tx in try await session.save(on: tx) }
                }
            }
        }
        return try await next.respond(to: request)
    }
}

struct CurrentUserKey: StorageKey { typealias Value = User }
struct CurrentSessionKey: StorageKey { typealias Value = UserSession }

extension Request {
    var currentUser: User? { storage[CurrentUserKey.self] }

    /// The signed-in user, or a 401 (which the web app turns into a trip to the sign-in page).
    func requireUser() throws -> User {
        guard let user = currentUser else { throw Abort(.unauthorized, reason: "Please sign in.") }
        return user
    }

    func requireAdmin() throws -> User {
        let user = try requireUser()
        guard user.isAdmin else { throw Abort(.forbidden, reason: "Only program managers can do this.") }
        return user
    }

    func userID() throws -> UUID { try requireUser().requireID() }
}

/// Starts and ends sessions.
enum Sessions {
    static func start(for user: User, on request: Request) async throws -> Response {
        let settings = request.application.trellisSettings
        let token = SecretToken.generate()
        let session = UserSession(tokenHash: SecretToken.digest(token), userID: try user.requireID(), now: Date(), lifetime: settings.sessionLifetime)
        try await DatabaseWrites.transaction(on: request.db) { tx in try await session.create(on: tx) }
        let response = request.redirect(to: "/")
        setCookie(token, on: response, settings: settings)
        return response
    }

    static func setCookie(_ token: String, on response: Response, settings: TrellisSettings) {
        response.cookies[SessionMiddleware.cookieName] = HTTPCookies.Value(
            string: token, expires: nil, maxAge: Int(settings.sessionLifetime), domain: nil, path: "/",
            isSecure: settings.secureCookies, isHTTPOnly: true, sameSite: .lax
        )
    }

    static func clearCookie(on response: Response) {
        response.cookies[SessionMiddleware.cookieName] = HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/", isHTTPOnly: true, sameSite: .lax)
    }

    /// Ends every session of a user except, optionally, one (after a password change).
    static func endAll(of userID: UUID, except keep: UUID? = nil, on db: any Database) async throws {
        let query = UserSession.query(on: db).filter(\.$userID == userID)
        if let keep { query.filter(\.$id != keep) }
        try await query.delete()
    }
}
