import Foundation

/// The latest admin actions: who did what, when. Never the content of a relationship.
enum AuditPage {
    /// One action, as the page shows it.
    struct Entry: Sendable {
        var at: Date
        var who: String
        var action: String
        var detail: String
    }

    static func render(_ context: PageContext, _ entries: [Entry]) -> HTML {
        let formatter = ISO8601DateFormatter()
        let rows: [HTML] = entries.map { entry in
            let stamp = formatter.string(from: entry.at)
            return "<tr><td><time datetime=\"\(stamp)\">\(stamp.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC"))</time></td><td>\(entry.who)</td><td>\(entry.action)</td><td>\(entry.detail)</td></tr>"
        }
        return Layout.page(context, title: "Audit log", active: "admin-people", content: """
        <h1>Audit log</h1>
        \(entries.isEmpty ? "<p class=\"panel\">Nothing yet: actions by program managers and the command line will be listed here.</p>" as HTML : """
        <p class="lede">The latest \(entries.count == 1 ? "action" : "\(entries.count) actions") by program managers and the command line.</p>
        <div class="table-wrap" tabindex="0" role="region" aria-label="Audit log">
          <table>
            <caption class="muted">Newest first</caption>
            <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">Action</th><th scope="col">Detail</th></tr></thead>
            <tbody>\(rows)</tbody>
          </table>
        </div>
        """)
        """)
    }
}
