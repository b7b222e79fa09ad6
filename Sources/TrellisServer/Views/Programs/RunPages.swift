import Foundation
import TrellisCore
import TrellisMatching

/// What a run's page shows, made by `MatchRunsController`.
struct RunView: Sendable {
    struct Run: Sendable {
        var number: Int
        var state: MatchRun.State
        var phase: String
        var progress: Double
        var mentors: Int
        var mentees: Int
        var matched: Int
        var totalScore: Int64
        var greedyTotal: Int64
        var greedyMatched: Int
        /// For a stable run: checked stable (no pair would both rather be together).
        var provenOptimal: Bool
        var algorithm: MatchRun.Algorithm
        var message: String
        var createdAt: Date
        var finishedAt: Date?
        var publishedAt: Date?

        init(_ run: MatchRun) {
            number = run.number; state = run.runState; phase = run.phase; progress = run.progress
            mentors = run.mentors; mentees = run.mentees; matched = run.matched; totalScore = run.totalScore
            greedyTotal = run.greedyTotal; greedyMatched = run.greedyMatched; provenOptimal = run.provenOptimal
            algorithm = run.runAlgorithm
            message = run.message; createdAt = run.createdAt; finishedAt = run.finishedAt; publishedAt = run.publishedAt
        }

        var averageScore: Double { matched == 0 ? 0 : ScoreUnits.value(totalScore) / Double(matched) }
    }

    struct Decision: Sendable {
        var id: UUID
        var kind: MatchDecision.Kind
        var mentee: String
        var mentor: String
    }

    var program: ProgramSummary
    var run: Run
    /// Why this run no longer matches the program (nil: current).
    var staleness: String?
    /// The program's pairs are published (by this run or another).
    var published: Bool
    var page: RunResults.Page?
    var filterError: String?
    var decisions: [Decision]
    var notice: String?
    var error: String?
}

/// A matching run's pages: progress, result with review, the list of runs, comparison, and a
/// pair's check ("why not", a manual pair).
enum RunPages {
    static func score(_ micro: Int64) -> String { String(format: "%.2f", ScoreUnits.value(micro)) }

    static func runsBase(_ program: ProgramSummary) -> String { "/admin/programs/\(program.id.uuidString)/runs" }

    static func header(_ program: ProgramSummary, _ title: String) -> HTML {
        """
        <p><a href="/programs/\(program.id.uuidString)">\(program.name)</a> · <a href="\(runsBase(program))">All runs</a></p>
        <h1>\(title)</h1>
        """
    }

