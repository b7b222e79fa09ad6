import Foundation
import TrellisCore
import TrellisMatching

/// A program as its pages list and head it: plain values made by `ProgramsController`.
struct ProgramSummary: Sendable {
    var id: UUID
    var name: String
    var purpose: String
    var mode: MatchingMode
    var state: ProgramState
    var enrolmentOpens: CalendarDay?
    var enrolmentCloses: CalendarDay?
    var starts: CalendarDay?
    var ends: CalendarDay?
    var mentors: Int
    var mentees: Int
    /// The viewer's role in it, if they are enrolled.
    var myRole: ProgramRole?
    /// Whether the viewer may join it today.
    var canJoin: Bool
}

/// Pieces the program pages share.
enum ProgramBits {
    static let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]

    /// "1 March 2027"
    static func day(_ day: CalendarDay) -> String { "\(day.day) \(months[day.month - 1]) \(day.year)" }

    static func stateBadge(_ state: ProgramState) -> HTML {
        "<span class=\"badge state-\(state.rawValue)\">\(state.label)</span>"
    }

    /// The enrolment window and the program's dates, as sentences; blank parts left out.
    static func dates(_ program: ProgramSummary) -> HTML {
        var lines: [String] = []
        switch (program.enrolmentOpens, program.enrolmentCloses) {
        case let (opens?, closes?): lines.append("Enrolment: \(day(opens)) to \(day(closes)).")
        case let (opens?, nil): lines.append("Enrolment opens \(day(opens)).")
        case let (nil, closes?): lines.append("Enrolment closes \(day(closes)).")
        case (nil, nil): break
        }
        switch (program.starts, program.ends) {
        case let (starts?, ends?): lines.append("Runs from \(day(starts)) to \(day(ends)).")
        case let (starts?, nil): lines.append("Starts \(day(starts)).")
        case let (nil, ends?): lines.append("Ends \(day(ends)).")
        case (nil, nil): break
        }
        return lines.isEmpty ? .empty : "<p class=\"muted\">\(lines.joined(separator: " "))</p>"
    }

    /// Paragraphs of stored text (blank lines between them).
    static func paragraphs(_ text: String) -> HTML {
        HTML.join(text.components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { "<p>\($0)</p>" })
    }
}

/// The programs page: for a participant, the programs open for enrolment and their own; for a
/// program manager, every program and a way to create one.
enum ProgramListPage {
    static func render(_ context: PageContext, programs: [ProgramSummary], notice: String? = nil) -> HTML {
        let isAdmin = context.viewer?.isAdmin == true
        let cards: [HTML] = programs.map { program in
            let mine: HTML = program.myRole.map { "<p><span class=\"badge new\">You are a \($0.rawValue)</span></p>" } ?? .empty
            let counts: HTML = isAdmin ? "<p class=\"muted\">\(program.mentors) mentor\(program.mentors == 1 ? "" : "s"), \(program.mentees) mentee\(program.mentees == 1 ? "" : "s")</p>" : .empty
            return """
            <li class="panel program-card">
              <h2><a href="/programs/\(program.id.uuidString)">\(program.name)</a> \(ProgramBits.stateBadge(program.state))</h2>
              \(program.purpose.isEmpty ? HTML.empty : "<p>\(program.purpose)</p>")
              <p class="muted">\(program.mode.label)</p>
              \(ProgramBits.dates(program))
              \(counts)
              \(mine)
              \(program.canJoin ? "<p><a class=\"button\" href=\"/programs/\(program.id.uuidString)#join\">Join this program</a></p>" as HTML : .empty)
            </li>
            """
        }
        let empty: HTML = isAdmin
            ? "<p class=\"panel\">No programs yet. Create the first one: give it a name and a purpose, choose how pairs are made, then open enrolment.</p>"
            : "<p class=\"panel\">No program is open for enrolment right now, and you are not in one. Your program manager will tell you when one opens; meanwhile, a complete <a href=\"/profile\">profile</a> gets you better matches.</p>"
        return Layout.page(context, title: "Programs", active: "programs", notice: notice, content: """
        <div class="actions"><h1>Programs</h1>\(isAdmin ? "<a class=\"button\" href=\"/admin/programs/new\">New program</a>" as HTML : .empty)</div>
        \(programs.isEmpty ? empty : "<ul class=\"cards\">\(programs.isEmpty ? [] : cards)</ul>")
        """)
    }
}

