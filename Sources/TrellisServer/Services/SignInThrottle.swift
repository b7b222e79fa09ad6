import Fluent
import Foundation

/// Refuses sign-in after too many failures for one account or from one address, across every
/// server instance (the attempts are in the database). A correct password does not lift the lock.
enum SignInThrottle {
    static let maximumFailures = 5
    static let window: TimeInterval = 15 * 60

    /// Seconds until sign-in is allowed again, or nil when it is allowed now.
    static func lockRemaining(email: String, address: String, now: Date = Date(), on db: any Database) async throws -> TimeInterval? {
        let since = now.addingTimeInterval(-window)
        var unlock: Date?
        for (field, value) in [(\SignInAttempt.$email, email), (\SignInAttempt.$address, address)] {
            let failures = try await SignInAttempt.query(on: db)
                .filter(field == value)
                .filter(\.$succeeded == false)
                .filter(\.$createdAt > since)
                .sort(\.$createdAt, .descending)
                .limit(maximumFailures)
                .all()
            if failures.count >= maximumFailures, let oldest = failures.last {
                let until = oldest.createdAt.addingTimeInterval(window)
                unlock = max(unlock ?? until, until)
            }
        }
        guard let unlock, unlock > now else { return nil }
        return unlock.timeIntervalSince(now)
    }

    static func record(email: String, address: String, succeeded: Bool, now: Date = Date(), on db: any Database) async throws {
        try await SignInAttempt(email: email, address: address, succeeded: succeeded, at: now).create(on: db)
    }
}
