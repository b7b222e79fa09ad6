import Foundation
import TrellisCore
import TrellisMatching

/// Preference programs: a mentee's shortlist of mentors, and a mentor's ranking of the mentees
/// who chose them. Ordering works with plain forms (move up, move down, remove), so it needs no
/// script and works from the keyboard.
enum RankingPages {
    /// Someone on the page: in the viewer's ranking, or offered to be added.
    struct Person: Sendable {
        var id: UUID
        var name: String
        var department: String
        /// The viewer's rank of them (nil: not ranked yet).
        var rank: Int?
        /// A mentor's page: where this mentee put the mentor.
        var theirRank: Int?
        var score: Int64?
        var reasons: [(contribution: Int64, sentence: String)]
        var expertise: [String] = []
    }

    struct View: Sendable {
        var program: ProgramSummary
        var role: ProgramRole
        var ranked: [Person]
        /// Mentees: suggested mentors not on the shortlist (best first). Mentors: mentees who
        /// chose them and are not ranked yet.
        var candidates: [Person]
        var candidateTotal: Int
        /// Why the ranking cannot change now (nil: it can).
        var closed: String?
        var search: String
        var notice: String?
        var error: String?
    }

    static func page(_ context: PageContext, _ view: View) -> HTML {
        let program = view.program
        let base = "/programs/\(program.id.uuidString)/rankings"
        let isMentee = view.role == .mentee
        let maximum = RankingRules.maximum(for: view.role)
        let title = isMentee ? "Your shortlist of mentors" : "Rank the mentees who chose you"
        let error: HTML = view.error.map { "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\"><h2>Nothing was changed</h2><p>\($0)</p></div>" } ?? .empty
        let closed: HTML = view.closed.map { "<div class=\"notice\" role=\"status\">\($0)</div>" } ?? .empty
        let canEdit = view.closed == nil
        let ranked: [HTML] = view.ranked.enumerated().map { at, person in
            let controls: HTML = canEdit ? """
            <div class="actions">
              \(button(context, "\(base)/\(person.id.uuidString)/up", "Move up", label: "Move \(person.name) up", disabled: at == 0))
              \(button(context, "\(base)/\(person.id.uuidString)/down", "Move down", label: "Move \(person.name) down", disabled: at == view.ranked.count - 1))
              \(button(context, "\(base)/\(person.id.uuidString)/remove", "Remove", label: "Remove \(person.name) from your ranking", disabled: false))
            </div>
            """ : .empty
            return """
            <li class="panel program-card">
              <h3><span class="rank">\(StableExplanation.ordinal(at + 1))</span> \(person.name)</h3>
              \(details(person, isMentee: isMentee))
              \(controls)
            </li>
            """
        }
        let candidates: [HTML] = view.candidates.map { person in
            let add: HTML = canEdit ? """
            <form method="post" action="\(base)">
              \(Layout.csrfField(context))
              <input type="hidden" name="person" value="\(person.id.uuidString)">
              <button type="submit" class="secondary" aria-label="Add \(person.name) to your ranking">Add to your ranking</button>
            </form>
            """ : .empty
            return """
            <li class="panel program-card">
              <h3>\(person.name)</h3>
              \(details(person, isMentee: isMentee))
              \(add)
            </li>
            """
        }
        let explanation: HTML = isMentee
            ? "<p>Put up to \(maximum) mentors in the order you would like them, first choice first. Each mentor you choose sees that you chose them and where you put them, and ranks the mentees who chose them. When the window closes, a stable match is made: no mentee and mentor who both prefer each other are left apart.</p>"
            : "<p>These mentees put you on their shortlist. Rank the ones you would like to mentor, first choice first (up to \(maximum)); a mentee you leave out will not be paired with you. When the window closes, a stable match is made: no mentee and mentor who both prefer each other are left apart.</p>"
        let search: HTML = isMentee ? """
        <form class="filters" method="get" action="\(base)" role="search" aria-label="Search mentors">
          \(Form.text("q", label: "Name or expertise", value: view.search, type: "search"))
          <div class="field"><button type="submit" class="secondary">Search</button></div>
        </form>
        """ : .empty
        let candidatesHeading = isMentee ? "Suggested mentors" : "Mentees who chose you, not ranked yet"
        let emptyCandidates = isMentee
            ? (view.search.isEmpty ? "No other mentor of this program can be paired with you." : "No mentor matches.")
            : "Every mentee who chose you is in your ranking."
        let countLine = view.candidateTotal > view.candidates.count ? " (the best \(view.candidates.count) of \(view.candidateTotal.grouped) shown)" : ""
        return Layout.page(context, title: "\(title) · \(program.name)", active: "programs", notice: view.notice, content: """
        <p><a href="/programs/\(program.id.uuidString)">\(program.name)</a></p>
        <h1>\(title)</h1>
        \(error)
        \(closed)
        \(explanation)
        <section aria-labelledby="ranked-heading">
          <h2 id="ranked-heading">Your ranking (\(view.ranked.count) of at most \(maximum))</h2>
          \(view.ranked.isEmpty ? "<p class=\"muted\">Nobody yet.</p>" as HTML : "<ol class=\"cards ranking\">\(ranked)</ol>")
        </section>
        \(canEdit ? """
        <section aria-labelledby="candidates-heading">
          <h2 id="candidates-heading">\(candidatesHeading)</h2>
          \(search)
          <p class="muted" role="status">\(view.candidates.isEmpty ? emptyCandidates : "\(view.candidateTotal.grouped) to choose from\(countLine)")</p>
          <ul class="cards">\(candidates)</ul>
        </section>
        """ as HTML : .empty)
        """)
    }

    static func details(_ person: Person, isMentee: Bool) -> HTML {
        let about = [person.department] + (person.expertise.isEmpty ? [] : [person.expertise.prefix(4).joined(separator: ", ")])
        let theirs: HTML = person.theirRank.map { "<p>They put you \(StableExplanation.ordinal($0)) on their shortlist.</p>" } ?? .empty
        let score: HTML = person.score.map { "<p>Match <strong>\(RunPages.score($0))</strong></p>" } ?? .empty
        return """
        <p class="muted">\(about.filter { !$0.isEmpty }.joined(separator: " · "))</p>
        \(theirs)
        \(score)
        \(SelfSelectPages.reasonList(person.reasons))
        """
    }

    static func button(_ context: PageContext, _ action: String, _ text: String, label: String, disabled: Bool) -> HTML {
        """
        <form method="post" action="\(action)" class="inline">
          \(Layout.csrfField(context))
          <button type="submit" class="secondary" aria-label="\(label)"\(HTML.when(disabled, " disabled"))>\(text)</button>
        </form>
        """
    }
}