/// Creating or editing a program's settings, with each factor's weight beside what it rewards.
enum ProgramFormPage {
    static func render(_ context: PageContext, programID: UUID?, state: ProgramState?, form: ProgramForm, errors: ValidationErrors) -> HTML {
        let action = programID.map { "/admin/programs/\($0.uuidString)/edit" } ?? "/admin/programs"
        let title = programID == nil ? "New program" : "Program settings"
        let modes: [HTML] = MatchingMode.allCases.map { mode in
            let checked = (form.mode ?? MatchingMode.bulk.rawValue) == mode.rawValue
            return """
            <label class="choice"><input type="radio" name="mode" value="\(mode.rawValue)"\(HTML.when(mode == .bulk, " id=\"mode\""))\(HTML.when(checked, " checked")) aria-describedby="mode-\(mode.rawValue)-hint"> \(mode.label)</label>
            <p class="hint" id="mode-\(mode.rawValue)-hint">\(mode.explanation)</p>
            """
        }
        // An unreadable value sent back shows the default chosen, not an unanswered group.
        let place = MeetingsPlace(rawValue: form.meetings ?? "") ?? .trellis
        let places: [HTML] = MeetingsPlace.allCases.map { choice in
            "<label class=\"choice\"><input type=\"radio\" name=\"meetings\" value=\"\(choice.rawValue)\"\(HTML.when(choice == .trellis, " id=\"meetings\""))\(HTML.when(choice == place, " checked"))> \(choice.label)</label>"
        }
        let defaults = MatchWeights()
        let weights: [HTML] = MatchWeights.factors.map { factor in
            let field = ProgramForm.weightField(factor)
            let value = form.weightTexts[factor.key] ?? ProgramForm.decimal(defaults[keyPath: factor.keyPath])
            return Form.text(field, label: factor.label, value: value, hint: "\(factor.explanation) Default \(ProgramForm.decimal(defaults[keyPath: factor.keyPath])).",
                             error: errors[field], attributes: [Attribute(.inputmode, "decimal")])
        }
        let stateLine: HTML = state.map { "<p>This program is \(ProgramBits.stateBadge($0)). Some settings are fixed once pairs are being made or published.</p>" } ?? .empty
        return Layout.page(context, title: title, active: "programs", content: """
        <h1>\(title)</h1>
        \(stateLine)
        \(Form.errorSummary(errors))
        <form method="post" action="\(action)" novalidate class="program-form">
          \(Layout.csrfField(context))
          <section class="panel" aria-labelledby="about-heading">
            <h2 id="about-heading">About the program</h2>
            \(Form.text("name", label: "Name", value: form.name ?? "", error: errors["name"], required: true, attributes: [Attribute(.maxlength, ProgramRules.name.maximum)]))
            \(Form.textarea("purpose", label: "Purpose", value: form.purpose ?? "", hint: "Why the program exists, in a sentence or two: participants see it when they join.", error: errors["purpose"], rows: 2))
            \(Form.textarea("description", label: "Description", value: form.description ?? "", hint: "What taking part involves: how long, how often pairs meet, what support there is.", error: errors["description"]))
          </section>
          <section class="panel" aria-labelledby="mode-heading">
            <h2 id="mode-heading">How pairs are made</h2>
            <fieldset class="field choices\(errors["mode"] == nil ? "" : " has-error")">
              <legend>Matching mode</legend>
              \(Form.messages("mode", hint: nil, error: errors["mode"]))
              \(modes)
              <p class="hint">Programs where both sides rank each other and a stable match is made are coming in a later version.</p>
            </fieldset>
            <fieldset class="field choices\(errors["meetings"] == nil ? "" : " has-error")" aria-describedby="meetings-hint\(errors["meetings"] == nil ? "" : " meetings-error")">
              <legend>Where pairs meet</legend>
              \(Form.messages("meetings", hint: "This can change at any time: meetings already planned stay as they are.", error: errors["meetings"]))
              \(places)
            </fieldset>
          </section>
          <section class="panel" aria-labelledby="dates-heading">
            <h2 id="dates-heading">Dates</h2>
            <p class="hint">Any of these may stay blank. Participants can join between the two enrolment days, inclusive.</p>
            <div class="form-columns">
              \(Form.text("enrolment_opens", label: "Enrolment opens", value: form.enrolment_opens ?? "", type: "date", error: errors["enrolment_opens"]))
              \(Form.text("enrolment_closes", label: "Enrolment closes", value: form.enrolment_closes ?? "", type: "date", error: errors["enrolment_closes"]))
              \(Form.text("starts", label: "Program starts", value: form.starts ?? "", type: "date", error: errors["starts"]))
              \(Form.text("ends", label: "Program ends", value: form.ends ?? "", type: "date", error: errors["ends"]))
            </div>
          </section>
          <section class="panel" aria-labelledby="rules-heading">
            <h2 id="rules-heading">Rules</h2>
            <div class="field"><label class="choice"><input type="checkbox" name="exclude_same_department"\(HTML.when(form.exclude_same_department == "on", " checked"))> Never pair two people of the same department</label></div>
            <div class="field"><label class="choice"><input type="checkbox" name="allow_repeat_pairs"\(HTML.when(form.allow_repeat_pairs == "on", " checked"))> Allow pairs who worked together before to be matched again</label></div>
            <div class="form-columns">
              \(Form.text("minimum_score", label: "Minimum score", value: form.minimum_score ?? "0", hint: "From 0 to 1: pairs scoring below it are never made.", error: errors["minimum_score"], attributes: [Attribute(.inputmode, "decimal")]))
              \(Form.text("maximum_open_requests", label: "Open requests per mentee", value: form.maximum_open_requests ?? String(ProgramRules.defaultOpenRequests), type: "number", hint: "Mentees choosing their mentor: requests waiting at once, \(ProgramRules.openRequests.allowed).", error: errors["maximum_open_requests"], attributes: [Attribute(.min, ProgramRules.openRequests.range.lowerBound), Attribute(.max, ProgramRules.openRequests.range.upperBound)]))
              \(Form.text("request_expiry_days", label: "Days before a request expires", value: form.request_expiry_days ?? String(ProgramRules.defaultExpiryDays), type: "number", hint: "\(ProgramRules.expiryDays.allowed.prefix(1).uppercased() + ProgramRules.expiryDays.allowed.dropFirst()).", error: errors["request_expiry_days"], attributes: [Attribute(.min, ProgramRules.expiryDays.range.lowerBound), Attribute(.max, ProgramRules.expiryDays.range.upperBound)]))
            </div>
          </section>
          <section class="panel" aria-labelledby="weights-heading">
            <h2 id="weights-heading">What makes a good match</h2>
            <p class="hint">Each factor's weight against the others (they are scaled to add up to one). A weight of 0 leaves a factor out.</p>
            <div class="form-columns">\(weights)</div>
          </section>
          <div class="actions"><button type="submit">\(programID == nil ? "Create program" : "Save settings")</button>\(programID.map { "<a href=\"/programs/\($0.uuidString)\">Cancel</a>" as HTML } ?? "<a href=\"/programs\">Cancel</a>")</div>
        </form>
        """)
    }
}

