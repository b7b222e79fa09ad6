import Foundation
import TrellisCore

/// "My mentoring", a mentorship's page, and notifications.
enum MentoringPages {
    struct MentorshipItem: Sendable {
        var id: UUID
        var programID: UUID
        var programName: String
        var otherName: String
        var myRole: ProgramRole
        var state: MentorshipState
        var startedOn: CalendarDay?
    }

    struct RequestLine: Sendable {
        var programID: UUID
        var programName: String
        var otherID: UUID
        var otherName: String
        /// Sent by this person (as mentee), rather than received (as mentor).
        var sent: Bool
        var expiresAt: Date
    }

    struct WaitlistLine: Sendable {
        var programID: UUID
        var programName: String
        var mentorID: UUID
        var mentorName: String
        var placeOpened: Bool
    }

    struct NotificationItem: Sendable {
        var id: UUID
        var title: String
        var body: String
        var link: String
        var createdAt: Date
        var unread: Bool
    }

    static func mine(_ context: PageContext, mentorships: [MentorshipItem], waiting: [ProgramSummary], requests: [RequestLine] = [], waitlist: [WaitlistLine] = []) -> HTML {
        let requestItems: [HTML] = requests.map { line in
            let base = "/programs/\(line.programID.uuidString)"
            return line.sent
                ? "<li>You asked <a href=\"\(base)/mentors/\(line.otherID.uuidString)\">\(line.otherName)</a> in \(line.programName): waiting for an answer until \(SelfSelectPages.day(line.expiresAt)).</li>"
                : "<li>\(line.otherName) asks you to be their mentor in \(line.programName): <a href=\"\(base)/inbox\">answer</a> by \(SelfSelectPages.day(line.expiresAt)).</li>"
        }
        let waitlistItems: [HTML] = waitlist.map { line in
            "<li>\(line.mentorName)'s waitlist in \(line.programName)\(line.placeOpened ? ": a place opened, <a href=\"/programs/\(line.programID.uuidString)/mentors/\(line.mentorID.uuidString)\">send your request</a>" as HTML : "" as HTML)</li>"
        }
        let extra: HTML = requests.isEmpty && waitlist.isEmpty ? .empty : """
        <section class="panel" aria-labelledby="requests-heading">
          <h2 id="requests-heading">Requests and waitlists</h2>
          \(requests.isEmpty ? HTML.empty : "<ul>\(requestItems)</ul>")
          \(waitlist.isEmpty ? HTML.empty : "<ul>\(waitlistItems)</ul>")
        </section>
        """
        return mineBody(context, mentorships: mentorships, waiting: waiting, extra: extra)
    }

    static func mineBody(_ context: PageContext, mentorships: [MentorshipItem], waiting: [ProgramSummary], extra: HTML) -> HTML {
        let cards: [HTML] = mentorships.map { item in
            """
            <li class="panel program-card">
              <h2><a href="/mentorships/\(item.id.uuidString)">\(item.myRole == .mentee ? "Your mentor" : "Your mentee"): \(item.otherName)</a></h2>
              <p class="muted">\(item.programName) · \(item.state.label)\(item.startedOn.map { " since \(ProgramBits.day($0))" } ?? "")</p>
            </li>
            """
        }
        let programs: [HTML] = waiting.map { program in
            """
            <li><a href="/programs/\(program.id.uuidString)">\(program.name)</a>: you are a \(program.myRole?.rawValue ?? "participant"), \(program.state == .enrolling ? "enrolment is open" : program.state == .matching ? "pairs are being made" : "not matched")</li>
            """
        }
        return Layout.page(context, title: "My mentoring", active: "mentoring", content: """
        <h1>My mentoring</h1>
        \(mentorships.isEmpty ? "<p class=\"panel\">No mentorship yet. When a program you are in publishes its pairs, your mentor or mentee appears here.</p>" as HTML : "<ul class=\"cards\">\(cards)</ul>")
        \(extra)
        \(waiting.isEmpty ? HTML.empty : "<section class=\"panel\" aria-labelledby=\"waiting-heading\"><h2 id=\"waiting-heading\">Programs you are in</h2><ul>\(programs)</ul></section>")
        <p><a href="/programs">Programs open for enrolment</a></p>
        """)
    }

    static func notifications(_ context: PageContext, _ items: [NotificationItem]) -> HTML {
        let rows: [HTML] = items.map { item in
            """
            <li class="panel\(item.unread ? " unread" : "")">
              <h2>\(item.unread ? "<span class=\"badge new\">New</span> " as HTML : .empty)\(item.title)</h2>
              <p>\(item.body)</p>
              <form method="post" action="/notifications/\(item.id.uuidString)/read" class="inline">
                \(Layout.csrfField(context))
                <span class="muted">\(SelfSelectPages.day(item.createdAt))</span>
                <button type="submit" class="secondary" aria-label="Open: \(item.title)">Open</button>
              </form>
            </li>
            """
        }
        let anyUnread = items.contains(where: \.unread)
        return Layout.page(context, title: "Notifications", active: "notifications", content: """
        <div class="actions"><h1>Notifications</h1>\(anyUnread ? """
        <form method="post" action="/notifications/read-all" class="inline">
          \(Layout.csrfField(context))
          <button type="submit" class="secondary">Mark all as read</button>
        </form>
        """ as HTML : .empty)</div>
        \(items.isEmpty ? "<p class=\"panel\">Nothing yet. Trellis tells you here when something happens in your programs.</p>" as HTML : "<ul class=\"notification-list\">\(rows)</ul>")
        """)
    }
}
