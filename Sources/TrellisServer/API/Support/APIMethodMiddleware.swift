import Vapor

/// A method the OpenAPI document does not list for an API path answers 405 with an `Allow` header
/// naming the ones it does (any method, including ones the router has never heard of, such as
/// QUERY), before routing, which would answer 404.
struct APIMethodMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        guard request.url.path.hasPrefix("/api/v1/"), let allowed = Self.methods(for: request.url.path),
              !allowed.contains(request.method), !(request.method == .HEAD && allowed.contains(.GET))
        else { return try await next.respond(to: request) }
        let response = Response(status: .methodNotAllowed)
        response.headers.replaceOrAdd(name: .allow, value: (allowed + (allowed.contains(.GET) ? [.HEAD] : [])).map(\.rawValue).joined(separator: ", "))
        try response.content.encode(APIErrorBody(error: "This endpoint accepts \(allowed.map(\.rawValue).joined(separator: " and ")) only."), as: .json)
        return response
    }

    /// The methods the document lists for a path, or nil when it does not document the path.
    static func methods(for path: String) -> [HTTPMethod]? {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        for (pattern, methods) in documented {
            guard pattern.count == parts.count, zip(pattern, parts).allSatisfy({ $0.hasPrefix("{") || $0 == $1 }) else { continue }
            return methods
        }
        return nil
    }

    /// Each documented path, split at its slashes, with its methods: read from the document once.
    static let documented: [([String], [HTTPMethod])] = {
        let paths = (OpenAPIDocument.document(baseURL: "")["paths"] as? [String: [String: Any]]) ?? [:]
        return paths.map { path, operations in
            (path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init),
             operations.keys.map { HTTPMethod(rawValue: $0.uppercased()) }.sorted { $0.rawValue < $1.rawValue })
        }
    }()
}
