import Foundation
import TrellisCore

/// A mentorship's page for its pair: who they are and why they were matched, what to do next,
/// the agreement, and the timeline of what happened.
enum WorkspacePage {
    /// `itemErrors`, `itemSent` and `error`: an action item added here that was not saved.
    static func render(_ context: PageContext, _ view: WorkspaceView, itemErrors: ValidationErrors = .init(), itemSent: [String: String] = [:], error: String? = nil, notice: String? = nil) -> HTML {
        let pair = view.pair
        let reasons: HTML = view.reasons.isEmpty ? "<p>You were paired by the program.</p>" : """
        <p>Your match scored <strong>\(view.score.map(RunPages.score) ?? "")</strong> out of 1. What counted most:</p>
        <ul class="reasons">\(view.reasons.prefix(4).map { "<li>\($0.sentence)</li>" as HTML })</ul>
        """
        let steps: [HTML] = view.nextSteps.map { "<li>\($0)</li>" }
        let gettingStarted = pair.side == .mentee
            ? "Take the initiative: write to \(pair.mentorName) to propose a first conversation, and think about what you want from these months."
            : "\(pair.menteeName) is asked to take the first step; if you have not heard in a week, say hello first."
        let agreement: HTML = {
            guard let latest = view.latestAgreement else {
                return "<p>Not written yet. \(pair.side == .mentee ? "Start it: Trellis drafts it from your profiles." : "\(pair.menteeName) is asked to start it; you can start it too.")</p><p><a class=\"button secondary\" href=\"\(pair.path)/agreement\">Open the agreement</a></p>"
            }
            return """
            <p>Version \(latest.number) \(AgreementPages.statusLine(view.agreementStatus, pair: pair))</p>
            <dl class="facts">
              <dt>Meeting</dt><dd>\(latest.terms.meetingFrequency.label)</dd>
              <dt>Review</dt><dd>\(ProgramBits.day(latest.terms.reviewOn))</dd>
              <dt>Ends</dt><dd>\(ProgramBits.day(latest.terms.endsOn))</dd>
            </dl>
            <p><a class="button secondary" href="\(pair.path)/agreement">Open the agreement</a></p>
            """
        }()
        let timeline: [HTML] = view.timeline.map { entry in
            "<li><span class=\"when\">\(AgreementPages.moment(entry.at, in: pair.timeZone))</span> \(entry.sentence)</li>"
        }
        return Layout.page(context, title: "Mentorship with \(pair.otherName)", active: "mentoring", notice: notice, content: """
        <p><a href="/mentoring">My mentoring</a></p>
        <h1>\(pair.mentorName) and \(pair.menteeName)</h1>
        \(error.map { "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\"><h2>\($0)</h2></div>" as HTML } ?? .empty)
        \(Form.errorSummary(itemErrors, message: "The action item was not added. Please correct the highlighted field."))
        <p class="lead">\(pair.side == .mentee ? "Your mentor" : "Your mentee") in <a href="/programs/\(pair.programID.uuidString)">\(pair.programName)</a> · \(pair.state.label) since \(ProgramBits.day(pair.startedOn))</p>
        <nav aria-label="This mentorship" class="workspace-nav">
          <ul class="tabs">
            <li><a href="\(pair.path)" aria-current="page">Overview</a></li>
            <li><a href="\(pair.path)/agreement">Agreement</a></li>
            <li><a href="\(pair.path)/meetings">Meetings</a></li>
            <li><a href="\(pair.path)/goals">Goals</a></li>
            <li><a href="\(pair.path)/feedback">Feedback and thanks</a></li>
            <li><a href="\(pair.path)/journal">My journal <span class="muted">(private)</span></a></li>
          </ul>
        </nav>
        <section class="panel next-step" aria-labelledby="next-heading">
          <h2 id="next-heading">What to do next</h2>
          \(steps.isEmpty ? HTML.empty : "<ul>\(steps)</ul>")
          \(pair.state == .concluded ? "<p>This mentorship has concluded; what you did together stays here to read.</p>" as HTML
            : view.timeline.isEmpty ? "<p\(HTML.when(!steps.isEmpty, " class=\"muted\""))>\(gettingStarted)</p>" as HTML
            : steps.isEmpty ? "<p>Nothing is waiting for you right now.</p>" as HTML : .empty)
        </section>
        <div class="grid">
          <section class="panel" aria-labelledby="who-heading">
            <h2 id="who-heading">Who</h2>
            <p>Mentor: <a href="/people/\(pair.mentorID.uuidString)">\(pair.mentorName)</a></p>
            <p>Mentee: <a href="/people/\(pair.menteeID.uuidString)">\(pair.menteeName)</a></p>
            <p><a class="button secondary" href="/people/\(pair.otherID.uuidString)">Read \(pair.otherName)'s profile</a></p>
          </section>
          <section class="panel" aria-labelledby="why-heading">
            <h2 id="why-heading">Why you were matched</h2>
            \(reasons)
          </section>
          <section class="panel" aria-labelledby="meeting-heading">
            <h2 id="meeting-heading">Next meeting</h2>
            \(view.nextMeeting.map { line in
                """
                <p><a href="\(pair.path)/meetings/\(line.id.uuidString)">\(MeetingPages.when(line.time.startsAt, in: pair.timeZone))</a> \(MeetingPages.stateBadge(line.state, held: false))</p>
                <p class="muted">\(line.time.length)\(line.time.place.isEmpty ? "" : " · \(line.time.place)") · \(Counted.phrase(line.agendaItems, "agenda item", "agenda items"))</p>
                """ as HTML
            } ?? (pair.meetingsInTrellis ? "<p>No meeting is planned.</p>" : "<p>In this program, you meet outside Trellis.</p>"))
            <p class="muted">\(Counted.phrase(view.meetingsHeld, "meeting", "meetings").capitalizedFirstLetter) held so far.</p>
            <div class="actions">
              \(HTML.when(pair.state != .concluded && pair.meetingsInTrellis, "<a class=\"button secondary\" href=\"\(pair.path)/meetings/new\">Propose a meeting</a>"))
              <a href="\(pair.path)/meetings">All meetings</a>
            </div>
          </section>
          <section class="panel" aria-labelledby="agreement-heading">
            <h2 id="agreement-heading">Agreement</h2>
            \(agreement)
          </section>
        </div>
        <section class="panel" aria-labelledby="goals-heading">
          <h2 id="goals-heading">Goals</h2>
          \(view.goals.isEmpty ? "<p class=\"muted\">No goal yet.</p>" as HTML : "<ul class=\"plain goal-list\">\(view.goals.prefix(6).map { goal -> HTML in "<li><a href=\"\(pair.path)/goals/\(goal.id.uuidString)\">\(goal.title)</a>\(goal.owner == .mentor ? " <span class=\"badge\">Mentor's own</span>" as HTML : .empty)\(GoalPages.progressBar(goal))</li>" })</ul>")
          <p><a class="button secondary" href="\(pair.path)/goals">\(view.goals.isEmpty ? "Set a goal" : "All goals")</a></p>
        </section>
        <section class="panel" aria-labelledby="items-heading">
          <h2 id="items-heading">Open action items</h2>
          \(view.openItems.isEmpty ? "<p class=\"muted\">Nothing open.</p>" as HTML : "<ul class=\"action-items\">\(view.openItems.map { MeetingPages.itemRow(context, $0, pair: pair, back: pair.path) })</ul>")
          \(pair.state == .concluded ? HTML.empty : """
          <details\(HTML.when(!itemErrors.isEmpty || error != nil, " open"))>
            <summary>Add an action item</summary>
            \(MeetingPages.itemForm(context, pair: pair, meeting: nil, sent: itemSent, errors: itemErrors))
          </details>
          """)
        </section>
        <section class="panel" aria-labelledby="timeline-heading">
          <h2 id="timeline-heading">What happened</h2>
          <p class="hint">Newest first\(HTML.when(view.timeline.count >= Workspace.timelineShown, ", the latest \(Workspace.timelineShown)")); times in \(pair.timeZone.identifier).</p>
          \(timeline.isEmpty ? "<p class=\"muted\">Nothing yet: what you do together shows here.</p>" as HTML : "<ol class=\"timeline\">\(timeline)</ol>")
        </section>
        """)
    }
}

extension String {
    var capitalizedFirstLetter: String { prefix(1).uppercased() + dropFirst() }
}
