import Foundation
import TrellisCore

/// What a program's pairs page shows, made by `AdminProgramsController`.
struct PairsView: Sendable {
    var program: ProgramSummary
    var meetingsInTrellis: Bool
    var page: ProgramPairs.Page
    /// The manager's own time zone: the days shown are theirs.
    var timeZone: TimeZone
    /// The page was asked for from a position (after or before a pair), so an empty one is past
    /// the end, not an empty program.
    var beyondEnd = false
}

/// A program's pairs for its managers: how each mentorship is going in counts and dates, with
/// flags worth a look, and never a word of what the pair wrote (PRODUCT.md: "program managers:
/// numbers and flags, never content").
enum PairsPage {
    static func render(_ context: PageContext, _ view: PairsView) -> HTML {
        let program = view.program
        let base = "/admin/programs/\(program.id.uuidString)/pairs"
        let zone = view.timeZone
        func day(_ date: Date?) -> String { date.map { ProgramBits.day(CalendarDay($0, in: zone)) } ?? "—" }
        func agreement(_ status: PairNumbers.AgreementStatus) -> HTML {
            switch status {
            case .notWritten: return "<span class=\"muted\">Not written</span>"
            case .signed(let version, _, let on): return "Signed by both \(day(on))<br><span class=\"muted\">version \(version)</span>"
            case .waiting(let version, let written, let before):
                return "Version \(version) waiting for signatures since \(day(written))\(before.map { "<br><span class=\"muted\">an earlier version signed \(day($0))</span>" as HTML } ?? .empty)"
            }
        }
        let rows: [HTML] = view.page.rows.map { row in
            let n = row.numbers
            let meetings: HTML = view.meetingsInTrellis
                ? "\(n.meetingsHeld) held\(n.lastMet.map { "<br><span class=\"muted\">last \(day($0))</span>" as HTML } ?? .empty)\(n.nextMeeting.map { "<br><span class=\"muted\">next \(day($0))</span>" as HTML } ?? .empty)\(n.meetingsCancelled > 0 ? "<br><span class=\"muted\">\(n.meetingsCancelled) cancelled</span>" as HTML : .empty)"
                : "<span class=\"muted\">Outside Trellis</span>"
            let flags: HTML = row.state == .concluded ? "<span class=\"muted\">Concluded</span>"
                : row.flags.isEmpty ? "<span class=\"muted\">None</span>"
                : "<ul class=\"flags\">\(row.flags.map { "<li><span class=\"badge changed\">\($0.label)</span></li>" as HTML })</ul>"
            return """
            <tr>
              <th scope="row"><a href="/people/\(row.mentorID.uuidString)">\(row.mentorName)</a> <span class="muted">mentors</span> <a href="/people/\(row.menteeID.uuidString)">\(row.menteeName)</a></th>
              <td data-label="Since">\(ProgramBits.day(n.startedOn))</td>
              <td data-label="Agreement">\(agreement(n.agreement))</td>
              <td data-label="Meetings">\(meetings)</td>
              <td data-label="Goals">\(n.goalsReached) of \(n.goals) reached\(n.milestones > 0 ? "<br><span class=\"muted\">\(n.milestonesReached) of \(n.milestones) milestones</span>" as HTML : .empty)</td>
              <td data-label="Action items">\(n.openActionItems) open\(n.overdueActionItems > 0 ? "<br><span class=\"overdue\">\(n.overdueActionItems) overdue</span>" as HTML : .empty)</td>
              <td data-label="Feedback and thanks">\(n.feedbackSent) feedback<br>\(n.thanksSent) thanks</td>
              <td data-label="Last activity">\(day(n.lastActivity))</td>
              <td data-label="Worth a look">\(flags)</td>
            </tr>
            """
        }
        let pagination = Form.pagination(
            previous: view.page.hasPrevious ? QueryLink.make(base, [("before", view.page.rows.first?.mentorshipID.uuidString ?? "")]) : nil,
            next: view.page.hasNext ? QueryLink.make(base, [("after", view.page.rows.last?.mentorshipID.uuidString ?? "")]) : nil
        )
        let table: HTML = view.page.rows.isEmpty ? (view.beyondEnd
            ? "<p class=\"panel\">No pairs on this page. <a href=\"\(base)\">Back to the first page</a></p>"
            : "<p class=\"panel\">No pairs yet: they appear here once the program's pairs are made.</p>") : """
        <p class="hint">Days in \(zone.identifier), your profile's time zone.</p>
        <div class="table-wrap" tabindex="0" role="region" aria-label="Pairs and their numbers">
          <table class="stack pairs-table">
            <thead><tr><th scope="col">Pair</th><th scope="col">Since</th><th scope="col">Agreement</th><th scope="col">Meetings</th><th scope="col">Goals</th><th scope="col">Action items</th><th scope="col">Feedback and thanks</th><th scope="col">Last activity</th><th scope="col">Worth a look</th></tr></thead>
            <tbody>\(rows)</tbody>
          </table>
        </div>
        \(pagination)
        """
        let legend: [HTML] = PairNumbers.Flag.allCases.filter { view.meetingsInTrellis || !$0.isAboutMeetings }.map { "<li>\($0.label)</li>" }
        return Layout.page(context, title: "Pairs · \(program.name)", active: "programs", content: """
        <p><a href="/programs/\(program.id.uuidString)">\(program.name)</a></p>
        <h1>Pairs and how they are going</h1>
        <p class="lead">How each mentorship is going, in numbers and dates. Agreements, agendas, notes, goals and feedback are the pair's own: you see that they exist and when, never what they say.</p>
        \(table)
        <details class="panel">
          <summary>What the flags mean</summary>
          <ul>\(legend)</ul>
          <p class="muted">Flags are plain facts from the dates above, a prompt to check in with the pair, not a judgement.</p>
        </details>
        """)
    }
}
