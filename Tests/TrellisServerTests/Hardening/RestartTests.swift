import Fluent
import Foundation
import Testing
@testable import TrellisServer
import TrellisCore
import VaporTesting

extension ServerTests {
    @Suite struct Restart {
        @Test func `starting twice against the same SQLite file loses nothing`() async throws {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("trellis-restart-\(UUID().uuidString).sqlite").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            let settings = TrellisSettings(database: .sqliteFile(path), bcryptCost: 4)

            let first = try await Application.make(.testing)
            try await configure(first, settings: settings)
            try await run(first, ["trellis", "migrate"])
            try await TestPeople.create(on: first)
            try await first.asyncShutdown()

            let second = try await Application.make(.testing)
            try await configure(second, settings: settings)
            try await run(second, ["trellis", "migrate"])
            #expect(try await User.query(on: second.db).count() == 3)
            var browser = Browser(second)
            try await browser.signIn(TestPeople.alice)
            try await second.asyncShutdown()
        }

        @Test func `settings come from the environment with safe defaults`() {
            let none = TrellisSettings.fromEnvironment([:])
            #expect(none.database == .sqliteFile("trellis.sqlite"))
            #expect(none.port == 8080)
            #expect(none.baseURL == "http://localhost:8080")
            #expect(!none.secureCookies)
            let configured = TrellisSettings.fromEnvironment([
                "DATABASE_URL": "postgres://u:p@db:5432/trellis", "PORT": "9000", "TRELLIS_BASE_URL": "https://mentoring.example.org/",
            ])
            #expect(configured.database == .postgres("postgres://u:p@db:5432/trellis"))
            #expect(configured.port == 9000)
            #expect(configured.baseURL == "https://mentoring.example.org")
            #expect(configured.secureCookies)
            #expect(TrellisSettings.fromEnvironment(["DATABASE_URL": "sqlite:///var/lib/trellis.sqlite"]).database == .sqliteFile("/var/lib/trellis.sqlite"))
        }
    }
}
