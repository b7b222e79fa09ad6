import Fluent
import SQLKit
import Foundation
import TrellisCore

/// An account: who can sign in, and with which platform role.
final class User: Model, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "name") var name: String
    /// Lower-cased name, so that search works the same on SQLite and PostgreSQL.
    @Field(key: "search_name") var searchName: String
    @Field(key: "role") var role: String
    @OptionalField(key: "password_hash") var passwordHash: String?
    @Field(key: "is_active") var isActive: Bool
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(id: UUID? = nil, email: String, name: String, role: AccountRole, passwordHash: String? = nil) {
        self.id = id
        self.email = EmailAddress.normalize(email)
        self.name = name
        self.searchName = Self.searchName(name)
        self.role = role.rawValue
        self.passwordHash = passwordHash
        self.isActive = true
    }

    var accountRole: AccountRole { AccountRole(rawValue: role) ?? .participant }
    var isAdmin: Bool { accountRole == .admin }

    func rename(_ newName: String) {
        name = newName
        searchName = Self.searchName(newName)
    }

    /// The name as lists sort and search it (`search_name`): lower case composed, as a search's
    /// text is (`Tags.key`), so that "ẖ" typed finds a name stored with "H̱".
    static func searchName(_ name: String) -> String { TextInput.lowercased(name) }
}

extension User {
    /// The columns `init(row:)` reads, for a plain SQL query on `users` under the alias `alias`.
    static func columns(_ alias: String, prefix: String = "user_") -> String {
        ["id", "email", "name", "search_name", "role", "password_hash", "is_active", "created_at", "updated_at"]
            .map { "\(alias).\($0) AS \(prefix)\($0)" }.joined(separator: ", ")
    }

    /// A user read by plain SQL (see `columns(_:)`). Fluent's own decoding reflects over the model
    /// for every row, which cost more than the queries on the pages every request passes through.
    /// The model is marked as stored, so `save` updates it.
    /// Every field counts as set, so `save` writes every column back as it was read: to change
    /// something, update just those columns in a transaction (as the password change does), or
    /// read the model with Fluent inside the transaction that saves it.
    convenience init(row: PlainRow, prefix: String = "user_") throws {
        self.init()
        id = try row.uuid(prefix + "id")
        $id.exists = true
        email = try row.string(prefix + "email")
        name = try row.string(prefix + "name")
        searchName = try row.string(prefix + "search_name")
        role = try row.string(prefix + "role")
        passwordHash = try row.optionalString(prefix + "password_hash")
        isActive = try row.bool(prefix + "is_active")
        createdAt = try row.optionalDate(prefix + "created_at")
        updatedAt = try row.optionalDate(prefix + "updated_at")
    }
}