/// What a program's page shows, made by `ProgramsController`.
struct ProgramView: Sendable {
    /// A state the manager can move the program to from here, with the button's words.
    struct Move: Sendable {
        var to: ProgramState
        var label: String
        /// Why it cannot be done now, shown instead of the button.
        var blocked: String?
    }

    var program: ProgramSummary
    var description: String
    var excludeSameDepartment: Bool
    var minimumScore: Double
    var allowRepeatPairs: Bool
    var maximumOpenRequests: Int
    var requestExpiryDays: Int
    var meetingsInTrellis: Bool = true
    /// Program managers: whether any pair was made yet (self-select makes them while matching).
    var hasPairs = false
    var weights: MatchWeights
    /// The viewer's own enrolment: their statement and whether they may still withdraw.
    var myStatement: String?
    var canWithdraw: Bool
    /// Why the viewer cannot join (when not enrolled and not joinable), for the join panel.
    var joinRefusal: String?
    /// The viewer's profile capacity, offered as the default when joining as a mentor.
    var profileCapacity: Int?
    /// Program managers: the moves from this state.
    var moves: [Move]
    var joinErrors: ValidationErrors
    var joinInput: ProgramsController.JoinInput
    var stateError: String?
    /// Program managers: the newest run's number and state, if any.
    var latestRun: (number: Int, state: MatchRun.State, published: Bool, stale: Bool)? = nil
    /// Program managers of a preference program: how far the rankings have come (numbers only).
    var rankingProgress: Rankings.Progress? = nil
    /// Program managers of a self-select program: its requests in numbers (never who asked whom).
    var selfSelectFigures: SelfSelectStats.Figures? = nil
}

