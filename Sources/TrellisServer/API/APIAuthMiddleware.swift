import Fluent
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
        guard let token = try await APIToken.query(on: request.db).filter(\.$tokenHash == SecretToken.digest(bearer)).first(),
              token.revokedAt == nil,
              let user = try await User.find(token.userID, on: request.db), user.isActive
        else {
            throw Abort(.unauthorized, reason: "This API token is not valid or has been revoked.")
        }
        request.storage[CurrentUserKey.self] = user
        let now = Date()
        if token.lastUsedAt.map({ now.timeIntervalSince($0) > 60 }) ?? true {
            token.lastUsedAt = now
            try await DatabaseWrites.transaction(on: request.db) { tx in try await token.save(on: tx) }
        }
        return try await next.respond(to: request)
    }
}