    static func run(_ context: PageContext, _ view: RunView) -> HTML {
        let run = view.run
        let program = view.program
        let title = "Matching run \(run.number)"
        let errorBlock: HTML = view.error.map { "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\"><h2>Nothing was changed</h2><p>\($0)</p></div>" } ?? .empty
        switch run.state {
        case .queued, .running:
            let percent = Int((run.progress * 100).rounded())
            return Layout.page(context, title: title, active: "programs", notice: view.notice, refreshSeconds: 2, content: """
            \(header(program, title))
            <section class="panel" aria-labelledby="progress-heading">
              <h2 id="progress-heading">\(run.state == .queued ? "Waiting to start" : "Matching \(run.mentees.grouped) mentees with \(run.mentors.grouped) mentors")</h2>
              <p><label for="run-progress">\(run.phase.prefix(1).uppercased() + run.phase.dropFirst()): \(percent)%</label></p>
              <progress id="run-progress" max="100" value="\(percent)">\(percent)%</progress>
              <p class="muted">This page refreshes itself every two seconds. You can leave it: the run goes on, and its result stays here.</p>
            </section>
            """)
        case .failed:
            return Layout.page(context, title: title, active: "programs", content: """
            \(header(program, title))
            <div class="error-summary" role="alert" tabindex="-1"><h2>This run failed; nothing was changed</h2><p>\(run.message)</p></div>
            \(startForm(context, program, label: "Run matching again"))
            """)
        case .done:
            break
        }
        let unmatched = run.mentees - run.matched
        let stable = run.algorithm == .stable
        let greedyGap: HTML = {
            if stable {
                let gap = run.greedyTotal - run.totalScore
                guard gap > 0 else {
                    return "<p>Pairing by score alone (the proven best total) would not do better: \(run.greedyMatched.grouped) matched, total score \(score(run.greedyTotal)).</p>"
                }
                let share = run.greedyTotal > 0 ? Double(gap) / Double(run.greedyTotal) * 100 : 0
                return "<p>Pairing by score alone, ignoring the rankings, would match \(run.greedyMatched.grouped) with a total score of \(score(run.greedyTotal)): following what people asked for costs \(score(gap)) of score (\(String(format: "%.1f", share))%).</p>"
            }
            guard run.greedyTotal > 0 || run.greedyMatched > 0 else { return "<p>A greedy match (best pair first) made no pairs.</p>" }
            let gap = run.totalScore - run.greedyTotal
            let share = run.greedyTotal > 0 ? Double(gap) / Double(run.greedyTotal) * 100 : 0
            if gap <= 0 {
                return "<p>A greedy match (best pair first) would have done as well here: \(run.greedyMatched.grouped) matched, total score \(score(run.greedyTotal)). Larger or tighter programs are where the proven best pulls ahead.</p>"
            }
            return "<p>A greedy match (best pair first) would have matched \(run.greedyMatched.grouped) with a total score of \(score(run.greedyTotal)): this run's total is \(score(gap)) higher (\(String(format: "%.1f", share))% better).</p>"
        }()
        let publishBlock: HTML
        if run.publishedAt != nil {
            publishBlock = "<p class=\"notice\">This run was published: its pairs are mentorships.</p>"
        } else if view.published {
            publishBlock = "<p>Another run of this program was published.</p>"
        } else if let stale = view.staleness {
            publishBlock = """
            <div class="error-summary" role="status"><h2>This run is out of date</h2><p>\(stale)</p></div>
            \(startForm(context, program, label: "Run matching again"))
            """
        } else if program.state == .matching {
            publishBlock = """
            <form method="post" action="\(runsBase(program))/\(run.number)/publish">
              \(Layout.csrfField(context))
              <p>Publishing makes every pair a mentorship, tells both people, and starts the program. It cannot be undone.</p>
              <div class="actions"><button type="submit">Publish \(run.matched.grouped) pair\(run.matched == 1 ? "" : "s")</button>\(startForm(context, program, label: "Run again", inline: true))</div>
            </form>
            """
        } else {
            publishBlock = .empty
        }
        return Layout.page(context, title: title, active: "programs", notice: view.notice, content: """
        \(header(program, title))
        \(errorBlock)
        <section class="panel" aria-labelledby="totals-heading">
          <h2 id="totals-heading">Result</h2>
          <div class="grid">
            <div><div class="stat">\(run.matched.grouped)</div><p class="muted">of \(run.mentees.grouped) mentees matched</p></div>
            <div><div class="stat">\(unmatched.grouped)</div><p class="muted">unmatched</p></div>
            <div><div class="stat">\(String(format: "%.2f", run.averageScore))</div><p class="muted">average score (0 to 1)</p></div>
            <div><div class="stat">\(run.provenOptimal ? "Yes" : "No")</div><p class="muted">\(stable ? "stable" : "proven the best total")</p></div>
          </div>
          <p>\(stable
            ? (run.provenOptimal
                ? "This match is stable: every pair was checked, and no mentee and mentor who ranked each other would both rather be together than with what they got. Among stable matches it is the best for mentees."
                : "This match is not fully stable: locked or hand-made pairs keep some mentee and mentor apart who would both rather be together. Use “why not” on a pair to see who.")
            : (run.provenOptimal ? "No other set of pairs under the program's rules has a higher total score: a dual certificate proves it." : "The engine could not prove this is the best total; it is its best answer."))</p>
          \(greedyGap)
          \(publishBlock)
        </section>
        \(view.page.map { results(context, view, $0) } ?? .empty)
        \(review(context, view))
        """)
    }

    static func startForm(_ context: PageContext, _ program: ProgramSummary, label: String, inline: Bool = false) -> HTML {
        let button: HTML = "<button type=\"submit\" class=\"secondary\">\(label)</button>"
        return """
        <form method="post" action="\(runsBase(program))"\(HTML.when(inline, " class=\"inline\""))>
          \(Layout.csrfField(context))
          \(inline ? button : "<div class=\"actions\">\(button)</div>")
        </form>
        """
    }

