import Foundation

/// What the dashboard shows, made by `DashboardController`: plain values, no queries.
struct DashboardView: Sendable {
    /// The organisation at a glance, for program managers.
    struct Organisation: Sendable {
        var people: Int
        var mentors: Int
        var mentees: Int
        var withoutPassword: Int
    }

    var personID: UUID
    var firstName: String
    var percentComplete: Int
    /// What the profile still lacks, most useful first.
    var missing: [String]
    /// The first thing the person wants to develop, to point them at mentors in it.
    var firstDevelopmentArea: String?
    var organisation: Organisation?
}

/// The first page after sign-in.
enum DashboardPage {
    static func render(_ context: PageContext, _ view: DashboardView) -> HTML {
        let next: HTML = view.missing.isEmpty
            ? "<p>Your profile is complete. Colleagues can find you in the <a href=\"/people\">directory</a>.</p>"
            : """
            <p>To help Trellis find you a good match, add:</p>
            <ul>\(view.missing.prefix(5).map { item -> HTML in "<li>\(item)</li>" })</ul>
            <p><a class="button" href="/people/\(view.personID.uuidString)/edit">Complete your profile</a></p>
            """
        let mentorsLink: HTML = view.firstDevelopmentArea.map { area in
            "<p>People who can mentor you in <a href=\"\(QueryLink.make("/people", [("role", "mentor"), ("tag", area)]))\">\(area)</a>.</p>"
        } ?? .empty
        return Layout.page(context, title: "Dashboard", active: "dashboard", content: """
        <h1>Welcome, \(view.firstName)</h1>
        <div class="grid">
          <section class="panel" aria-labelledby="completeness">
            <h2 id="completeness">Your profile</h2>
            <p><label for="profile-progress">Profile \(view.percentComplete)% complete</label></p>
            <progress id="profile-progress" max="100" value="\(view.percentComplete)">\(view.percentComplete)%</progress>
            \(next)
          </section>
          <section class="panel" aria-labelledby="explore">
            <h2 id="explore">Find people</h2>
            <p>Browse colleagues by skill, department or time zone, and see who can mentor in what you want to learn.</p>
            \(mentorsLink)
            <p><a class="button secondary" href="/people">Open the directory</a></p>
          </section>
        </div>
        \(view.organisation.map(organisation) ?? .empty)
        """)
    }

    static func organisation(_ counts: DashboardView.Organisation) -> HTML {
        """
        <section class="panel" aria-labelledby="organisation">
          <h2 id="organisation">Your organisation</h2>
          <div class="grid">
            <div><div class="stat">\(counts.people)</div><p class="muted">people</p></div>
            <div><div class="stat">\(counts.mentors)</div><p class="muted">can mentor</p></div>
            <div><div class="stat">\(counts.mentees)</div><p class="muted">want a mentor</p></div>
            <div><div class="stat">\(counts.withoutPassword)</div><p class="muted">without a password yet</p></div>
          </div>
          <div class="actions"><a class="button secondary" href="/admin/people">Manage people</a><a class="button secondary" href="/admin/import">Import a CSV</a></div>
        </section>
        """
    }
}
