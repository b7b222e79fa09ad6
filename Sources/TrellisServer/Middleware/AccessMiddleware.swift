import Vapor

/// The routes for signed-in people: anyone else gets a 401 (the web app sends them to the sign-in
/// page and back). Declared once on the route group (`routes.swift`), not checked in each handler.
struct SignedInMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        _ = try request.requireUser()
        return try await next.respond(to: request)
    }
}

/// The routes for program managers: a participant gets a 403, anyone not signed in a 401.
struct ProgramManagerMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        _ = try request.requireAdmin()
        return try await next.respond(to: request)
    }
}
