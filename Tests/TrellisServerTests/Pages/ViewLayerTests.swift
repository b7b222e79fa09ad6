import Foundation
import Testing

/// Pages are their own layer: a view gets plain values (a `PageContext` and what the page shows)
/// and cannot reach the request or the database. The compiler cannot say so for files of one
/// module, so this test reads the views' sources.
struct ViewLayerTests {
    static let views = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/TrellisServer/Views")

    /// Files that join the views to Vapor on purpose: the page context is made from a request,
    /// the HTML type becomes a response, and the static assets are served.
    static let bridges: Set<String> = ["PageContext.swift", "HTML.swift", "StaticAssets.swift"]

    @Test func `no page view imports Vapor or Fluent, takes a Request or a model, or runs a query`() throws {
        let files = try #require(FileManager.default.enumerator(atPath: Self.views.path)).compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }
        #expect(files.count >= 8, "the views folder was found")
        for file in files where !Self.bridges.contains((file as NSString).lastPathComponent) {
            let text = try String(contentsOf: Self.views.appendingPathComponent(file), encoding: .utf8)
            for forbidden in ["import Vapor", "import Fluent", "ImportJob", "APIToken", ".query(on:", "req.db", ".db)"] {
                #expect(!text.contains(forbidden), "\(file) contains \(forbidden)")
            }
            // Whole type names only: a `RequestState` or a `UserID` is a plain value.
            for forbidden in [/: Request\b/, /\bRequest,/, /: User\b/, /\bUser\?/] {
                #expect(!text.contains(forbidden), "\(file) names the request or a user model")
            }
        }
    }
}
