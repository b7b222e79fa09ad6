import Foundation
import TrellisCore

/// The pair's agreement: the latest version with its signatures, the form that writes a new
/// version, an earlier version, and what changed between two.
enum AgreementPages {
    /// The header every workspace page shares: who the pair are and where the reader is.
    static func header(_ pair: PairView, here: String) -> HTML {
        """
        <nav aria-label="Breadcrumb" class="breadcrumb"><a href="/mentoring">My mentoring</a> › <a href="\(pair.path)">\(pair.mentorName) and \(pair.menteeName)</a> › <span aria-current="page">\(here)</span></nav>
        """
    }

    static func moment(_ date: Date, in zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        let day = CalendarDay(year: parts.year ?? 2000, month: parts.month ?? 1, day: parts.day ?? 1).map(ProgramBits.day) ?? ""
        return "\(day), \(String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0))"
    }

    static func statusLine(_ status: AgreementStatus, pair: PairView) -> HTML {
        switch status {
        case .unwritten: return "<span class=\"badge state-draft\">Not written yet</span>"
        case .awaiting(let missing):
            let names = missing.map { $0 == pair.side ? "you" : pair.name(of: $0) }
            return "<span class=\"badge state-matching\">Waiting for \(names.joined(separator: " and "))</span>"
        case .signed: return "<span class=\"badge new\">Signed by both</span>"
        case .reviewDue: return "<span class=\"badge changed\">Review date reached</span>"
        }
    }

    static func signatures(_ version: AgreementVersion, pair: PairView) -> HTML {
        let lines: [HTML] = PairSide.allCases.map { side in
            let who = side == pair.side ? "You (\(pair.name(of: side)))" : pair.name(of: side)
            return version.signedAt(side).map { "<li>\(who) signed on \(moment($0, in: pair.timeZone)).</li>" as HTML }
                ?? "<li>\(who): <strong>not signed yet</strong>.</li>"
        }
        return "<ul class=\"signatures\">\(lines)</ul>"
    }

    /// Text as the pair wrote it: each line its own paragraph (goals are often one per line).
    static func lines(_ text: String) -> HTML {
        HTML.join(text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map { "<p>\($0)</p>" })
    }

    static func terms(_ terms: AgreementTerms) -> HTML {
        let rows: [HTML] = terms.fields.map { field in
            let isDay = field.field == "review_on" || field.field == "ends_on"
            let text: HTML = isDay ? "\(CalendarDay(field.text).map(ProgramBits.day) ?? field.text)"
                : field.text.isEmpty ? "<span class=\"muted\">Nothing written.</span>" : lines(field.text)
            return "<dt>\(field.label)</dt><dd>\(text)</dd>"
        }
        return "<dl class=\"facts agreement-terms\">\(rows)</dl>"
    }

    struct Overview: Sendable {
        var pair: PairView
        var versions: [AgreementVersion]
        var status: AgreementStatus
        var nextStep: String?
        var notice: String?
        var error: String?
    }

    static func overview(_ context: PageContext, _ view: Overview) -> HTML {
        let pair = view.pair
        let latest = view.versions.last
        let open = pair.state != .concluded
        let signForm: HTML = {
            guard let latest, open, latest.signedAt(pair.side) == nil else { return .empty }
            return """
            <form method="post" action="\(pair.path)/agreement/sign" class="inline">
              \(Layout.csrfField(context))
              <input type="hidden" name="version" value="\(latest.number)">
              <button type="submit">Sign version \(latest.number)</button>
            </form>
            """
        }()
        let versionItems: [HTML] = view.versions.reversed().map { version in
            let state: String = version.isSigned ? "signed by both" : version.hasSignature ? "signed by one" : "not signed"
            let compare: HTML = version.number > 1 ? " · <a href=\"\(pair.path)/agreement/changes?from=\(version.number - 1)&amp;to=\(version.number)\">what changed from version \(version.number - 1)</a>" : .empty
            return """
            <li><a href="\(pair.path)/agreement/versions/\(version.number)">Version \(version.number)</a> by \(version.writtenBy == pair.side ? "you" : pair.name(of: version.writtenBy)), \(moment(version.writtenAt, in: pair.timeZone)) · \(state)\(compare)</li>
            """
        }
        let body: HTML
        if let latest {
            body = """
            <section class="panel" aria-labelledby="latest-heading">
              <h2 id="latest-heading">Version \(latest.number) \(statusLine(view.status, pair: pair))</h2>
              \(terms(latest.terms))
              <h3>Signatures</h3>
              \(signatures(latest, pair: pair))
              <div class="actions">
                \(signForm)
                \(HTML.when(open, "<a class=\"button secondary\" href=\"\(pair.path)/agreement/edit\">Change the agreement</a>"))
              </div>
              \(HTML.when(open && latest.hasSignature, "<p class=\"hint\">A change makes version \(latest.number + 1), which both of you sign again. Version \(latest.number) stays readable.</p>"))
            </section>
            <section class="panel" aria-labelledby="versions-heading">
              <h2 id="versions-heading">All versions</h2>
              <ol class="versions" reversed>\(versionItems)</ol>
            </section>
            """
        } else {
            body = """
            <section class="panel" aria-labelledby="start-heading">
              <h2 id="start-heading">Write your agreement together</h2>
              <p>An agreement says how often you meet, how you keep in touch, what stays between you, what each of you wants from the mentorship, what is out of bounds, and when you look at it again. Trellis starts it from your profiles and the program; change anything.</p>
              \(HTML.when(open, "<p><a class=\"button\" href=\"\(pair.path)/agreement/edit\">Start the agreement</a></p>"))
            </section>
            """
        }
        return Layout.page(context, title: "Agreement · \(pair.mentorName) and \(pair.menteeName)", active: "mentoring", notice: view.notice, content: """
        \(header(pair, here: "Agreement"))
        <h1>Your mentoring agreement</h1>
        \(view.error.map { "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\"><h2>\($0)</h2></div>" as HTML } ?? .empty)
        \(view.nextStep.map { "<p class=\"panel next-step\">\($0)</p>" as HTML } ?? .empty)
        \(HTML.when(!open, "<p class=\"panel\">This mentorship has concluded. Its agreement stays here to read.</p>"))
        \(body)
        """)
    }