/// One program's page: what it is, where it is, and what the viewer does next.
enum ProgramPage {
    static func render(_ context: PageContext, _ view: ProgramView, notice: String? = nil) -> HTML {
        let program = view.program
        let isAdmin = context.viewer?.isAdmin == true
        let manage: HTML = isAdmin ? manager(context, view) : .empty
        return Layout.page(context, title: program.name, active: "programs", notice: notice, content: """
        <p><a href="/programs">All programs</a></p>
        <h1>\(program.name) \(ProgramBits.stateBadge(program.state))</h1>
        \(program.purpose.isEmpty ? HTML.empty : "<p class=\"lead\">\(program.purpose)</p>")
        \(manage)
        <div class="grid">
          <section class="panel" aria-labelledby="about-heading">
            <h2 id="about-heading">About</h2>
            \(ProgramBits.paragraphs(view.description))
            <p><strong>\(program.mode.label).</strong> \(program.mode.explanation)</p>
            \(ProgramBits.dates(program))
          </section>
          \(participation(context, view))
        </div>
        \(isAdmin ? settings(view) : .empty)
        """)
    }

    /// The manager's panel: the state, what to do next, the moves, the roster's numbers.
    static func manager(_ context: PageContext, _ view: ProgramView) -> HTML {
        let program = view.program
        let id = program.id.uuidString
        let moves: [HTML] = view.moves.map { move in
            if let blocked = move.blocked {
                return "<p class=\"muted\"><strong>\(move.label):</strong> \(blocked)</p>"
            }
            return """
            <form method="post" action="/admin/programs/\(id)/state">
              \(Layout.csrfField(context))
              <input type="hidden" name="to" value="\(move.to.rawValue)">
              <button type="submit"\(HTML.when(isBackward(from: program.state, to: move.to), " class=\"secondary\""))>\(move.label)</button>
            </form>
            """
        }
        let error: HTML = view.stateError.map { "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\"><h2>The program stays \(program.state.label.lowercased())</h2><p>\($0)</p></div>" } ?? .empty
        return """
        <section class="panel next-step" aria-labelledby="next-heading">
          <h2 id="next-heading">Next step</h2>
          <p>\(program.state.nextStep(mode: program.mode))</p>
          \(error)
          <div class="actions">\(moves)</div>
          \(matching(context, view))
          \(view.selfSelectFigures.map(requestFigures) ?? .empty)
          <div class="grid">
            <div><div class="stat">\(program.mentors)</div><p class="muted">mentors</p></div>
            <div><div class="stat">\(program.mentees)</div><p class="muted">mentees</p></div>
          </div>
          <div class="actions">
            <a class="button secondary" href="/admin/programs/\(id)/participants">Participants</a>
            \(HTML.when(view.hasPairs, "<a class=\"button secondary\" href=\"/admin/programs/\(id)/pairs\">Pairs and how they are going</a>"))
            <a class="button secondary" href="/admin/programs/\(id)/edit">Settings</a>
          </div>
        </section>
        """
    }

