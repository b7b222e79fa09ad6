import Vapor

/// `/api/v1`: the OpenAPI document, then each area's endpoints behind a personal token (a body
/// limit first), and a JSON 404 for any other path. Each area has its folder: its handlers and
/// the DTOs they send and accept, so the wire format can stay put while services change.
enum APIRoutes {
    static func register(_ app: Application) {
        let api = app.grouped("api", "v1")
        api.get("openapi.json") { req async throws -> Response in
            let response = Response(status: .ok, body: .init(data: OpenAPIDocument.cachedJSON(baseURL: req.application.trellisSettings.baseURL)))
            response.headers.contentType = .json
            return response
        }
        let authed = api.grouped(APIBodyLimitMiddleware(), APIAuthMiddleware())
        MeAPI.register(authed)
        PeopleAPI.register(authed)
        TagsAPI.register(authed)
        ProgramsAPI.register(authed)
        MentoringAPI.register(authed)
        AgreementAPI.register(authed)
        MeetingsAPI.register(authed)
        GoalsAPI.register(authed)
        // Unknown API paths answer in JSON too.
        api.get("**") { _ -> Response in throw Abort(.notFound, reason: "There is no API endpoint at this path.") }
    }
}
