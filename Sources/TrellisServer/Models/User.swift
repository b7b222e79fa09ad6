import Fluent
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
        self.searchName = name.lowercased()
        self.role = role.rawValue
        self.passwordHash = passwordHash
        self.isActive = true
    }

    var accountRole: AccountRole { AccountRole(rawValue: role) ?? .participant }
    var isAdmin: Bool { accountRole == .admin }

    func rename(_ newName: String) {
        name = newName
        searchName = newName.lowercased()
    }
}