    /// The proposal, a page at a time, with filters and each pair's reasons and review buttons.
    static func results(_ context: PageContext, _ view: RunView, _ page: RunResults.Page) -> HTML {
        let program = view.program
        let base = "\(runsBase(program))/\(view.run.number)"
        let filter = page.filter
        func link(after: Int? = nil, before: Int? = nil, show: RunResults.Show? = nil) -> String {
            var items: [(String, String)] = [("show", (show ?? filter.show).rawValue)]
            if show == nil {
                items.append(("order", filter.order.rawValue))
                if !filter.department.isEmpty { items.append(("department", filter.department)) }
                if let maximum = filter.maximumScore { items.append(("max_score", ProgramForm.decimal(maximum))) }
                if let after { items.append(("after", String(after))) }
                if let before { items.append(("before", String(before))) }
            }
            return QueryLink.make(base, items)
        }
        let editable = program.state == .matching && !view.published
        let rows: [HTML] = page.rows.map { row in
            let reasons: HTML = row.reasons.isEmpty ? .empty : """
            <details><summary>Why</summary><ul class="reasons">\(row.reasons.map { reason -> HTML in
                "<li>\(reason.contribution > 0 ? "+\(score(reason.contribution)) " : "")\(reason.sentence)</li>"
            })</ul></details>
            """
            guard let mentorID = row.mentorID, let mentorName = row.mentorName else {
                return """
                <tr>
                  <td>\(row.menteeName)<br><span class="muted">\(row.menteeDepartment)</span></td>
                  <td data-label="Reason" colspan="3">\(row.reasons.first?.sentence ?? "")</td>
                  <td><a href="\(QueryLink.make("/admin/programs/\(program.id.uuidString)/why-not", [("mentee", row.menteeID.uuidString)]))">Find a mentor</a></td>
                </tr>
                """
            }
            func decision(_ kind: MatchDecision.Kind, _ label: String, _ aria: String) -> HTML {
                """
                <form method="post" action="/admin/programs/\(program.id.uuidString)/decisions" class="inline">
                  \(Layout.csrfField(context))
                  <input type="hidden" name="mentee" value="\(row.menteeID.uuidString)">
                  <input type="hidden" name="mentor" value="\(mentorID.uuidString)">
                  <input type="hidden" name="kind" value="\(kind.rawValue)">
                  <input type="hidden" name="run" value="\(String(view.run.number))">
                  <button type="submit" class="secondary" aria-label="\(aria)">\(label)</button>
                </form>
                """
            }
            let actions: HTML = editable ? """
            \(row.locked ? "<span class=\"badge\">Locked</span>" as HTML : decision(.lock, "Lock", "Lock \(row.menteeName) with \(mentorName)"))
            \(decision(.exclude, "Exclude", "Never pair \(row.menteeName) with \(mentorName)"))
            """ : (row.locked ? "<span class=\"badge\">Locked</span>" : .empty)
            return """
            <tr>
              <td>\(row.menteeName)<br><span class="muted">\(row.menteeDepartment)</span></td>
              <td data-label="Mentor">\(mentorName)<br><span class="muted">\(row.mentorDepartment)</span></td>
              <td data-label="Score"><strong>\(score(row.score))</strong></td>
              <td data-label="Reasons">\(reasons)</td>
              <td>\(actions)</td>
            </tr>
            """
        }
        let tabs: HTML = """
        <nav aria-label="Pairs or unmatched"><ul class="tabs">
          <li><a href="\(link(show: .pairs))"\(HTML.when(filter.show == .pairs, " aria-current=\"page\""))>Pairs (\(view.run.matched.grouped))</a></li>
          <li><a href="\(link(show: .unmatched))"\(HTML.when(filter.show == .unmatched, " aria-current=\"page\""))>Unmatched (\((view.run.mentees - view.run.matched).grouped))</a></li>
        </ul></nav>
        """
        let filters: HTML = """
        <form class="filters" method="get" action="\(base)" aria-label="Filter the proposal">
          <input type="hidden" name="show" value="\(filter.show.rawValue)">
          \(Form.text("department", label: "Mentee's department", value: filter.department))
          \(filter.show == .pairs ? Form.text("max_score", label: "Score at most", value: filter.maximumScore.map(ProgramForm.decimal) ?? "", hint: "0 to 1: the weakest pairs", error: view.filterError, attributes: [Attribute(.inputmode, "decimal")]) : .empty)
          \(Form.select("order", label: "Order", options: [("best", "Best score first"), ("weakest", "Weakest first")], selected: filter.order.rawValue))
          <div class="field"><button type="submit" class="secondary">Show</button></div>
        </form>
        """
        let pagination = Form.pagination(previous: page.hasPrevious ? link(before: page.rows.first?.position) : nil,
                                         next: page.hasNext ? link(after: page.rows.last?.position) : nil)
        let head: HTML = filter.show == .pairs
            ? "<tr><th scope=\"col\">Mentee</th><th scope=\"col\">Mentor</th><th scope=\"col\">Score</th><th scope=\"col\">Reasons</th><th scope=\"col\"><span class=\"muted\">Review</span></th></tr>"
            : "<tr><th scope=\"col\">Mentee</th><th scope=\"col\" colspan=\"3\">Why unmatched</th><th scope=\"col\"><span class=\"muted\">Action</span></th></tr>"
        return """
        <section aria-labelledby="pairs-heading">
          <h2 id="pairs-heading">Proposed pairs</h2>
          \(tabs)
          \(filters)
          \(page.rows.isEmpty ? "<p class=\"panel\">Nothing here with these filters.</p>" as HTML : .empty)
          <div class="table-wrap" tabindex="0" role="region" aria-label="Proposed pairs">
            <table class="stack">
              <caption class="muted">\(filter.show == .pairs ? "Each proposed pair with its score (0 to 1) and the factor-by-factor reasons" : "Mentees without a mentor, with the engine's reason")</caption>
              <thead>\(head)</thead>
              <tbody>\(rows)</tbody>
            </table>
          </div>
          \(pagination)
        </section>
        """
    }

