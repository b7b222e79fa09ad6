import Fluent
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Reads the session cookie and, if it names a live session, makes its user the request's user.
/// Sessions live in the database, so any server instance can serve any signed-in person.
struct SessionMiddleware: AsyncMiddleware {
    static let cookieName = "trellis_session"
    let settings: TrellisSettings

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if let token = request.cookies[Self.cookieName]?.string, !token.isEmpty {
            let now = Date()
            // The session and its person in one plain read (every signed-in page passes here),
            // or the same read made a moment ago if nothing was written since (`SessionCache`).
            let digest = SecretToken.digest(token)
            let db = request.db
            if let row = try await SessionCache.shared.value(digest, read: {
                try await PlainRows.first("""
                    SELECT s.id AS session_id, s.created_at AS session_created_at, s.last_seen_at AS session_last_seen_at,
                           s.expires_at AS session_expires_at, \(unsafeRaw: User.columns("u")),
                           (SELECT COUNT(*) FROM (SELECT 1 FROM notifications n WHERE n.user_id = u.id AND n.read_at IS NULL LIMIT 100) unread) AS unread_notifications
                    FROM user_sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = \(bind: digest)
                    """, on: db, prepared: true)
            }) {
                let user = try User(row: row)
                let session = UserSession()
                session.id = try row.uuid("session_id")
                session.$id.exists = true
                session.tokenHash = digest
                session.userID = try user.requireID()
                session.createdAt = try row.date("session_created_at")
                session.lastSeenAt = try row.date("session_last_seen_at")
                session.expiresAt = try row.date("session_expires_at")
                if session.expiresAt > now, user.isActive {
                    request.storage[CurrentUserKey.self] = user
                    request.storage[CurrentSessionKey.self] = session
                    request.storage[UnreadNotificationsKey.self] = try row.int("unread_notifications")
                    // Sliding expiry, written at most once an hour to keep reads cheap.
                    if now.timeIntervalSince(session.lastSeenAt) > 3600 {
                        let expires = now.addingTimeInterval(settings.sessionLifetime)
                        try await DatabaseWrites.transaction(on: request.db) { tx in
                            try await UserSession.query(on: tx).filter(\.$id == session.id!)
                                .set(\.$lastSeenAt, to: now).set(\.$expiresAt, to: expires).update()
                        }
                        session.lastSeenAt = now
                        session.expiresAt = expires
                    }
                }
            }
        }
        return try await next.respond(to: request)
    }
}

/// Sessions read in the last few seconds, so that a person clicking through pages does not cost
/// a database read per page.
///
/// An entry is used only while no write transaction of this process has started since it was
/// read (`DatabaseWrites.generation`): signing out, a password change, a role change or any other
/// write here is seen by the very next request. Writes by another process (a second server on
/// the same database, the command line) are seen within `RecentReads.lifetime`. Entries hold the
/// row as read (immutable); every request makes its own `User` from it.
enum SessionCache {
    /// For the whole process: keyed by the session token's digest, which no two sessions share.
    static let shared = RecentReads(maximumEntries: 10_000)
}

struct CurrentUserKey: StorageKey { typealias Value = User }
struct CurrentSessionKey: StorageKey { typealias Value = UserSession }
/// The signed-in person's unread notifications (counted up to 100), for the navigation.
struct UnreadNotificationsKey: StorageKey { typealias Value = Int }

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
