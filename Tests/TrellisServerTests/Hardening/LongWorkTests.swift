import Fluent
import Foundation
import Testing
@testable import TrellisServer
import VaporTesting

extension ServerTests {
    /// `serve` runs tasks on the event loops, so long computations must run on `LongWork`'s
    /// thread: the import's checks, the import job and the export are run there.
    @Suite struct LongWorkThread {
        static func threadName() -> String { Thread.current.name ?? "" }

        @Test func `long work runs on its own thread, before and after awaiting the database`() async throws {
            try await withTrellis { app in
                let db = app.db
                let names = try await LongWork.run {
                    let before = Self.threadName()
                    _ = try await PlainRows.first("SELECT 1 AS n", on: db)
                    let after = Self.threadName()
                    return [before, after]
                }
                #expect(names.allSatisfy { $0.hasPrefix(LongWork.threadNamePrefix) }, "\(names)")
                // Outside it, not.
                #expect(!Self.threadName().hasPrefix(LongWork.threadNamePrefix))
            }
        }

        /// An import's final transaction holds its connection for seconds. On an SQLite file it
        /// runs on connections of its own, so every event loop's pages still read meanwhile (with
        /// one shared connection a loop, the pages of the loop whose connection it held waited
        /// 10 s for it and failed).
        @Test func `a long transaction on an SQLite file leaves every event loop's connection free`() async throws {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("trellis-long-\(UUID().uuidString).sqlite").path
            defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
            let app = try await Application.make(.testing)
            do {
                try await configure(app, settings: TrellisSettings(database: .sqliteFile(path), bcryptCost: 4))
                try await app.autoMigrate()
                _ = try await TestPeople.create(on: app)
                let (started, startedSignal) = AsyncStream<Void>.makeStream()
                let (release, releaseSignal) = AsyncStream<Void>.makeStream()
                let held = Task {
                    try await DatabaseWrites.transaction(on: app.longWorkDB) { tx in
                        _ = try await PlainRows.first("SELECT COUNT(*) AS n FROM users", on: tx)
                        startedSignal.yield()
                        for await _ in release { break }
                        return true
                    }
                }
                for await _ in started { break }
                // Every loop's own connection reads while the transaction is open.
                var loops = 0
                for loop in app.eventLoopGroup.makeIterator() {
                    let db = try #require(app.databases.database(.sqlite, logger: app.logger, on: loop))
                    #expect(try await PlainRows.first("SELECT COUNT(*) AS n FROM users", on: db)?.int("n") == 3)
                    loops += 1
                }
                #expect(loops >= 1)
                releaseSignal.yield()
                #expect(try await held.value)
            } catch {
                try? await app.asyncShutdown()
                throw error
            }
            try await app.asyncShutdown()
        }

        @Test func `a task started with long work preferred (the import job) runs on its thread`() async throws {
            let name = await Task.detached(executorPreference: LongWork.shared) { Self.threadName() }.value
            #expect(name.hasPrefix(LongWork.threadNamePrefix))
        }
    }
}
