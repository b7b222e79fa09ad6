import Foundation
import TrellisCore
import TrellisMatching

/// Self-select pages: a mentee's suggested mentors, one mentor with "why this mentor" and the
/// request form, and a mentor's inbox.
enum SelfSelectPages {
    struct RequestItem: Sendable {
        var id: UUID
        var otherID: UUID
        var otherName: String
        var note: String
        var state: RequestState
        var answer: String
        var createdAt: Date
        var expiresAt: Date
    }

    struct WaitlistItem: Sendable {
        var id: UUID
        var mentorID: UUID
        var mentorName: String
        /// People ahead in the queue.
        var ahead: Int
        var placeOpened: Bool
    }

    struct MentorsView: Sendable {
        var program: ProgramSummary
        var suggestions: [Suggestions.Mentor]
        var total: Int
        var search: String
        var department: String
        var departments: [String]
        var requests: [RequestItem]
        var waitlist: [WaitlistItem]
        var maximumOpenRequests: Int
        var matchedWith: String?
        var notice: String?
        var error: String?
    }

    struct MentorView: Sendable {
        var program: ProgramSummary
        var mentorID: UUID
        var name: String
        var headline: String
        var bio: String
        var department: String
        var expertise: [String]
        var check: MatchRuns.PairCheck
        var placesLeft: Int
        var capacity: Int
        var paused: Bool
        var alreadyAsked: Bool
        var onWaitlist: Bool
        var matchedWith: String?
        var note: String
        var error: String?
        var notice: String?
    }

    struct InboxItem: Sendable {
        var id: UUID
        var menteeID: UUID
        var menteeName: String
        var note: String
        var createdAt: Date
        var expiresAt: Date
        var score: Int64
        var reasons: [(contribution: Int64, sentence: String)]
    }

    struct InboxView: Sendable {
        var program: ProgramSummary
        var requests: [InboxItem]
        var mentees: [(id: UUID, name: String)]
        var capacity: Int
        var paused: Bool
        var waitlist: Int
        var notice: String?
        var error: String?
    }

    static func day(_ date: Date) -> String { ProgramBits.day(CalendarDay(date, in: TimeZone(identifier: "UTC")!)) }

    static func errorBlock(_ error: String?) -> HTML {
        error.map { "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\"><h2>Nothing was sent</h2><p>\($0)</p></div>" } ?? .empty
    }

    static func reasonList(_ reasons: [(contribution: Int64, sentence: String)], limit: Int = 3) -> HTML {
        "<ul class=\"reasons\">\(reasons.prefix(limit).map { "<li>\($0.sentence)</li>" as HTML })</ul>"
    }

    static func availability(_ mentor: Suggestions.Mentor) -> HTML {
        if mentor.paused { return "<span class=\"badge changed\">Not taking requests</span>" }
        if mentor.placesLeft == 0 { return "<span class=\"badge changed\">Full</span>" }
        return "<span class=\"badge new\">\(mentor.placesLeft) place\(mentor.placesLeft == 1 ? "" : "s") left</span>"
    }