    /// The review tools: a pair by hand, "why not", and the decisions in force.
    static func review(_ context: PageContext, _ view: RunView) -> HTML {
        let program = view.program
        let editable = program.state == .matching && !view.published
        let decisions: [HTML] = view.decisions.map { decision in
            let what: String = switch decision.kind {
            case .lock: "Locked"
            case .exclude: "Never paired"
            case .manual: "Put together by hand"
            }
            let undo: HTML = editable ? """
            <form method="post" action="/admin/programs/\(program.id.uuidString)/decisions/\(decision.id.uuidString)/undo" class="inline">
              \(Layout.csrfField(context))
              <input type="hidden" name="run" value="\(String(view.run.number))">
              <button type="submit" class="secondary" aria-label="Undo: \(what.lowercased()) \(decision.mentee) and \(decision.mentor)">Undo</button>
            </form>
            """ : .empty
            return "<li>\(what): \(decision.mentee) with \(decision.mentor) \(undo)</li>"
        }
        let manual: HTML = editable ? """
        <form method="post" action="/admin/programs/\(program.id.uuidString)/decisions" novalidate>
          \(Layout.csrfField(context))
          <input type="hidden" name="kind" value="manual">
          <input type="hidden" name="run" value="\(String(view.run.number))">
          <div class="form-columns">
            \(Form.text("manual_mentee", label: "Mentee's email", value: "", type: "email"))
            \(Form.text("manual_mentor", label: "Mentor's email", value: "", type: "email"))
          </div>
          <div class="actions"><button type="submit" class="secondary">Put them together</button></div>
        </form>
        """ : .empty
        return """
        <section class="panel" aria-labelledby="review-heading">
          <h2 id="review-heading">Review</h2>
          <p>Lock the pairs you want to keep and exclude the ones you do not; put a mentee with a mentor by hand. Trellis checks every rule first. Re-running keeps all of it.</p>
          \(editable ? "<h3>Put a mentee with a mentor by hand</h3>" as HTML : .empty)
          \(manual)
          <h3>Why not this pair?</h3>
          <form method="get" action="/admin/programs/\(program.id.uuidString)/why-not" novalidate>
            <div class="form-columns">
              \(Form.text("mentee", label: "Why not this mentee…", value: "", type: "email"))
              \(Form.text("mentor", label: "…with this mentor?", value: "", type: "email"))
            </div>
            <div class="actions"><button type="submit" class="secondary">Explain</button></div>
          </form>
          \(view.decisions.isEmpty ? "<p class=\"muted\">No decisions yet.</p>" as HTML : "<h3>Decisions in force</h3><ul>\(decisions)</ul>")
        </section>
        """
    }

