import Foundation
import TrellisCore
import Vapor

/// `/api/v1/people` (the directory, a page at a time) and `/api/v1/people/{id}` (one person,
/// private contact details left out as on the web).
enum PeopleAPI {
    static func register(_ api: some RoutesBuilder) {
        api.get("people", use: people)
        api.get("people", ":id", use: person)
    }

    @Sendable static func people(_ req: Request) async throws -> DirectoryPageDTO {
        let query = try req.query.decode(DirectoryQuery.self)
        var errors = query.pagingErrors()
        if let role = query.role, case .failure(let failure) = ProfileRules.exactChoice(role, as: MentoringRole.self) {
            errors.add("role", failure.message)
        }
        guard errors.isEmpty else { throw InvalidInput(message: "The query is not valid.", errors: errors) }
        return DirectoryPageDTO(try await Directory.search(query, counts: try await DirectoryCounts.snapshot(req), on: req.db))
    }

    @Sendable static func person(_ req: Request) async throws -> PersonDTO {
        let viewer = try req.requireUser()
        guard let id = req.idParameter else { throw Abort(.notFound, reason: "There is no person with this id.") }
        return PersonDTO(try await PersonDetail.load(id, viewer: viewer, on: req.db))
    }
}
