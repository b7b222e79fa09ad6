import Fluent
import Foundation

/// A signed-in browser. The cookie holds a random token; only its SHA-256 digest is stored,
/// so a copy of the database cannot be used to sign in.
final class UserSession: Model, @unchecked Sendable {
    static let schema = "user_sessions"

    @ID(key: .id) var id: UUID?
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "user_id") var userID: UUID
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "last_seen_at") var lastSeenAt: Date
    @Field(key: "expires_at") var expiresAt: Date

    init() {}

    init(tokenHash: String, userID: UUID, now: Date, lifetime: TimeInterval) {
        self.tokenHash = tokenHash
        self.userID = userID
        createdAt = now
        lastSeenAt = now
        expiresAt = now.addingTimeInterval(lifetime)
    }
}

/// A sign-in attempt, kept for throttling (by account and by address) across every server instance.
final class SignInAttempt: Model, @unchecked Sendable {
    static let schema = "sign_in_attempts"

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "address") var address: String
    @Field(key: "succeeded") var succeeded: Bool
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(email: String, address: String, succeeded: Bool, at date: Date) {
        self.email = email
        self.address = address
        self.succeeded = succeeded
        createdAt = date
    }
}

/// A one-time link: an invitation to set a first password, or a password reset.
final class OneTimeToken: Model, @unchecked Sendable {
    static let schema = "one_time_tokens"

    enum Purpose: String { case invite, reset }

    @ID(key: .id) var id: UUID?
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "user_id") var userID: UUID
    @Field(key: "purpose") var purpose: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?
    @OptionalField(key: "created_by") var createdBy: UUID?

    init() {}

    init(tokenHash: String, userID: UUID, purpose: Purpose, now: Date, lifetime: TimeInterval, createdBy: UUID?) {
        self.tokenHash = tokenHash
        self.userID = userID
        self.purpose = purpose.rawValue
        createdAt = now
        expiresAt = now.addingTimeInterval(lifetime)
        self.createdBy = createdBy
    }
}

/// A personal API token. Shown once when created; only its digest is stored.
final class APIToken: Model, @unchecked Sendable {
    static let schema = "api_tokens"

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "name") var name: String
    @Field(key: "token_hash") var tokenHash: String
    /// The last four characters, so a person can tell their tokens apart.
    @Field(key: "hint") var hint: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "last_used_at") var lastUsedAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}

    init(userID: UUID, name: String, tokenHash: String, hint: String, now: Date) {
        self.userID = userID
        self.name = name
        self.tokenHash = tokenHash
        self.hint = hint
        createdAt = now
    }
}

/// What a program manager did, for the audit log.
final class AuditEntry: Model, @unchecked Sendable {
    static let schema = "audit_entries"

    @ID(key: .id) var id: UUID?
    @OptionalField(key: "actor_id") var actorID: UUID?
    @Field(key: "action") var action: String
    @Field(key: "detail") var detail: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(actorID: UUID?, action: String, detail: String, at date: Date = Date()) {
        self.actorID = actorID
        self.action = action
        self.detail = detail
        createdAt = date
    }
}
