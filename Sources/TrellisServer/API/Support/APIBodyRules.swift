import Vapor

/// What the OpenAPI document says of a request body's text fields, read from the document once,
/// so that the API refuses what its schema refuses: a text longer than its `maxLength` (counted
/// as JSON Schema counts, in Unicode scalars) as sent, before it is cleaned. (Cleaning removes
/// control characters, so a text the schema calls too long could otherwise pass once cleaned.)
enum APIBodyRules {
    /// The `maxLength` of each top-level text field of the body of `method` on `path`.
    static func maxLengths(for method: HTTPMethod, path: String) -> [String: Int] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
        // The documented path that fits with the most literal segments ("runs/compare" before "runs/{n}").
        let fitting = operations.filter { $0.method == method && $0.parts.count == parts.count && zip($0.parts, parts).allSatisfy { $0.hasPrefix("{") || $0 == $1 } }
        return fitting.max { $0.parts.filter { !$0.hasPrefix("{") }.count < $1.parts.filter { !$0.hasPrefix("{") }.count }?.maxLengths ?? [:]
    }

    struct Operation {
        var parts: [String]
        var method: HTTPMethod
        var maxLengths: [String: Int]
    }

    static let operations: [Operation] = {
        let document = OpenAPIDocument.document(baseURL: "")
        let schemas = ((document["components"] as? [String: Any])?["schemas"] as? [String: Any]) ?? [:]
        let paths = (document["paths"] as? [String: [String: Any]]) ?? [:]
        var found: [Operation] = []
        for (path, operations) in paths {
            let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init)
            for (method, operation) in operations {
                guard let body = (operation as? [String: Any])?["requestBody"] as? [String: Any],
                      let json = (body["content"] as? [String: Any])?["application/json"] as? [String: Any],
                      let schema = json["schema"] as? [String: Any] else { continue }
                var resolved = schema
                if let ref = schema["$ref"] as? String, let name = ref.split(separator: "/").last, let named = schemas[String(name)] as? [String: Any] { resolved = named }
                var limits: [String: Int] = [:]
                for (field, property) in (resolved["properties"] as? [String: Any]) ?? [:] {
                    if let maximum = (property as? [String: Any])?["maxLength"] as? Int { limits[field] = maximum }
                }
                found.append(Operation(parts: parts, method: HTTPMethod(rawValue: method.uppercased()), maxLengths: limits))
            }
        }
        return found
    }()
}