    struct Editor: Sendable {
        var pair: PairView
        var terms: AgreementTerms
        /// The latest version when the form was made (nil before the first).
        var basedOn: Int?
        /// Whether the latest version has a signature (a change then needs both to sign again).
        var signed: Bool
        var errors = ValidationErrors()
        var dateTexts: (review: String, ends: String)? = nil
        /// Someone saved a version while this one was being edited: what to read first.
        var conflict: String? = nil
    }

    static func editor(_ context: PageContext, _ view: Editor) -> HTML {
        let pair = view.pair
        let terms = view.terms
        let errors = view.errors
        let title = view.basedOn == nil ? "Write the agreement" : "Change the agreement"
        return Layout.page(context, title: "\(title) · \(pair.mentorName) and \(pair.menteeName)", active: "mentoring", content: """
        \(header(pair, here: title))
        <h1>\(title)</h1>
        \(Form.errorSummary(errors, message: "The agreement was not saved. Please correct the highlighted fields."))
        \(view.conflict.map { message in
            """
            <div class="error-summary" role="alert" tabindex="-1">
              <h2>Your changes were not saved yet</h2>
              <p>\(message)</p>
              \(view.basedOn.map { latest in "<p><a href=\"\(pair.path)/agreement/versions/\(latest)\">Read version \(latest)</a>\(latest > 1 ? " · <a href=\"\(pair.path)/agreement/changes?from=\(latest - 1)&amp;to=\(latest)\">what it changed</a>" as HTML : .empty). Your text is below, not saved: save it to make version \(latest + 1) from it.</p>" as HTML } ?? .empty)
            </div>
            """ as HTML
        } ?? .empty)
        \(view.basedOn.map { number in
            view.signed
                ? "<p class=\"panel next-step\">Saving makes version \(number + 1). It replaces version \(number) once you both sign it; version \(number) stays readable.</p>" as HTML
                : "<p class=\"panel next-step\">Saving makes version \(number + 1), for both of you to sign.</p>" as HTML
        } ?? "<p class=\"lead\">Trellis started this from your profiles and the program. Write it in your own words; \(pair.otherName) can change it too, and you both sign it.</p>")
        <form method="post" action="\(pair.path)/agreement" class="panel" novalidate>
          \(Layout.csrfField(context))
          <input type="hidden" name="based_on" value="\(view.basedOn.map(String.init) ?? "")">
          \(Form.select("meeting_frequency", label: "How often we meet", options: MeetingFrequency.allCases.map { ($0.rawValue, $0.label) }, selected: terms.meetingFrequency.rawValue, error: errors["meeting_frequency"]))
          \(Form.checkboxes("communication_methods", legend: "How we keep in touch", options: CommunicationMethod.allCases.map { ($0.rawValue, $0.label) }, checked: Set(terms.communicationMethods.map(\.rawValue)), error: errors["communication_methods"]))
          \(Form.textarea("confidentiality", label: "Confidentiality", value: terms.confidentiality, hint: "What stays between you, and when it would not.", error: errors["confidentiality"], rows: 3, attributes: [Attribute(.maxlength, String(AgreementRules.confidentiality.maximum))]))
          \(Form.textarea("mentee_goals", label: "\(pair.menteeName)'s goals and objectives (the mentee)", value: terms.menteeGoals, hint: "What the mentee wants from these months: one per line reads well.", error: errors["mentee_goals"], rows: 5, attributes: [Attribute(.maxlength, String(AgreementRules.menteeGoals.maximum))]))
          \(Form.textarea("mentor_goals", label: "\(pair.mentorName)'s goals (the mentor)", value: terms.mentorGoals, hint: "What the mentor wants to learn or give. Optional.", error: errors["mentor_goals"], rows: 3, attributes: [Attribute(.maxlength, String(AgreementRules.mentorGoals.maximum))]))
          \(Form.textarea("boundaries", label: "Boundaries", value: terms.boundaries, hint: "Topics, times or channels that are out of bounds. Optional.", error: errors["boundaries"], rows: 3, attributes: [Attribute(.maxlength, String(AgreementRules.boundaries.maximum))]))
          <div class="form-columns">
            \(Form.text("review_on", label: "Review date", value: view.dateTexts?.review ?? terms.reviewOn.description, type: "date", hint: "When you read it again together and realign expectations.", error: errors["review_on"], required: true))
            \(Form.text("ends_on", label: "End date", value: view.dateTexts?.ends ?? terms.endsOn.description, type: "date", hint: "The mentorship's formal end.", error: errors["ends_on"], required: true))
          </div>
          <div class="actions">
            <button type="submit">Save\(view.basedOn.map { " as version \($0 + 1)" } ?? " version 1")</button>
            <a href="\(pair.path)/agreement">Cancel</a>
          </div>
        </form>
        """)
    }

    static func version(_ context: PageContext, pair: PairView, version: AgreementVersion, latest: Int) -> HTML {
        Layout.page(context, title: "Agreement version \(version.number)", active: "mentoring", content: """
        \(header(pair, here: "Version \(version.number)"))
        <h1>Agreement, version \(version.number)</h1>
        <p class="lead">Written by \(version.writtenBy == pair.side ? "you" : pair.name(of: version.writtenBy)) on \(moment(version.writtenAt, in: pair.timeZone)).\(version.number == latest ? " This is the latest version." : " Version \(latest) replaced it.")</p>
        <section class="panel">
          \(terms(version.terms))
          <h2>Signatures</h2>
          \(signatures(version, pair: pair))
        </section>
        <p>\(HTML.when(version.number > 1, "<a href=\"\(pair.path)/agreement/changes?from=\(version.number - 1)&amp;to=\(version.number)\">What changed from version \(version.number - 1)</a> · "))<a href="\(pair.path)/agreement">The agreement</a></p>
        """)
    }

    static func changes(_ context: PageContext, pair: PairView, from: AgreementVersion, to: AgreementVersion, versions: [Int]) -> HTML {
        let changed = AgreementRules.changes(from: from.terms, to: to.terms)
        let rows: [HTML] = changed.map { change in
            // Days read as the rest of the agreement shows them; blank lines between paragraphs are left out.
            let isDay = change.field == "review_on" || change.field == "ends_on"
            let shown = { (text: String) in isDay ? CalendarDay(text).map(ProgramBits.day) ?? text : text }
            let lines: [HTML] = TextDiff.lines(from: shown(change.before), to: shown(change.after)).filter { line in
                switch line { case .kept(let text), .removed(let text), .added(let text): !text.trimmingCharacters(in: .whitespaces).isEmpty }
            }.map { line in
                switch line {
                case .kept(let text): return "<li class=\"kept\">\(text.isEmpty ? " " : text)</li>"
                case .removed(let text): return "<li class=\"removed\"><del><span class=\"visually-hidden\">Removed: </span>\(text.isEmpty ? " " : text)</del></li>"
                case .added(let text): return "<li class=\"added\"><ins><span class=\"visually-hidden\">Added: </span>\(text.isEmpty ? " " : text)</ins></li>"
                }
            }
            return "<section class=\"change\"><h2>\(change.label)</h2><ul class=\"diff\">\(lines)</ul></section>"
        }
        let options = versions.map { (String($0), "Version \($0)") }
        return Layout.page(context, title: "What changed: version \(from.number) to \(to.number)", active: "mentoring", content: """
        \(header(pair, here: "What changed"))
        <h1>What changed from version \(from.number) to version \(to.number)</h1>
        <form method="get" action="\(pair.path)/agreement/changes" class="filters panel">
          \(Form.select("from", label: "From", options: options, selected: String(from.number)))
          \(Form.select("to", label: "To", options: options, selected: String(to.number)))
          <div class="field"><button type="submit" class="secondary">Compare</button></div>
        </form>
        <div class="panel">\(changed.isEmpty ? "<p>The two versions say the same.</p>" as HTML : HTML.join(rows))</div>
        <p><a href="\(pair.path)/agreement">The agreement</a></p>
        """)
    }
}
