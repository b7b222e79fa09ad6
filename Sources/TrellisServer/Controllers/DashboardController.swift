import Fluent
import TrellisCore
import Vapor

/// The first page after sign-in: how complete your profile is and what to do next; for program
/// managers, the size of the organisation too.
enum DashboardController {
    @Sendable static func show(_ req: Request) async throws -> Response {
        guard let user = req.currentUser else {
            if try await AuthController.needsSetup(req.db) { return req.redirect(to: "/setup") }
            return req.redirect(to: "/sign-in")
        }
        let (draft, _) = try await PeopleStore.draft(for: user, on: req.db)
        let (fraction, missing) = draft.completeness
        let percent = Int((fraction * 100).rounded())
        var adminPanel: HTML = .empty
        if user.isAdmin {
            // Kept counts: the same cost for 200 people or 50,000.
            let counts = try await DirectoryCounts.counts([.account, .role], req)
            let people = counts[.account]?[DirectoryCounts.everyone] ?? 0
            let pending = counts[.account]?[DirectoryCounts.withoutPassword] ?? 0
            let mentors = MentoringRole.mentoring.reduce(0) { $0 + (counts[.role]?[$1.rawValue] ?? 0) }
            let mentees = MentoringRole.wantingMentor.reduce(0) { $0 + (counts[.role]?[$1.rawValue] ?? 0) }
            adminPanel = """
            <section class="panel" aria-labelledby="organisation">
              <h2 id="organisation">Your organisation</h2>
              <div class="grid">
                <div><div class="stat">\(people)</div><p class="muted">people</p></div>
                <div><div class="stat">\(mentors)</div><p class="muted">can mentor</p></div>
                <div><div class="stat">\(mentees)</div><p class="muted">want a mentor</p></div>
                <div><div class="stat">\(pending)</div><p class="muted">without a password yet</p></div>
              </div>
              <div class="actions"><a class="button secondary" href="/admin/people">Manage people</a><a class="button secondary" href="/admin/import">Import a CSV</a></div>
            </section>
            """
        }
        let next: HTML = missing.isEmpty
            ? "<p>Your profile is complete. Colleagues can find you in the <a href=\"/people\">directory</a>.</p>"
            : """
            <p>To help Trellis find you a good match, add:</p>
            <ul>\(missing.prefix(5).map { item -> HTML in "<li>\(item)</li>" })</ul>
            <p><a class="button" href="/people/\(try user.requireID().uuidString)/edit">Complete your profile</a></p>
            """
        let page = Layout.page(req, title: "Dashboard", active: "dashboard", content: """
        <h1>Welcome, \(user.name.split(separator: " ").first.map(String.init) ?? user.name)</h1>
        <div class="grid">
          <section class="panel" aria-labelledby="completeness">
            <h2 id="completeness">Your profile</h2>
            <p><label for="profile-progress">Profile \(percent)% complete</label></p>
            <progress id="profile-progress" max="100" value="\(percent)">\(percent)%</progress>
            \(next)
          </section>
          <section class="panel" aria-labelledby="explore">
            <h2 id="explore">Find people</h2>
            <p>Browse colleagues by skill, department or time zone, and see who can mentor in what you want to learn.</p>
            \(draft.tags(.development).isEmpty ? HTML.empty : "<p>People who can mentor you in <a href=\"/people?role=mentor&amp;tag=\(draft.tags(.development)[0].addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")\">\(draft.tags(.development)[0])</a>.</p>")
            <p><a class="button secondary" href="/people">Open the directory</a></p>
          </section>
        </div>
        \(adminPanel)
        """)
        return try await page.encodeResponse(for: req)
    }
}
