import Fluent
import Foundation
import NIOConcurrencyHelpers
import TrellisCore
import Vapor

/// Small reads that many pages repeat (the directory's menus and totals, the form's tag
/// suggestions, the dashboard's counts), reused for a moment instead of read again per page.
///
/// A value is used only while no write transaction of this process has started since it was read
/// (`DatabaseWrites.currentGeneration`), so a change made here shows on the very next page; a
/// change made by another process (a second server on the same database, the command line) shows
/// within `lifetime`. One per application for counts; one per process for sessions (`SessionCache`).
final class RecentReads: Sendable {
    static let lifetime: Duration = .seconds(5)
    /// Past this many keys, every entry is dropped (a bound on memory, not a policy).
    let maximumEntries: Int

    init(maximumEntries: Int = 1_000) { self.maximumEntries = maximumEntries }

    private struct Entry: @unchecked Sendable {
        var value: any Sendable
        var generation: UInt64
        var readAt: ContinuousClock.Instant
    }

    private let entries = NIOLockedValueBox<[String: Entry]>([:])

    /// The value last read under `key`, or a fresh read.
    func value<Value: Sendable>(_ key: String, read: () async throws -> Value) async throws -> Value {
        let now = ContinuousClock.now
        let generation = DatabaseWrites.currentGeneration
        if let entry = entries.withLockedValue({ $0[key] }), entry.generation == generation, now - entry.readAt < Self.lifetime,
           let value = entry.value as? Value {
            return value
        }
        let value = try await read()
        entries.withLockedValue { entries in
            if entries.count >= maximumEntries, entries[key] == nil { entries.removeAll(keepingCapacity: true) }
            entries[key] = Entry(value: value, generation: generation, readAt: now)
        }
        return value
    }
}

extension Application {
    private struct RecentReadsKey: StorageKey, LockKey { typealias Value = RecentReads }

    /// This application's `RecentReads` (made when first asked for).
    var recentReads: RecentReads {
        if let existing = storage[RecentReadsKey.self] { return existing }
        return locks.lock(for: RecentReadsKey.self).withLock {
            if let existing = storage[RecentReadsKey.self] { return existing }
            let made = RecentReads()
            storage[RecentReadsKey.self] = made
            return made
        }
    }
}

extension DirectoryCounts {
    /// `snapshot`, through the application's recent reads.
    static func snapshot(_ req: Request) async throws -> Snapshot {
        let db = req.db
        return try await req.application.recentReads.value("directory-snapshot") { try await snapshot(on: db) }
    }

    /// `popular`, through the application's recent reads.
    static func popular(limit: Int, _ req: Request) async throws -> [TagKind: [String]] {
        let db = req.db
        return try await req.application.recentReads.value("popular-tags-\(limit)") { try await popular(limit: limit, on: db) }
    }

    /// `counts`, through the application's recent reads.
    static func counts(_ facets: [Facet], _ req: Request) async throws -> [Facet: [String: Int]] {
        let db = req.db
        return try await req.application.recentReads.value("counts-" + facets.map(\.rawValue).joined(separator: ",")) { try await counts(facets, on: db) }
    }
}