    static func list(_ context: PageContext, program: ProgramSummary, runs: [RunView.Run]) -> HTML {
        let rows: [HTML] = runs.map { run in
            let status: HTML = run.publishedAt != nil ? "<span class=\"badge new\">Published</span>" : "\(run.state.rawValue.prefix(1).uppercased() + run.state.rawValue.dropFirst())"
            return """
            <tr><td><a href="\(runsBase(program))/\(run.number)">Run \(run.number)</a></td><td>\(SelfSelectPages.day(run.createdAt))</td><td>\(status)</td>
            <td>\(run.state == .done ? "\(run.matched.grouped) of \(run.mentees.grouped)" : "")</td><td>\(run.state == .done ? score(run.totalScore) : "")</td><td>\(run.state == .done ? (run.provenOptimal ? "Yes" : "No") : "")</td></tr>
            """
        }
        let finished = runs.filter { $0.state == .done }
        let compare: HTML = finished.count < 2 ? .empty : """
        <form class="filters" method="get" action="\(runsBase(program))/compare" aria-label="Compare two runs">
          \(Form.select("a", label: "Compare run", options: finished.map { (String($0.number), "Run \($0.number)") }, selected: String(finished[1].number)))
          \(Form.select("b", label: "with run", options: finished.map { (String($0.number), "Run \($0.number)") }, selected: String(finished[0].number)))
          <div class="field"><button type="submit" class="secondary">Compare</button></div>
        </form>
        """
        return Layout.page(context, title: "Runs · \(program.name)", active: "programs", content: """
        <p><a href="/programs/\(program.id.uuidString)">\(program.name)</a></p>
        <h1>Matching runs</h1>
        \(program.state == .matching ? startForm(context, program, label: "Run matching") : .empty)
        \(compare)
        \(runs.isEmpty ? "<p class=\"panel\">No runs yet.</p>" as HTML : """
        <div class="table-wrap" tabindex="0" role="region" aria-label="Runs">
          <table>
            <caption class="muted">Every run of this program, newest first</caption>
            <thead><tr><th scope="col">Run</th><th scope="col">Started</th><th scope="col">State</th><th scope="col">Matched</th><th scope="col">Total score</th><th scope="col">\(program.mode == .preference ? "Stable" : "Proven best")</th></tr></thead>
            <tbody>\(rows)</tbody>
          </table>
        </div>
        """)
        """)
    }

    static func compare(_ context: PageContext, program: ProgramSummary, first: RunView.Run, second: RunView.Run, comparison: RunResults.Comparison) -> HTML {
        let title = "Run \(first.number) and run \(second.number)"
        let rows: [HTML] = comparison.changes.map { change in
            "<tr><td>\(change.mentee)</td><td>\(change.before ?? "Unmatched")</td><td>\(change.after ?? "Unmatched")</td></tr>"
        }
        return Layout.page(context, title: title, active: "programs", content: """
        \(header(program, title))
        <div class="grid">
          <div><div class="stat">\(comparison.changed.grouped)</div><p class="muted">mentees with another mentor (or none)</p></div>
          <div><div class="stat">\(score(second.totalScore - first.totalScore))</div><p class="muted">change in total score (\(score(first.totalScore)) → \(score(second.totalScore)))</p></div>
          <div><div class="stat">\((second.matched - first.matched).grouped)</div><p class="muted">change in mentees matched (\(first.matched.grouped) → \(second.matched.grouped))</p></div>
        </div>
        \(comparison.changes.isEmpty ? "<p class=\"panel\">The two runs made the same pairs.</p>" as HTML : """
        <div class="table-wrap" tabindex="0" role="region" aria-label="Changed pairs">
          <table>
            <caption class="muted">Mentees whose mentor changed\(comparison.changed > comparison.changes.count ? " (the first \(comparison.changes.count))" : "")</caption>
            <thead><tr><th scope="col">Mentee</th><th scope="col">Run \(first.number)</th><th scope="col">Run \(second.number)</th></tr></thead>
            <tbody>\(rows)</tbody>
          </table>
        </div>
        """)
        """)
    }

