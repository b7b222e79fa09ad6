import Vapor

/// Cross-site request forgery protection for the web app (the API uses bearer tokens, never
/// cookies, so it is exempt). Every browser gets a random token in an HttpOnly, SameSite cookie;
/// every form carries the same token in a hidden `csrf` field; a state-changing request whose
/// field does not match its cookie is refused before it reaches a controller.
///
/// It is also where a form's body is read, so it enforces the body limits: small for every form,
/// larger only for a program manager's upload (see `RequestLimits`).
struct CSRFMiddleware: AsyncMiddleware {
    static let cookieName = "trellis_csrf"
    static let fieldName = "csrf"
    let secure: Bool

    struct Field: Decodable { var csrf: String? }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // The API shows no forms: no token to make, and no cookie for clients that keep none.
        if request.url.path.hasPrefix("/api/") { return try await next.respond(to: request) }
        let existing = (request.cookies[Self.cookieName]?.string).flatMap(SecretToken.isWellFormed)
        let token = existing ?? SecretToken.generate()
        request.storage[CSRFTokenKey.self] = token

        if request.method != .GET && request.method != .HEAD && request.method != .OPTIONS {
            try await RequestLimits.collectBody(of: request)
            let submitted = (try? request.content.decode(Field.self).csrf) ?? nil
            // Only a token this server could have issued counts: an empty or short cookie (set by
            // a script on a sibling domain, say) never matches.
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

/// How large a request body may be. Every form and API call is small; only a program manager's
/// CSV upload may be large. An anonymous client can therefore never make the server hold more
/// than `formBytes` of its body.
enum RequestLimits {
    static let formBytes = 256 * 1024
    static let uploadBytes = 64 * 1024 * 1024
    /// Paths that accept an upload, for program managers only.
    static let uploadPaths: Set<String> = ["/admin/import/preview"]

    static func limit(for request: Request) -> Int {
        guard request.currentUser?.isAdmin == true else { return formBytes }
        let path = request.url.path
        if uploadPaths.contains(path) || isEnrolmentUpload(path) { return uploadBytes }
        return formBytes
    }

    /// `/admin/programs/<id>/participants/csv`: a program's enrolment CSV.
    static func isEnrolmentUpload(_ path: String) -> Bool {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        return parts.count == 6 && parts[0].isEmpty && parts[1] == "admin" && parts[2] == "programs" && UUID(uuidString: String(parts[3])) != nil
            && parts[4] == "participants" && parts[5] == "csv"
    }

    static func describe(_ bytes: Int) -> String {
        bytes >= 1024 * 1024 ? "\(bytes / (1024 * 1024)) MB" : "\(bytes / 1024) KB"
    }

    static func tooLarge(_ limit: Int) -> Abort {
        Abort(.payloadTooLarge, reason: "This request is too large: the limit is \(describe(limit))\(limit == uploadBytes ? " for a CSV upload; split the file into smaller ones" : "; shorten the text you entered").")
    }

    /// Reads the whole body up to the request's limit, or refuses it with the limit in words.
    static func collectBody(of request: Request) async throws {
        let limit = limit(for: request)
        if let length = request.headers.first(name: .contentLength).flatMap(Int.init), length > limit {
            throw tooLarge(limit)
        }
        if let data = request.body.data {
            if data.readableBytes > limit { throw tooLarge(limit) }
            return
        }
        do {
            // Vapor refuses a body that reaches `max`; a body of exactly the limit is allowed.
            _ = try await request.body.collect(max: limit + 1).get()
        } catch let error as any AbortError where error.status == .payloadTooLarge {
            throw tooLarge(limit)
        }
    }
}

/// A body on a request that has no use for one (GET, HEAD, OPTIONS): held to the form limit.
/// Every route reads its body before its handler runs, up to the largest upload, so without this
/// an anonymous GET of the sign-in page could make the server hold 64 MB. Other methods are
/// limited by `CSRFMiddleware` (web forms) and `APIBodyLimitMiddleware` (the API).
struct BodylessMethodLimitMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if request.method == .GET || request.method == .HEAD || request.method == .OPTIONS,
           request.headers.first(name: .contentLength).map({ $0 != "0" }) ?? request.headers.contains(name: .transferEncoding) {
            try await RequestLimits.collectBody(of: request)
        }
        return try await next.respond(to: request)
    }
}

/// The API's body limit: JSON bodies are small.
struct APIBodyLimitMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if request.method != .GET && request.method != .HEAD {
            try await RequestLimits.collectBody(of: request)
        }
        return try await next.respond(to: request)
    }
}
