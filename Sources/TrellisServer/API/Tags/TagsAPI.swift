import Foundation
import TrellisCore
import Vapor

/// `/api/v1/tags?kind=…&prefix=…`: the tags in use, most used first (what the profile form
/// suggests).
enum TagsAPI {
    static func register(_ api: some RoutesBuilder) {
        api.get("tags", use: tags)
    }

    @Sendable static func tags(_ req: Request) async throws -> TagListDTO {
        let raw = (try? req.query.get(String.self, at: "kind")) ?? ""
        guard let kind = TagKind(rawValue: raw) else {
            throw InvalidInput(message: "The query is not valid.", errors: ValidationErrors(field: "kind", "Allowed values: \(TagKind.allCases.map(\.rawValue).joined(separator: ", ")).") )
        }
        let prefix = (try? req.query.get(String.self, at: "prefix")) ?? ""
        let tags = try await PeopleStore.tagSuggestions(kind: kind, prefix: prefix, on: req.db)
        return TagListDTO(kind: kind, tags: tags)
    }
}