    static func mentors(_ context: PageContext, _ view: MentorsView) -> HTML {
        let program = view.program
        let base = "/programs/\(program.id.uuidString)"
        let open = view.requests.filter { $0.state == .pending }
        let cards: [HTML] = view.suggestions.map { mentor in
            """
            <li class="panel program-card">
              <h2><a href="\(base)/mentors/\(mentor.id.uuidString)">\(mentor.name)</a> \(availability(mentor))</h2>
              <p class="muted">\(mentor.department)\(mentor.expertise.isEmpty ? "" : " · \(mentor.expertise.prefix(4).joined(separator: ", "))")</p>
              <p>Match <strong>\(RunPages.score(mentor.score))</strong></p>
              \(reasonList(mentor.reasons))
            </li>
            """
        }
        let requests: [HTML] = view.requests.map { request in
            let withdraw: HTML = request.state == .pending ? """
            <form method="post" action="\(base)/requests/\(request.id.uuidString)/withdraw" class="inline">
              \(Layout.csrfField(context))
              <button type="submit" class="secondary" aria-label="Withdraw your request to \(request.otherName)">Withdraw</button>
            </form>
            """ : .empty
            let state: String = switch request.state {
            case .pending: "waiting for an answer until \(day(request.expiresAt))"
            case .accepted: "accepted"
            case .declined: "declined"
            case .withdrawn: "withdrawn"
            case .expired: "expired without an answer"
            }
            return "<li><a href=\"\(base)/mentors/\(request.otherID.uuidString)\">\(request.otherName)</a>: \(state)\(request.answer.isEmpty ? "" : " — “\(request.answer.excerpt(200))”") \(withdraw)</li>"
        }
        let waitlist: [HTML] = view.waitlist.map { place in
            """
            <li><a href="\(base)/mentors/\(place.mentorID.uuidString)">\(place.mentorName)</a>: \(place.placeOpened ? "a place opened: send your request now" : place.ahead == 0 ? "you are first in line" : "\(place.ahead) ahead of you")
              <form method="post" action="\(base)/waitlist/\(place.id.uuidString)/leave" class="inline">
                \(Layout.csrfField(context))
                <button type="submit" class="secondary" aria-label="Leave \(place.mentorName)'s waitlist">Leave</button>
              </form>
            </li>
            """
        }
        let matched: HTML = view.matchedWith.map { "<div class=\"notice\" role=\"status\">You are paired with \($0) in this program. <a href=\"/mentoring\">My mentoring</a></div>" } ?? .empty
        return Layout.page(context, title: "Find a mentor · \(program.name)", active: "programs", notice: view.notice, content: """
        <p><a href="\(base)">\(program.name)</a></p>
        <h1>Find a mentor</h1>
        \(errorBlock(view.error))
        \(matched)
        <p>Mentors of this program, best match for you first, with the reasons. You may have \(view.maximumOpenRequests) request\(view.maximumOpenRequests == 1 ? "" : "s") waiting at once (\(open.count) now).</p>
        \(view.requests.isEmpty ? HTML.empty : "<section class=\"panel\" aria-labelledby=\"requests-heading\"><h2 id=\"requests-heading\">Your requests</h2><ul>\(requests)</ul></section>")
        \(view.waitlist.isEmpty ? HTML.empty : "<section class=\"panel\" aria-labelledby=\"waitlist-heading\"><h2 id=\"waitlist-heading\">Your waitlist places</h2><ul>\(waitlist)</ul></section>")
        <form class="filters" method="get" action="\(base)/mentors" role="search" aria-label="Search mentors">
          \(Form.text("q", label: "Name or expertise", value: view.search, type: "search"))
          \(Form.select("department", label: "Department", options: [("", "Any")] + view.departments.map { ($0, $0) }, selected: view.department))
          <div class="field"><button type="submit" class="secondary">Search</button></div>
        </form>
        <p class="muted" role="status">\(view.total == 0 ? "No mentor matches." : "\(view.total) mentor\(view.total == 1 ? "" : "s")\(view.total > view.suggestions.count ? ", the best \(view.suggestions.count) shown" : "")")</p>
        <ul class="cards">\(cards)</ul>
        """)
    }

    static func mentor(_ context: PageContext, _ view: MentorView) -> HTML {
        let program = view.program
        let base = "/programs/\(program.id.uuidString)"
        let action: HTML
        if let partner = view.matchedWith {
            action = "<p>You are paired with \(partner) in this program.</p>"
        } else if !view.check.problems.isEmpty {
            action = "<p>You cannot ask this mentor in this program: \(view.check.problems.joined(separator: " "))</p>"
        } else if view.alreadyAsked {
            action = "<p>You have asked \(view.name); their answer is pending.</p>"
        } else if view.paused {
            action = "<p>\(view.name) is not taking new requests at the moment.</p>"
        } else if view.placesLeft == 0 {
            action = view.onWaitlist ? "<p>You are on \(view.name)'s waitlist. You will be told when a place opens.</p>" : """
            <p>\(view.name) has no place left (\(view.capacity) of \(view.capacity) taken). Join the waitlist and you will be told when a place opens, or <a href="\(base)/mentors">choose another mentor</a>.</p>
            <form method="post" action="\(base)/waitlist">
              \(Layout.csrfField(context))
              <input type="hidden" name="mentor" value="\(view.mentorID.uuidString)">
              <div class="actions"><button type="submit">Join the waitlist</button></div>
            </form>
            """
        } else {
            action = """
            <form method="post" action="\(base)/requests" novalidate>
              \(Layout.csrfField(context))
              <input type="hidden" name="mentor" value="\(view.mentorID.uuidString)">
              \(Form.textarea("note", label: "A note to \(view.name)", value: view.note, hint: "Say what you hope to learn. Your note is part of matching: \(view.name) reads it with your profile, and the program's managers may read it too. It is not part of your private mentoring space.", rows: 4, attributes: [Attribute(.maxlength, RequestRules.note.maximum)]))
              <div class="actions"><button type="submit">Ask \(view.name) to mentor you</button></div>
            </form>
            """
        }
        let reasons: HTML = view.check.reasons.isEmpty ? .empty : """
        <p>Your match: <strong>\(RunPages.score(view.check.score))</strong></p>
        <ul class="reasons">\(view.check.reasons.map { reason -> HTML in "<li>\(reason.sentence)</li>" })</ul>
        """
        return Layout.page(context, title: "\(view.name) · \(program.name)", active: "programs", notice: view.notice, content: """
        <p><a href="\(base)/mentors">All mentors</a></p>
        <h1>\(view.name)</h1>
        \(view.headline.isEmpty ? HTML.empty : "<p class=\"lead\">\(view.headline)</p>")
        \(errorBlock(view.error))
        <div class="grid">
          <section class="panel" aria-labelledby="about-heading">
            <h2 id="about-heading">About</h2>
            <p class="muted">\(view.department)</p>
            \(ProgramBits.paragraphs(view.bio))
            \(view.expertise.isEmpty ? HTML.empty : "<p>Expertise: \(view.expertise.joined(separator: ", "))</p>")
            <p><a href="/people/\(view.mentorID.uuidString)">Full profile</a></p>
          </section>
          <section class="panel" aria-labelledby="why-heading">
            <h2 id="why-heading">Why this mentor</h2>
            \(reasons)
          </section>
        </div>
        <section class="panel" aria-labelledby="ask-heading">
          <h2 id="ask-heading">Ask</h2>
          \(action)
        </section>
        """)
    }