    static func whyNotForm(_ context: PageContext, program: ProgramSummary, mentee: String, mentor: String, error: String?) -> HTML {
        Layout.page(context, title: "Why not? · \(program.name)", active: "programs", content: """
        \(header(program, "Why not this pair?"))
        \(error.map { "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\"><h2>\($0)</h2></div>" as HTML } ?? .empty)
        <form method="get" action="/admin/programs/\(program.id.uuidString)/why-not" novalidate>
          <div class="form-columns">
            \(Form.text("mentee", label: "Mentee's email", value: mentee, type: "email"))
            \(Form.text("mentor", label: "Mentor's email", value: mentor, type: "email"))
          </div>
          <div class="actions"><button type="submit">Explain</button></div>
        </form>
        """)
    }

    /// A pair judged: every rule it breaks, its score and reasons, and (for "why not") what the
    /// latest run made of each of them.
    static func pairCheck(
        _ context: PageContext, program: ProgramSummary, mentee: String, mentor: String, check: MatchRuns.PairCheck,
        placement: (run: Int, placement: RunResults.Placement)?, refusedManual: Bool, returnRun: Int?, stable: [String]? = nil
    ) -> HTML {
        let title = refusedManual ? "\(mentee) and \(mentor) cannot be put together" : "Why not \(mentee) with \(mentor)?"
        let problems: HTML = check.problems.isEmpty
            ? "<p>The pair breaks no rule of the program.</p>"
            : """
            <div class="error-summary" role="alert" tabindex="-1">
              <h2>\(check.problems.count == 1 ? "It breaks a rule" : "It breaks \(check.problems.count) rules")</h2>
              <ul>\(check.problems.map { "<li>\($0)</li>" as HTML })</ul>
            </div>
            """
        let reasons: HTML = check.reasons.isEmpty ? .empty : """
        <p>Together they would score <strong>\(score(check.score))</strong>:</p>
        <ul class="reasons">\(check.reasons.map { reason -> HTML in "<li>\(reason.contribution > 0 ? "+\(score(reason.contribution)) " : "")\(reason.sentence)</li>" })</ul>
        """
        let inRun: HTML = stable.map { sentences in
            let heading = placement.map { "In run \($0.run): who would refuse whom" } ?? "Their rankings"
            return "<h2>\(heading)</h2><ul>\(sentences.map { "<li>\($0)</li>" as HTML })</ul>"
        } ?? placement.map { run, placement in
            var lines: [String] = []
            if let partner = placement.menteePartner {
                lines.append(partner.name == mentor ? "Run \(run) pairs them, at \(score(partner.score))." : "In run \(run), \(mentee) is paired with \(partner.name) at \(score(partner.score)).")
            } else if let reason = placement.menteeUnmatchedReason {
                lines.append("In run \(run), \(mentee) is unmatched: \(reason)")
            }
            if !placement.mentorPairs.isEmpty {
                let weakest = placement.mentorPairs[0]
                lines.append("\(mentor) has \(placement.mentorPairs.count) mentee\(placement.mentorPairs.count == 1 ? "" : "s") in run \(run); the weakest pair, with \(weakest.name), scores \(score(weakest.score)).")
            }
            lines.append("The run maximises the total score of everyone's pairs, so a better pair for one person can cost others more.")
            return "<h2>In run \(run)</h2><ul>\(lines.map { "<li>\($0)</li>" as HTML })</ul>"
        } ?? .empty
        let back: HTML = returnRun.map { "<p><a class=\"button secondary\" href=\"\(runsBase(program))/\($0)\">Back to run \($0)</a></p>" } ?? .empty
        return Layout.page(context, title: title, active: "programs", content: """
        \(header(program, title))
        <section class="panel" aria-labelledby="check-heading">
          <h2 id="check-heading">The rules</h2>
          \(problems)
          \(reasons)
        </section>
        \(inRun.markup.isEmpty ? HTML.empty : "<section class=\"panel\">\(inRun)</section>")
        \(back)
        """)
    }
}
