import TrellisCore
import Vapor

/// One tag in use and how many people hold it.
struct TagCountDTO: Content {
    var name: String
    var count: Int
}

/// `GET /api/v1/tags` (and the web form's suggestions, `/profile/tags`).
struct TagListDTO: Content {
    var kind: String
    var tags: [TagCountDTO]

    init(kind: TagKind, tags: [(name: String, count: Int)]) {
        self.kind = kind.rawValue
        self.tags = tags.map { TagCountDTO(name: $0.name, count: $0.count) }
    }
}
