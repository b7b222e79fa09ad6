import Fluent
import FluentSQL
import NIOConcurrencyHelpers
import Foundation
import Vapor

/// Refuses password checks after too many failures for one account or from one address, across
/// every server instance (the attempts are in the database). A correct password does not lift
/// the lock. Sign-in and the current-password check of a password change both count.
///
/// Checking the limit and recording the attempt happen in one write transaction (serialized per
/// account and per address), and an attempt counts as failed until its password is proven right:
/// of forty parallel attempts on one account, five are checked and the rest are refused.
enum SignInThrottle {
    static let maximumFailures = 5
    static let window: TimeInterval = 15 * 60

    enum Reservation: Sendable {
        /// Sign-in is paused; seconds until it is allowed again.
        case locked(TimeInterval)
        /// The attempt is recorded as failed; call `succeeded` once the password proves right.
        case allowed(UUID)
    }

    /// Checks the limit and records the attempt, atomically.
    static func reserve(email: String, address: String, now: Date = Date(), on db: any Database) async throws -> Reservation {
        try await DatabaseWrites.transaction(on: db) { tx in
            if let sql = tx as? any SQLDatabase, sql.dialect.name == "postgresql" {
                // Serialize per account, then per address (always in that order: no deadlock).
                for key in ["sign-in:email:" + email, "sign-in:address:" + address] {
                    try await sql.raw("SELECT pg_advisory_xact_lock(hashtext(\(bind: key)))").run()
                }
            }
            if let remaining = try await lockRemaining(email: email, address: address, now: now, on: tx) {
                return .locked(remaining)
            }
            let attempt = SignInAttempt(email: email, address: address, succeeded: false, at: now)
            try await attempt.create(on: tx)
            return .allowed(try attempt.requireID())
        }
    }

    /// Marks a reserved attempt as successful, so that it does not count towards the limit.
    static func succeeded(_ id: UUID, on db: any Database) async throws {
        try await DatabaseWrites.transaction(on: db) { tx in
            try await SignInAttempt.query(on: tx).filter(\.$id == id).set(\.$succeeded, to: true).update()
        }
    }

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

    /// "try again in 3 minutes".
    static func describe(_ remaining: TimeInterval) -> String {
        let minutes = max(1, Int((remaining / 60).rounded(.up)))
        return "try again in \(minutes) minute\(minutes == 1 ? "" : "s")"
    }
}

/// Checks a password against a stored Bcrypt hash, taking the same time whether or not there is
/// an account: without one, a hash of the same cost is checked instead, so the answer's timing
/// does not reveal which emails have accounts.
enum PasswordCheck {
    private static let decoys = NIOLockedValueBox<[Int: String]>([:])

    /// Made once a process, on `LongWork`'s thread: a hash of cost 12 takes a quarter of a
    /// second, which must not hold up an event loop.
    static func decoyHash(cost: Int) async throws -> String {
        if let hash = decoys.withLockedValue({ $0[cost] }) { return hash }
        let hash = try await LongWork.run { try Bcrypt.hash("trellis-decoy-password", cost: cost) }
        decoys.withLockedValue { $0[cost] = hash }
        return hash
    }

    static func verify(_ password: String, against hash: String?, on req: Request) async throws -> Bool {
        let cost = req.application.trellisSettings.bcryptCost
        guard let hash else {
            let decoy = try await decoyHash(cost: cost)
            _ = try await req.password.async.verify(password, created: decoy).get()
            return false
        }
        return try await req.password.async.verify(password, created: hash).get()
    }

    static func hash(_ password: String, on req: Request) async throws -> String {
        try await req.password.async.hash(password).get()
    }
}
