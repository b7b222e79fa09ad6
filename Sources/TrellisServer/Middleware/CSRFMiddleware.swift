import Vapor

/// Cross-site request forgery protection for the web app (the API uses bearer tokens, never
/// cookies, so it is exempt). Every browser gets a random token in an HttpOnly, SameSite cookie;
/// every form carries the same token in a hidden `csrf` field; a state-changing request whose
/// field does not match its cookie is refused before it reaches a controller.
struct CSRFMiddleware: AsyncMiddleware {
    static let cookieName = "trellis_csrf"
    static let fieldName = "csrf"
    let secure: Bool

    struct Field: Decodable { var csrf: String? }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let existing = request.cookies[Self.cookieName]?.string
        let token = existing.flatMap { $0.count >= 32 ? $0 : nil } ?? SecretToken.generate()
        request.storage[CSRFTokenKey.self] = token

        if request.method != .GET && request.method != .HEAD && request.method != .OPTIONS && !request.url.path.hasPrefix("/api/") {
            if request.body.data == nil {
                _ = try await request.body.collect(max: 10 * 1024 * 1024).get()
            }
            let submitted = (try? request.content.decode(Field.self).csrf) ?? nil
            guard let existing, let submitted, SecretToken.constantTimeEquals(existing, submitted) else {
                throw Abort(.forbidden, reason: "This form has expired or did not come from Trellis. Go back, reload the page and try again.")
            }
        }

        let response = try await next.respond(to: request)
        if existing != token {
            response.cookies[Self.cookieName] = HTTPCookies.Value(
                string: token, expires: nil, maxAge: nil, domain: nil, path: "/", isSecure: secure, isHTTPOnly: true, sameSite: .lax
            )
        }
        return response
    }
}

struct CSRFTokenKey: StorageKey { typealias Value = String }

extension Request {
    /// The token every form on the page must carry.
    var csrfToken: String { storage[CSRFTokenKey.self] ?? "" }
}
