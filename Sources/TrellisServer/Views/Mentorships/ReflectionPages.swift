import Foundation
import TrellisCore

/// Feedback and thank-you notes between the pair, and a person's private journal.
enum ReflectionPages {
    struct FeedbackLine: Sendable {
        var kind: FeedbackKind
        var author: String
        var mine: Bool
        var worked: String
        var better: String
        var message: String
        var at: Date
    }

    static func feedback(_ context: PageContext, pair: PairView, lines: [FeedbackLine], sent: [String: String] = [:], errors: ValidationErrors = .init(), notice: String? = nil) -> HTML {
        let items: [HTML] = lines.map { line in
            let body: HTML = line.kind == .thanks ? AgreementPages.lines(line.message) : """
            \(line.worked.isEmpty ? HTML.empty : "<h3>What worked</h3>\(AgreementPages.lines(line.worked))")
            \(line.better.isEmpty ? HTML.empty : "<h3>What could be better</h3>\(AgreementPages.lines(line.better))")
            """
            return """
            <li class="panel feedback \(line.kind.rawValue)">
              <p class="muted"><span class="badge\(line.kind == .thanks ? " new" : "")">\(line.kind.label)</span> \(line.mine ? "From you to \(pair.otherName)" : "From \(line.author) to you"), \(AgreementPages.moment(line.at, in: pair.timeZone))</p>
              \(body)
            </li>
            """
        }
        let kind = sent["kind"] ?? FeedbackKind.feedback.rawValue
        return Layout.page(context, title: "Feedback and thanks", active: "mentoring", notice: notice, content: """
        \(AgreementPages.header(pair, here: "Feedback and thanks"))
        <h1>Feedback and thanks</h1>
        <p class="lead">Honest feedback keeps a mentorship useful; a thank-you keeps it warm. \(pair.otherName) is told of each, and reads it here; nobody else can.</p>
        \(HTML.when(pair.state != .concluded, """
        <section class="panel" aria-labelledby="send-heading">
          <h2 id="send-heading">Send \(pair.otherName) a note</h2>
          \(Form.errorSummary(errors, message: "Nothing was sent. Please correct the highlighted field."))
          <form method="post" action="\(pair.path)/feedback" novalidate>
            \(Layout.csrfField(context))
            <fieldset class="field choices\(errors["kind"] == nil ? "" : " has-error")"><legend>Kind</legend>
              \(Form.messages("kind", hint: nil, error: errors["kind"]))
              <label class="choice"><input type="radio" name="kind" value="feedback" id="kind"\(HTML.when(kind != "thanks", " checked"))> Feedback</label>
              <label class="choice"><input type="radio" name="kind" value="thanks"\(HTML.when(kind == "thanks", " checked"))> Thank-you note</label>
            </fieldset>
            \(Form.textarea("worked", label: "What worked", value: sent["worked"] ?? "", hint: "For feedback: what helped, specifically.", error: errors["worked"], rows: 3, attributes: [Attribute(.maxlength, String(FeedbackRules.part.maximum))]))
            \(Form.textarea("better", label: "What could be better", value: sent["better"] ?? "", hint: "For feedback: one thing to try differently, kindly put.", error: errors["better"], rows: 3, attributes: [Attribute(.maxlength, String(FeedbackRules.part.maximum))]))
            \(Form.textarea("message", label: "What you are thankful for", value: sent["message"] ?? "", hint: "For a thank-you note: say what helped, in your own words.", error: errors["message"], rows: 3, attributes: [Attribute(.maxlength, String(FeedbackRules.thanks.maximum))]))
            <button type="submit">Send</button>
          </form>
        </section>
        """))
        <section aria-labelledby="sent-heading">
          <h2 id="sent-heading">Between you</h2>
          \(items.isEmpty ? "<p class=\"muted\">Nothing yet.</p>" as HTML : "<ul class=\"plain\">\(items)</ul>")
        </section>
        """)
    }

    static func journal(_ context: PageContext, pair: PairView, entries: [(prompt: String, text: String, at: Date)], sent: [String: String] = [:], errors: ValidationErrors = .init(), notice: String? = nil) -> HTML {
        let items: [HTML] = entries.map { entry in
            """
            <li class="panel journal-entry">
              <p class="muted">\(AgreementPages.moment(entry.at, in: pair.timeZone)) · \(Journal.prompt(entry.prompt) ?? "")</p>
              \(AgreementPages.lines(entry.text))
            </li>
            """
        }
        return Layout.page(context, title: "My journal", active: "mentoring", notice: notice, content: """
        \(AgreementPages.header(pair, here: "My journal"))
        <h1>My reflection journal</h1>
        <p class="lead">Private: only you can ever read it — not \(pair.otherName), not the program team, not an administrator. Entries are stored sealed.</p>
        <section class="panel" aria-labelledby="write-heading">
          <h2 id="write-heading">Write an entry</h2>
          \(Form.errorSummary(errors, message: "The entry was not saved. Please correct the highlighted field."))
          <form method="post" action="\(pair.path)/journal" novalidate>
            \(Layout.csrfField(context))
            \(Form.select("prompt", label: "Prompt", options: Journal.prompts.map { ($0.key, $0.text) }, selected: sent["prompt"] ?? Journal.prompts[0].key, error: errors["prompt"]))
            \(Form.textarea("entry", label: "Entry", value: sent["entry"] ?? "", error: errors["entry"], rows: 6, attributes: [Attribute(.maxlength, String(Journal.entry.maximum))]))
            <button type="submit">Save the entry</button>
          </form>
        </section>
        <section aria-labelledby="entries-heading">
          <h2 id="entries-heading">Entries</h2>
          \(items.isEmpty ? "<p class=\"muted\">No entries yet.</p>" as HTML : "<ul class=\"plain\">\(items)</ul>")
        </section>
        """)
    }
}
