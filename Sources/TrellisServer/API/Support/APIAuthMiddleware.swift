import Fluent
import SQLKit
import Vapor

/// Authenticates API requests by personal token (`Authorization: Bearer trl_…`). The API never
/// accepts the session cookie, so a web page on another site cannot call it as the person.
struct APIAuthMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // Drop any cookie-based identity: the API has its own.
        request.storage[CurrentUserKey.self] = nil
        request.storage[CurrentSessionKey.self] = nil
        guard let bearer = request.headers.bearerAuthorization?.token, !bearer.isEmpty else {
            throw Abort(.unauthorized, reason: "Send a personal API token as “Authorization: Bearer <token>”. Create one under Settings.")
        }
        let invalid = Abort(.unauthorized, reason: "This API token is not valid or has been revoked.")
        // The token and its person in one plain read: every API request passes here.
        guard let row = try await PlainRows.first("""
            SELECT t.id AS token_id, t.last_used_at AS token_last_used_at, \(unsafeRaw: User.columns("u"))
            FROM api_tokens t JOIN users u ON u.id = t.user_id
            WHERE t.token_hash = \(bind: SecretToken.digest(bearer)) AND t.revoked_at IS NULL
            """, on: request.db, prepared: true)
        else { throw invalid }
        let user = try User(row: row)
        guard user.isActive else { throw invalid }
        request.storage[CurrentUserKey.self] = user
        let now = Date()
        let tokenID = try row.uuid("token_id")
        if try row.optionalDate("token_last_used_at").map({ now.timeIntervalSince($0) > 60 }) ?? true {
            try await DatabaseWrites.transaction(on: request.db) { tx in
                try await APIToken.query(on: tx).filter(\.$id == tokenID).set(\.$lastUsedAt, to: now).update()
            }
        }
        return try await next.respond(to: request)
    }
}