    static func inbox(_ context: PageContext, _ view: InboxView) -> HTML {
        let program = view.program
        let base = "/programs/\(program.id.uuidString)"
        let full = view.mentees.count >= view.capacity
        let items: [HTML] = view.requests.map { request in
            """
            <li class="panel">
              <h2><a href="/people/\(request.menteeID.uuidString)">\(request.menteeName)</a></h2>
              <p class="muted">Asked \(day(request.createdAt)); expires \(day(request.expiresAt)). Match \(RunPages.score(request.score)).</p>
              \(request.note.isEmpty ? HTML.empty : "<blockquote>\(request.note)</blockquote>")
              <details><summary>Why you two</summary>\(reasonList(request.reasons, limit: 8))</details>
              <form method="post" action="\(base)/requests/\(request.id.uuidString)/accept" novalidate>
                \(Layout.csrfField(context))
                <div class="field">
                  <label for="message-\(request.id.uuidString)">A message with your answer (optional)</label>
                  <textarea id="message-\(request.id.uuidString)" name="message" rows="2" maxlength="\(String(RequestRules.answer.maximum))"></textarea>
                </div>
                <div class="actions">
                  <button type="submit" aria-label="Accept \(request.menteeName)">Accept</button>
                  <button type="submit" class="secondary" formaction="\(base)/requests/\(request.id.uuidString)/decline" aria-label="Decline \(request.menteeName)">Decline</button>
                </div>
              </form>
            </li>
            """
        }
        let mentees: [HTML] = view.mentees.map { "<li><a href=\"/mentorships/\($0.id.uuidString)\">\($0.name)</a></li>" }
        return Layout.page(context, title: "Requests · \(program.name)", active: "programs", notice: view.notice, content: """
        <p><a href="\(base)">\(program.name)</a></p>
        <h1>Your requests</h1>
        \(view.error.map { "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\"><h2>Nothing was changed</h2><p>\($0)</p></div>" as HTML } ?? .empty)
        <div class="grid">
          <div><div class="stat">\(view.mentees.count) of \(view.capacity)</div><p class="muted">places taken\(full ? " — you are full" : "")</p></div>
          <div><div class="stat">\(view.waitlist)</div><p class="muted">on your waitlist</p></div>
        </div>
        <section class="panel" aria-labelledby="availability-heading">
          <h2 id="availability-heading">Your availability</h2>
          <form method="post" action="\(base)/capacity" novalidate>
            \(Layout.csrfField(context))
            <div class="field">
              <label for="capacity">Mentees you take in this program</label>
              <p class="hint" id="capacity-hint">\(EnrolmentRules.capacity.allowed.prefix(1).uppercased() + EnrolmentRules.capacity.allowed.dropFirst()); raising it tells the first person on your waitlist.</p>
              <input id="capacity" name="capacity" type="number" min="\(String(EnrolmentRules.capacity.range.lowerBound))" max="\(String(EnrolmentRules.capacity.range.upperBound))" value="\(String(view.capacity))" aria-describedby="capacity-hint">
            </div>
            <div class="actions"><button type="submit" class="secondary">Change capacity</button></div>
          </form>
          <form method="post" action="\(base)/pause">
            \(Layout.csrfField(context))
            <input type="hidden" name="paused" value="\(view.paused ? "off" : "on")">
            <div class="actions"><button type="submit" class="secondary">\(view.paused ? "Take new requests again" : "Pause new requests")</button></div>
          </form>
          \(view.paused ? "<p class=\"muted\">New requests are paused: mentees see that you are not taking requests.</p>" as HTML : .empty)
        </section>
        \(view.mentees.isEmpty ? HTML.empty : "<section class=\"panel\" aria-labelledby=\"mentees-heading\"><h2 id=\"mentees-heading\">Your mentees</h2><ul>\(mentees)</ul></section>")
        \(view.requests.isEmpty ? "<p class=\"panel\">No request is waiting for your answer.</p>" as HTML : "<ul class=\"notification-list\">\(items)</ul>")
        """)
    }
}