    /// A bulk program's runs: start one, the newest, all of them.
    static func matching(_ context: PageContext, _ view: ProgramView) -> HTML {
        let program = view.program
        let rankings: HTML = view.rankingProgress.map { progress in
            "<p>Rankings so far: \(progress.menteesRanked) of \(program.mentees) mentees have a shortlist; \(progress.mentorsRanked) of \(program.mentors) mentors have ranked the mentees who chose them.</p>"
        } ?? .empty
        guard program.mode != .selfSelect, program.state == .matching || view.latestRun != nil else { return rankings }
        let base = "/admin/programs/\(program.id.uuidString)/runs"
        let latest: HTML = view.latestRun.map { run in
            let state: String = switch (run.published, run.state) {
            case (true, _): "published"
            case (false, .queued): "waiting to start"
            case (false, .running): "running"
            case (false, .done): run.stale ? "finished but out of date (something changed since): run matching again" : "finished, waiting for your review"
            case (false, .failed): "failed"
            }
            return "<p>Run \(run.number) is \(state): <a href=\"\(base)/\(run.number)\">open it</a> · <a href=\"\(base)\">all runs</a></p>"
        } ?? .empty
        let start: HTML = program.state == .matching ? """
        <form method="post" action="\(base)">
          \(Layout.csrfField(context))
          <div class="actions"><button type="submit">\(view.latestRun == nil ? "Run matching" : "Run matching again")</button></div>
        </form>
        """ : .empty
        return "\(rankings)\(latest)\(start)"
    }

    /// A self-select program's requests in numbers, with what needs the manager's attention.
    static func requestFigures(_ figures: SelfSelectStats.Figures) -> HTML {
        var flags: [String] = []
        if figures.menteesIdle > 0 {
            flags.append("\(figures.menteesIdle) mentee\(figures.menteesIdle == 1 ? " has" : "s have") no mentor and no request waiting: remind them to choose.")
        }
        if figures.waitingLong > 0 {
            flags.append("\(figures.waitingLong) request\(figures.waitingLong == 1 ? " has" : "s have") waited more than half its time for an answer: remind the mentors.")
        }
        if figures.expired > 0 { flags.append("\(figures.expired) request\(figures.expired == 1 ? "" : "s") expired without an answer.") }
        let cells: [(Int, String)] = [
            (figures.pending, "waiting"), (figures.accepted, "accepted"), (figures.declined, "declined"), (figures.withdrawn, "withdrawn"),
            (figures.expired, "expired"), (figures.menteesMatched, "mentees matched"), (figures.mentorsFull, "mentors full"),
            (figures.mentorsPaused, "mentors paused"), (figures.waitlistPlaces, "on waitlists"),
        ]
        return """
        <h3>Requests</h3>
        <div class="grid">\(cells.map { "<div><div class=\"stat\">\($0.0.grouped)</div><p class=\"muted\">\($0.1)</p></div>" as HTML })</div>
        \(flags.isEmpty ? HTML.empty : "<ul class=\"flags\">\(flags.map { "<li>\($0)</li>" as HTML })</ul>")
        <p class="hint">Numbers only: who asked whom is between the mentee and the mentor.</p>
        """
    }

    static func isBackward(from: ProgramState, to: ProgramState) -> Bool {
        (ProgramState.allCases.firstIndex(of: to) ?? 0) < (ProgramState.allCases.firstIndex(of: from) ?? 0)
    }

    /// The viewer's place in the program: their enrolment and withdraw, or the join form.
    static func participation(_ context: PageContext, _ view: ProgramView) -> HTML {
        let program = view.program
        let id = program.id.uuidString
        if let role = program.myRole {
            let withdraw: HTML = view.canWithdraw ? """
            <form method="post" action="/programs/\(id)/withdraw">
              \(Layout.csrfField(context))
              <button type="submit" class="secondary">Withdraw from this program</button>
            </form>
            """ : .empty
            return """
            <section class="panel" aria-labelledby="you-heading" id="join">
              <h2 id="you-heading">You are a \(role.rawValue) in this program</h2>
              \(Form.errorSummary(view.joinErrors, message: "Nothing was changed."))
              \(view.myStatement.flatMap { $0.isEmpty ? nil : "<p>What you want from it: “\($0)”</p>" as HTML } ?? .empty)
              <p>Matching uses your <a href="/profile">profile</a>: the more complete it is, the better your match.</p>
              \(selfSelect(program, role: role))
              \(withdraw)
            </section>
            """
        }
        if !program.canJoin {
            guard let refusal = view.joinRefusal, context.viewer?.isAdmin != true else { return .empty }
            return "<section class=\"panel\" aria-labelledby=\"join-heading\" id=\"join\"><h2 id=\"join-heading\">Joining</h2><p>\(refusal)</p></section>"
        }
        let errors = view.joinErrors
        let input = view.joinInput
        return """
        <section class="panel" aria-labelledby="join-heading" id="join">
          <h2 id="join-heading">Join this program</h2>
          \(Form.errorSummary(errors))
          <form method="post" action="/programs/\(id)/join" novalidate>
            \(Layout.csrfField(context))
            \(Form.select("role", label: "Join as", options: ProgramRole.allCases.map { ($0.rawValue, $0.label) }, selected: input.role ?? ProgramRole.mentee.rawValue, error: errors["role"]))
            \(Form.text("capacity", label: "Mentees you can take (mentors)", value: input.capacity ?? view.profileCapacity.map(String.init) ?? "", type: "number", hint: "Mentors only, \(EnrolmentRules.capacity.allowed); blank uses your profile's.", error: errors["capacity"], attributes: [Attribute(.min, EnrolmentRules.capacity.range.lowerBound), Attribute(.max, EnrolmentRules.capacity.range.upperBound)]))
            \(Form.textarea("statement", label: "What you want from this program", value: input.statement ?? "", hint: "A few words for the program manager and, once matched, your partner. At most \(EnrolmentRules.statement.maximum.grouped) characters.", error: errors["statement"], rows: 3, attributes: [Attribute(.maxlength, EnrolmentRules.statement.maximum)]))
            <div class="actions"><button type="submit">Join</button></div>
          </form>
        </section>
        """
    }

