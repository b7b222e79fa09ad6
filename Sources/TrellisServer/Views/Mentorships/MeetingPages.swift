import Foundation
import TrellisCore

/// A pair's meetings: the list, proposing one, and a meeting's page (time, answer, agenda, notes,
/// action items, history).
enum MeetingPages {
    static let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]

    static func parts(_ date: Date, in zone: TimeZone) -> DateComponents {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: date)
    }

    static func weekday(_ date: Date, in zone: TimeZone) -> String { weekdays[((parts(date, in: zone).weekday ?? 1) - 1) % 7] }

    static func clock(_ date: Date, in zone: TimeZone) -> String {
        let c = parts(date, in: zone)
        return String(format: "%02d:%02d", c.hour ?? 0, c.minute ?? 0)
    }

    /// "Thursday 10 December 2026, 14:00".
    static func when(_ date: Date, in zone: TimeZone) -> String {
        "\(weekday(date, in: zone)) \(ProgramBits.day(CalendarDay(date, in: zone))), \(clock(date, in: zone))"
    }

    /// "Thursday 10 December 2026, 14:00–15:00 (Europe/Paris)", and the proposer's own zone
    /// when it differs from the reader's.
    static func span(_ time: MeetingTime, in zone: TimeZone) -> String {
        let sameDay = CalendarDay(time.startsAt, in: zone) == CalendarDay(time.endsAt, in: zone)
        let end = sameDay ? clock(time.endsAt, in: zone) : when(time.endsAt, in: zone)
        var text = "\(when(time.startsAt, in: zone))–\(end) (\(zone.identifier))"
        if time.timeZone != zone.identifier, let theirs = TimeZone(identifier: time.timeZone) {
            text += "; \(clock(time.startsAt, in: theirs)) in \(time.timeZone)"
        }
        return text
    }

    static func stateBadge(_ state: MeetingState, held: Bool) -> HTML {
        if held { return "<span class=\"badge new\">Held</span>" }
        switch state {
        case .proposed: return "<span class=\"badge state-matching\">Proposed</span>"
        case .scheduled: return "<span class=\"badge state-enrolling\">Scheduled</span>"
        case .cancelled: return "<span class=\"badge state-concluded\">Cancelled</span>"
        }
    }

    struct Line: Sendable {
        var id: UUID
        var time: MeetingTime
        var state: MeetingState
        var held: Bool
        var proposedBy: PairSide
        var agendaItems: Int
    }

    /// What a pair reads where they would propose a meeting when their program's meetings happen
    /// outside Trellis.
    static let outsideNotice: HTML = "<p class=\"panel\">\(Meetings.outsideMessage)</p>"

    static func list(_ context: PageContext, pair: PairView, meetings: [Line]) -> HTML {
        let inTrellis = pair.meetingsInTrellis
        let now = Date()
        let upcoming = meetings.filter { $0.state != .cancelled && $0.time.endsAt > now }.sorted { $0.time.startsAt < $1.time.startsAt }
        let past = meetings.filter { $0.state == .cancelled || $0.time.endsAt <= now }
        func item(_ line: Line) -> HTML {
            """
            <li class="panel meeting-line">
              <h3><a href="\(pair.path)/meetings/\(line.id.uuidString)">\(when(line.time.startsAt, in: pair.timeZone))</a> \(stateBadge(line.state, held: line.held))</h3>
              <p class="muted">\(line.time.length)\(line.time.place.isEmpty ? "" : " · \(line.time.place)")\(line.agendaItems > 0 ? " · \(Counted.phrase(line.agendaItems, "agenda item", "agenda items"))" : "")</p>
            </li>
            """
        }
        return Layout.page(context, title: "Meetings · \(pair.mentorName) and \(pair.menteeName)", active: "mentoring", content: """
        \(AgreementPages.header(pair, here: "Meetings"))
        <div class="actions"><h1>Meetings</h1>\(HTML.when(pair.state != .concluded && inTrellis, "<a class=\"button\" href=\"\(pair.path)/meetings/new\">Propose a meeting</a>"))</div>
        \(inTrellis ? .empty : outsideNotice)
        <p class="hint">Times in \(pair.timeZone.identifier), your profile's time zone.</p>
        <section aria-labelledby="upcoming-heading">
          <h2 id="upcoming-heading">Coming up</h2>
          \(upcoming.isEmpty ? "<p class=\"panel\">No meeting is planned.</p>" as HTML : "<ul class=\"plain\">\(upcoming.map(item))</ul>")
        </section>
        <section aria-labelledby="past-heading">
          <h2 id="past-heading">Earlier and cancelled</h2>
          \(past.isEmpty ? "<p class=\"muted\">Nothing yet.</p>" as HTML : "<ul class=\"plain\">\(past.map(item))</ul>")
        </section>
        """)
    }

    struct TimeForm: Sendable {
        var startsAt: String
        var endsAt: String
        var timeZone: String
        var place: String
        var errors = ValidationErrors()
    }

    static func timeFields(_ form: TimeForm) -> HTML {
        """
        <div class="form-columns">
          \(Form.text("starts_at", label: "Starts", value: form.startsAt, type: "datetime-local", hint: "Date and time, in the time zone below.", error: form.errors["starts_at"], required: true))
          \(Form.text("ends_at", label: "Ends", value: form.endsAt, type: "datetime-local", hint: "At most 24 hours after the start.", error: form.errors["ends_at"], required: true))
        </div>
        \(Form.select("time_zone", label: "Time zone", options: TimeZones.all.map { ($0, $0) }, selected: form.timeZone, hint: "The times above are in this zone. Each of you sees them in their own.", error: form.errors["time_zone"], keepingUnknown: true))
        \(Form.text("place", label: "Place or link", value: form.place, hint: "A room, an address, or a video link. Optional.", error: form.errors["place"], attributes: [Attribute(.maxlength, String(MeetingRules.place.maximum))]))
        """
    }

    static func propose(_ context: PageContext, pair: PairView, form: TimeForm) -> HTML {
        Layout.page(context, title: "Propose a meeting", active: "mentoring", content: """
        \(AgreementPages.header(pair, here: "Propose a meeting"))
        <h1>Propose a meeting with \(pair.otherName)</h1>
        \(pair.meetingsInTrellis ? proposeForm(context, pair: pair, form: form) : outsideNotice)
        """)
    }

    static func proposeForm(_ context: PageContext, pair: PairView, form: TimeForm) -> HTML {
        """
        \(Form.errorSummary(form.errors, message: "The meeting was not proposed. Please correct the highlighted fields."))
        <form method="post" action="\(pair.path)/meetings" class="panel" novalidate>
          \(Layout.csrfField(context))
          \(timeFields(form))
          <div class="actions"><button type="submit">Propose the meeting</button><a href="\(pair.path)/meetings">Cancel</a></div>
        </form>
        """
    }

    struct AgendaLine: Sendable {
        var author: String
        var mine: Bool
        var kind: AgendaKind
        var text: String
        var at: Date
    }

    struct NoteLine: Sendable {
        var author: String
        var mine: Bool
        var isPrivate: Bool
        var text: String
        var at: Date
    }

    struct ItemLine: Sendable {
        var item: ActionItem
        var ownerName: String
        var overdue: Bool
    }

    struct ChangeLine: Sendable {
        var sentence: String
        var reason: String
        var at: Date
    }

    struct Detail: Sendable {
        var pair: PairView
        var id: UUID
        var facts: MeetingRules.Facts
        var held: Bool
        var over: Bool
        var agenda: [AgendaLine]
        var carriedOver: [ItemLine]
        var notes: [NoteLine]
        var items: [ItemLine]
        var history: [ChangeLine]
        var nudge: String?
        var notice: String?
        var errors = ValidationErrors()
        var error: String?
        var timeForm: TimeForm
        var sent: [String: String] = [:]
    }

    /// Adding an action item: from a meeting's page (`meeting`), or from the workspace's list of
    /// open items (nil), as pairs who meet outside Trellis do.
    static func itemForm(_ context: PageContext, pair: PairView, meeting: UUID?, sent: [String: String], errors: ValidationErrors) -> HTML {
        let owners = [(pair.me.uuidString, "Me (\(pair.myName))"), (pair.otherID.uuidString, pair.otherName)]
        let hint = pair.meetingsInTrellis
            ? "Something one of you will do before you next meet. Open items carry over to the next meeting's agenda."
            : "Something one of you will do before you next meet."
        return """
        <form method="post" action="\(pair.path)/action-items" class="item-form" novalidate>
          \(Layout.csrfField(context))
          \(meeting.map { "<input type=\"hidden\" name=\"meeting_id\" value=\"\($0.uuidString)\">" as HTML } ?? .empty)
          \(Form.text("item_text", label: "Action item", value: sent["item_text"] ?? "", hint: hint, error: errors["item_text"], attributes: [Attribute(.maxlength, String(MeetingTexts.actionItem.maximum))]))
          <div class="form-columns">
            \(Form.select("owner_id", label: "Who does it", options: owners, selected: sent["owner_id"] ?? pair.me.uuidString, error: errors["owner_id"]))
            \(Form.text("due_on", label: "Due", value: sent["due_on"] ?? "", type: "date", hint: "Optional.", error: errors["due_on"]))
          </div>
          <button type="submit" class="secondary">Add the action item</button>
        </form>
        """
    }

    static func itemRow(_ context: PageContext, _ line: ItemLine, pair: PairView, back: String) -> HTML {
        let item = line.item
        let due: HTML = item.dueOn.map { "<span class=\"\(line.overdue ? "overdue" : "muted")\">\(line.overdue ? "Overdue: was due" : "Due") \(ProgramBits.day($0))</span>" } ?? "<span class=\"muted\">No due date</span>"
        // A concluded mentorship's items are read, not changed.
        let toggle: HTML = pair.state == .concluded ? .empty : """
          <form method="post" action="\(pair.path)/action-items/\(item.id.uuidString)/done" class="inline">
            \(Layout.csrfField(context))
            <input type="hidden" name="done" value="\(item.done ? "0" : "1")">
            <input type="hidden" name="back" value="\(back)">
            <button type="submit" class="secondary" aria-label="\(item.done ? "Mark as not done" : "Mark as done"): \(item.text)">\(item.done ? "Reopen" : "Mark done")</button>
          </form>
        """
        return """
        <li class="action-item\(item.done ? " done" : "")">
          \(toggle)
          <span class="item-text">\(item.done ? "<s>\(item.text)</s>" as HTML : "\(item.text)")</span>
          <span class="muted">· \(line.ownerName) · </span>\(due)
        </li>
        """
    }

    static func detail(_ context: PageContext, _ view: Detail) -> HTML {
        let pair = view.pair
        let base = "\(pair.path)/meetings/\(view.id.uuidString)"
        let facts = view.facts
        let open = pair.state != .concluded && facts.state != .cancelled && !view.over
        let answer: HTML = {
            guard open else { return .empty }
            let accept: HTML = facts.state == .proposed && facts.proposedBy != pair.side ? """
            <form method="post" action="\(base)/accept" class="inline">\(Layout.csrfField(context))<button type="submit">Accept this time</button></form>
            """ : .empty
            // Outside Trellis a planned meeting can be accepted or cancelled, not given a new time.
            let move: HTML = pair.meetingsInTrellis ? """
            <details class="panel-details"\(HTML.when(view.errors["starts_at"] != nil || view.errors["ends_at"] != nil || view.errors["time_zone"] != nil || view.errors["place"] != nil, " open"))>
              <summary>\(facts.state == .proposed && facts.proposedBy != pair.side ? "Propose another time" : "Move the meeting")</summary>
              <form method="post" action="\(base)/time" novalidate>
                \(Layout.csrfField(context))
                \(timeFields(view.timeForm))
                <button type="submit" class="secondary">Propose this time</button>
              </form>
            </details>
            """ : .empty
            return """
            <div class="actions">\(accept)</div>
            \(move)
            <details class="panel-details"\(HTML.when(view.errors["reason"] != nil, " open"))>
              <summary>Cancel the meeting</summary>
              <form method="post" action="\(base)/cancel" novalidate>
                \(Layout.csrfField(context))
                \(Form.textarea("reason", label: "Why you cancel", value: view.sent["reason"] ?? "", hint: "\(pair.otherName) reads this.", error: view.errors["reason"], rows: 2, attributes: [Attribute(.maxlength, String(MeetingRules.reason.maximum))]))
                <button type="submit" class="danger">Cancel the meeting</button>
              </form>
            </details>
            """
        }()
        let status: String = {
            if view.held { return "You met." }
            switch facts.state {
            case .proposed: return facts.proposedBy == pair.side ? "Waiting for \(pair.otherName) to accept this time." : "\(pair.otherName) proposed this time: accept it, or propose another."
            case .scheduled: return view.over ? "This meeting is over." : "Both of you agreed on this time."
            case .cancelled: return "This meeting was cancelled."
            }
        }()
        let agenda: [HTML] = view.agenda.map { line in
            "<li><span class=\"badge\">\(line.kind.label)</span> \(line.text) <span class=\"muted\">— \(line.mine ? "you" : line.author)</span></li>"
        }
        let carried: [HTML] = view.carriedOver.map { itemRow(context, $0, pair: pair, back: base) }
        let notes: [HTML] = view.notes.map { note in
            """
            <li class="note\(note.isPrivate ? " private" : "")">
              <p class="muted">\(note.isPrivate ? "Private note — only you can read it" : note.mine ? "You" : note.author), \(AgreementPages.moment(note.at, in: pair.timeZone))</p>
              \(AgreementPages.lines(note.text))
            </li>
            """
        }
        let items: [HTML] = view.items.map { itemRow(context, $0, pair: pair, back: base) }
        let history: [HTML] = view.history.map { change in
            "<li><span class=\"when\">\(AgreementPages.moment(change.at, in: pair.timeZone))</span> \(change.sentence)\(change.reason.isEmpty ? "" : " Reason: “\(change.reason)”")</li>"
        }
        let agendaOpen = open
        return Layout.page(context, title: "Meeting on \(when(facts.time.startsAt, in: pair.timeZone))", active: "mentoring", notice: view.notice, content: """
        \(AgreementPages.header(pair, here: "Meeting"))
        <h1>\(when(facts.time.startsAt, in: pair.timeZone)) \(stateBadge(facts.state, held: view.held))</h1>
        \(view.error.map { "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\"><h2>\($0)</h2></div>" as HTML } ?? .empty)
        \(Form.errorSummary(view.errors, message: "Nothing was saved. Please correct the highlighted field."))
        <section class="panel" aria-labelledby="when-heading">
          <h2 id="when-heading">When and where</h2>
          <dl class="facts">
            <dt>When</dt><dd>\(span(facts.time, in: pair.timeZone))</dd>
            <dt>Length</dt><dd>\(facts.time.length)</dd>
            <dt>Where</dt><dd>\(facts.time.place.isEmpty ? "Not said yet" : facts.time.place)</dd>
          </dl>
          <p>\(status)</p>
          \(answer)
          <p><a href="\(base)/calendar.ics" download>Add to your calendar (.ics)</a></p>
        </section>
        <section class="panel" aria-labelledby="agenda-heading">
          <h2 id="agenda-heading">Agenda</h2>
          \(view.nudge.map { "<p class=\"next-step\">\($0)</p>" as HTML } ?? .empty)
          \(agenda.isEmpty ? "<p class=\"muted\">Nothing on the agenda yet.</p>" as HTML : "<ul class=\"agenda\">\(agenda)</ul>")
          \(carried.isEmpty ? HTML.empty : "<h3>Carried over: open action items</h3><ul class=\"action-items\">\(carried)</ul>")
          \(HTML.when(agendaOpen, """
          <form method="post" action="\(base)/agenda" class="agenda-form" novalidate>
            \(Layout.csrfField(context))
            \(Form.select("kind", label: "Kind", options: AgendaKind.allCases.map { ($0.rawValue, $0.label) }, selected: view.sent["kind"] ?? AgendaKind.topic.rawValue))
            \(Form.text("text", label: "Add to the agenda", value: view.sent["text"] ?? "", hint: "A topic, a question, or an update for \(pair.otherName).", error: view.errors["text"], attributes: [Attribute(.maxlength, String(MeetingTexts.agendaItem.maximum))]))
            <button type="submit" class="secondary">Add</button>
          </form>
          """))
        </section>
        <section class="panel" aria-labelledby="notes-heading">
          <h2 id="notes-heading">Notes</h2>
          \(notes.isEmpty ? "<p class=\"muted\">No notes yet.</p>" as HTML : "<ul class=\"notes\">\(notes)</ul>")
          \(HTML.when(pair.state != .concluded && facts.state != .cancelled, """
          <form method="post" action="\(base)/notes" novalidate>
            \(Layout.csrfField(context))
            \(Form.textarea("note", label: "Add a note", value: view.sent["note"] ?? "", hint: "Shared notes are for both of you. A private note is yours alone: nobody else, not \(pair.otherName), not the program team, can read it.", error: view.errors["note"], rows: 4, attributes: [Attribute(.maxlength, String(MeetingTexts.note.maximum))]))
            <fieldset class="field choices"><legend>Who can read it</legend>
              <label class="choice"><input type="radio" name="visibility" value="shared"\(HTML.when(view.sent["visibility"] != "private", " checked"))> Both of us</label>
              <label class="choice"><input type="radio" name="visibility" value="private"\(HTML.when(view.sent["visibility"] == "private", " checked"))> Only me (private)</label>
            </fieldset>
            <button type="submit" class="secondary">Save the note</button>
          </form>
          """))
        </section>
        <section class="panel" aria-labelledby="items-heading">
          <h2 id="items-heading">Action items from this meeting</h2>
          \(items.isEmpty ? "<p class=\"muted\">None yet.</p>" as HTML : "<ul class=\"action-items\">\(items)</ul>")
          \(HTML.when(pair.state != .concluded && facts.state != .cancelled, itemForm(context, pair: pair, meeting: view.id, sent: view.sent, errors: view.errors)))
        </section>
        <section class="panel" aria-labelledby="history-heading">
          <h2 id="history-heading">History</h2>
          <ol class="timeline">\(history)</ol>
        </section>
        <p><a href="\(pair.path)/meetings">All meetings</a></p>
        """)
    }
}
