import Foundation

/// Field-by-field validation problems. Keys are field names as the form or API uses them.
public struct ValidationErrors: Error, Sendable, Equatable {
    public private(set) var fields: [String: String] = [:]
    /// Field order as problems were found, so messages read in form order.
    public private(set) var order: [String] = []

    public init() {}

    public init(field: String, _ message: String) {
        add(field, message)
    }

    public mutating func add(_ field: String, _ message: String) {
        if fields[field] == nil { order.append(field) }
        fields[field] = message
    }

    public var isEmpty: Bool { fields.isEmpty }

    public subscript(field: String) -> String? { fields[field] }

    /// One sentence summarising every problem, for logs and plain-text answers.
    public var summary: String {
        order.map { "\($0): \(fields[$0] ?? "")" }.joined(separator: "; ")
    }

    public func throwIfAny() throws {
        if !isEmpty { throw self }
    }
}