    /// In a self-select program that is matching: the mentee's way to mentors, the mentor's inbox.
    static func selfSelect(_ program: ProgramSummary, role: ProgramRole) -> HTML {
        let base = "/programs/\(program.id.uuidString)"
        if program.mode == .preference, program.state != .draft {
            let open = program.state == .enrolling
            return role == .mentee
                ? "<p><a class=\"button\" href=\"\(base)/rankings\">\(open ? "Rank your mentors" : "Your shortlist")</a></p>"
                : "<p><a class=\"button\" href=\"\(base)/rankings\">\(open ? "Rank the mentees who chose you" : "Your ranking")</a></p>"
        }
        guard program.mode == .selfSelect, program.state == .matching || program.state == .active else { return .empty }
        return role == .mentee
            ? "<p><a class=\"button\" href=\"\(base)/mentors\">Find a mentor</a></p>"
            : "<p><a class=\"button\" href=\"\(base)/inbox\">Your requests</a></p>"
    }

    /// The rules and weights, for program managers.
    static func settings(_ view: ProgramView) -> HTML {
        let total = MatchWeights.factors.reduce(0.0) { $0 + view.weights[keyPath: $1.keyPath] }
        let rows: [HTML] = MatchWeights.factors.map { factor in
            let weight = view.weights[keyPath: factor.keyPath]
            let share = total > 0 ? Int((weight / total * 100).rounded()) : 0
            return "<tr><th scope=\"row\">\(factor.label)</th><td>\(ProgramForm.decimal(weight))</td><td>\(share)%</td><td>\(factor.explanation)</td></tr>"
        }
        let mode = view.program.mode
        return """
        <section class="panel" aria-labelledby="rules-heading">
          <h2 id="rules-heading">Rules and weights</h2>
          <ul>
            <li>\(view.excludeSameDepartment ? "Never pairs two people of the same department." : "People of the same department may be paired.")</li>
            <li>\(view.minimumScore > 0 ? "Pairs scoring below \(ProgramForm.decimal(view.minimumScore)) are never made." : "No minimum score.")</li>
            <li>\(view.allowRepeatPairs ? "Pairs who worked together before may be matched again." : "People are matched with someone new to them.")</li>
            <li>\(view.meetingsInTrellis ? "Pairs propose and plan their meetings in Trellis." : "Pairs meet outside Trellis: no meetings are proposed here.")</li>
            \(mode == .selfSelect ? "<li>A mentee may have \(view.maximumOpenRequests) requests waiting at once; a request expires after \(view.requestExpiryDays) days.</li>" as HTML : .empty)
          </ul>
          <div class="table-wrap" tabindex="0" role="region" aria-label="Factor weights">
            <table>
              <caption class="muted">What makes a good match in this program</caption>
              <thead><tr><th scope="col">Factor</th><th scope="col">Weight</th><th scope="col">Share</th><th scope="col">What it rewards</th></tr></thead>
              <tbody>\(rows)</tbody>
            </table>
          </div>
        </section>
        """
    }
}
