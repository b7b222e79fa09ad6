import Foundation
import TrellisCore

/// A pair's goals: the list with progress and a form for a new goal, and a goal's page with its
/// milestones and congratulations.
enum GoalPages {
    static func progressBar(_ goal: Goal) -> HTML {
        """
        <div class="goal-progress"><progress max="100" value="\(goal.progress)" aria-label="Progress of \(goal.title)">\(goal.progress)%</progress><span aria-hidden="true">\(goal.progress)%</span></div>
        """
    }

    static func meta(_ goal: Goal, pair: PairView) -> HTML {
        let whose = goal.owner == .mentee ? "\(pair.menteeName)'s goal" : "\(pair.mentorName)'s own goal (reverse mentoring)"
        let late = goal.isLate(today: pair.today)
        let target: HTML = goal.targetOn.map { "<span class=\"\(late ? "overdue" : "muted")\">\(late ? "Past its target date:" : "Target:") \(ProgramBits.day($0))</span>" } ?? .empty
        return "<p class=\"muted\">\(goal.term.label) · \(whose)\(goal.reachedAt != nil ? " · reached" : "")</p><p>\(target)</p>"
    }

    struct GoalForm: Sendable {
        var title = ""
        var description = ""
        var term = GoalTerm.short.rawValue
        var targetOn = ""
        var owner = PairSide.mentee.rawValue
        var errors = ValidationErrors()
    }

    static func list(_ context: PageContext, pair: PairView, goals: [Goal], form: GoalForm, notice: String? = nil) -> HTML {
        let cards: [HTML] = goals.map { goal in
            """
            <li class="panel goal\(goal.reachedAt != nil ? " reached" : "")">
              <h2><a href="\(pair.path)/goals/\(goal.id.uuidString)">\(goal.title)</a>\(goal.reachedAt != nil ? " <span class=\"badge new\">Reached</span>" as HTML : .empty)</h2>
              \(meta(goal, pair: pair))
              \(progressBar(goal))
              <p class="muted">\(Counted.phrase(goal.milestones.filter { $0.reachedAt != nil }.count, "milestone", "milestones").capitalizedFirstLetter) of \(goal.milestones.count) reached</p>
            </li>
            """
        }
        let open = pair.state != .concluded
        return Layout.page(context, title: "Goals · \(pair.mentorName) and \(pair.menteeName)", active: "mentoring", notice: notice, content: """
        \(AgreementPages.header(pair, here: "Goals"))
        <h1>Goals</h1>
        \(goals.isEmpty ? "<p class=\"panel\">No goal yet. \(pair.side == .mentee ? "Set your first: what do you want to be able to do by the end?" : "\(pair.menteeName) is asked to set the first; you can set one of your own too (reverse mentoring).")</p>" as HTML : "<ul class=\"cards\">\(cards)</ul>")
        \(HTML.when(open, """
        <section class="panel" aria-labelledby="new-goal-heading">
          <h2 id="new-goal-heading">Set a goal</h2>
          \(Form.errorSummary(form.errors, message: "The goal was not saved. Please correct the highlighted fields."))
          <form method="post" action="\(pair.path)/goals" novalidate>
            \(Layout.csrfField(context))
            \(Form.text("title", label: "Goal", value: form.title, hint: "Short and concrete: “Lead a design review on my own”.", error: form.errors["title"], required: true, attributes: [Attribute(.maxlength, String(GoalRules.title.maximum))]))
            \(Form.textarea("description", label: "Description", value: form.description, hint: "Why it matters and what reaching it looks like. Optional.", error: form.errors["description"], rows: 3, attributes: [Attribute(.maxlength, String(GoalRules.description.maximum))]))
            <div class="form-columns">
              \(Form.select("term", label: "Term", options: GoalTerm.allCases.map { ($0.rawValue, $0.label) }, selected: form.term, error: form.errors["term"]))
              \(Form.text("target_on", label: "Target date", value: form.targetOn, type: "date", hint: "Optional; today or later.", error: form.errors["target_on"]))
              \(Form.select("owner", label: "Whose goal", options: [(PairSide.mentee.rawValue, "\(pair.menteeName)'s (the mentee's)"), (PairSide.mentor.rawValue, "\(pair.mentorName)'s own (reverse mentoring)")], selected: form.owner, error: form.errors["owner"]))
            </div>
            <button type="submit">Set the goal</button>
          </form>
        </section>
        """))
        """)
    }

    struct Detail: Sendable {
        var pair: PairView
        var goal: Goal
        var congratulations: [(author: String, mine: Bool, on: String, text: String, at: Date)]
        /// What the viewer congratulated already: milestone ids, nil for the goal itself.
        var congratulated: Set<UUID?> = []
        var notice: String?
        var error: String?
        var errors = ValidationErrors()
        var sent: [String: String] = [:]
    }

    static func detail(_ context: PageContext, _ view: Detail) -> HTML {
        let pair = view.pair, goal = view.goal
        let base = "\(pair.path)/goals/\(goal.id.uuidString)"
        let open = pair.state != .concluded
        // Congratulations come from the other person, once for each thing reached.
        let cheering = open && goal.owner != pair.side
        let milestones: [HTML] = goal.milestones.map { milestone in
            let reach: HTML = milestone.reachedAt == nil && open ? """
            <form method="post" action="\(base)/milestones/\(milestone.id.uuidString)/reached" class="inline">\(Layout.csrfField(context))<button type="submit" class="secondary" aria-label="Mark reached: \(milestone.title)">Mark reached</button></form>
            """ : .empty
            let cheer: HTML = milestone.reachedAt != nil && cheering && !view.congratulated.contains(milestone.id) ? """
            <form method="post" action="\(base)/congratulations" class="inline congratulate">\(Layout.csrfField(context))<input type="hidden" name="milestone_id" value="\(milestone.id.uuidString)"><input type="hidden" name="congratulation" value="Well done on “\(milestone.title)”!"><button type="submit" class="secondary" aria-label="Congratulate on \(milestone.title)">Congratulate</button></form>
            """ : .empty
            return """
            <li class="milestone\(milestone.reachedAt != nil ? " reached" : "")">\(milestone.reachedAt != nil ? "<span class=\"badge new\">Reached</span>" as HTML : "<span class=\"badge state-draft\">Open</span>") <span>\(milestone.title)</span>\(milestone.reachedAt.map { " <span class=\"muted\">\(AgreementPages.moment($0, in: pair.timeZone))</span>" as HTML } ?? .empty) \(reach)\(cheer)</li>
            """
        }
        let cheers: [HTML] = view.congratulations.map { c in
            "<li><p class=\"muted\">\(c.mine ? "You" : c.author), on “\(c.on)”, \(AgreementPages.moment(c.at, in: pair.timeZone))</p>\(AgreementPages.lines(c.text))</li>"
        }
        let anythingReached = goal.reachedAt != nil || goal.milestones.contains { $0.reachedAt != nil }
        return Layout.page(context, title: "Goal: \(goal.title)", active: "mentoring", notice: view.notice, content: """
        \(AgreementPages.header(pair, here: "Goal"))
        <h1>\(goal.title)\(goal.reachedAt != nil ? " <span class=\"badge new\">Reached</span>" as HTML : .empty)</h1>
        \(view.error.map { "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\"><h2>\($0)</h2></div>" as HTML } ?? .empty)
        \(Form.errorSummary(view.errors, message: "Nothing was saved. Please correct the highlighted field."))
        <section class="panel" aria-labelledby="about-heading">
          <h2 id="about-heading">About this goal</h2>
          \(meta(goal, pair: pair))
          \(goal.description.isEmpty ? HTML.empty : AgreementPages.lines(goal.description))
          \(progressBar(goal))
          \(HTML.when(open && goal.reachedAt == nil, "<form method=\"post\" action=\"\(base)/reached\" class=\"inline\">\(Layout.csrfField(context))<button type=\"submit\">The goal is reached</button></form>"))
        </section>
        <section class="panel" aria-labelledby="milestones-heading">
          <h2 id="milestones-heading">Milestones</h2>
          \(milestones.isEmpty ? "<p class=\"muted\">No milestones yet: break the goal into steps you can see.</p>" as HTML : "<ol class=\"milestones\">\(milestones)</ol>")
          \(HTML.when(open, """
          <form method="post" action="\(base)/milestones" novalidate>
            \(Layout.csrfField(context))
            \(Form.text("milestone", label: "Add a milestone", value: view.sent["milestone"] ?? "", hint: "A step on the way, such as “Ran one review with Dana watching”.", error: view.errors["milestone"], attributes: [Attribute(.maxlength, String(GoalRules.milestone.maximum))]))
            <button type="submit" class="secondary">Add the milestone</button>
          </form>
          """))
        </section>
        <section class="panel" aria-labelledby="cheers-heading">
          <h2 id="cheers-heading">Congratulations</h2>
          \(cheers.isEmpty ? "<p class=\"muted\">\(goal.owner == pair.side ? "When you reach a milestone or the goal, \(pair.otherName) is told and can congratulate you here." : anythingReached ? "Be the first to congratulate." : "When a milestone or the goal is reached, celebrate it here.")</p>" as HTML : "<ul class=\"notes\">\(cheers)</ul>")
          \(HTML.when(cheering && anythingReached && !view.congratulated.contains(nil), """
          <form method="post" action="\(base)/congratulations" novalidate>
            \(Layout.csrfField(context))
            \(Form.textarea("congratulation", label: "Write a congratulation", value: view.sent["congratulation"] ?? "", error: view.errors["congratulation"], rows: 2, attributes: [Attribute(.maxlength, String(GoalRules.congratulation.maximum))]))
            <button type="submit" class="secondary">Send</button>
          </form>
          """))
        </section>
        \(HTML.when(open, changeForms(context, view, base: base)))
        <p><a href="\(pair.path)/goals">All goals</a></p>
        """)
    }

    /// Changing the goal's words and dates, and removing it: folded away until asked for.
    static func changeForms(_ context: PageContext, _ view: Detail, base: String) -> HTML {
        let goal = view.goal
        let editing = ["title", "description", "term", "target_on"].contains { view.errors[$0] != nil }
        let sent = { (field: String, stored: String) in view.sent[field] ?? stored }
        return """
        <section class="panel" aria-labelledby="change-heading">
          <h2 id="change-heading">Change or remove</h2>
          <details\(HTML.when(editing, " open"))>
            <summary>Change this goal</summary>
            <form method="post" action="\(base)/edit" novalidate>
              \(Layout.csrfField(context))
              \(Form.text("title", label: "Goal", value: sent("title", goal.title), error: view.errors["title"], required: true, attributes: [Attribute(.maxlength, String(GoalRules.title.maximum))]))
              \(Form.textarea("description", label: "Description", value: sent("description", goal.description), error: view.errors["description"], rows: 3, attributes: [Attribute(.maxlength, String(GoalRules.description.maximum))]))
              <div class="form-columns">
                \(Form.select("term", label: "Term", options: GoalTerm.allCases.map { ($0.rawValue, $0.label) }, selected: sent("term", goal.term.rawValue), error: view.errors["term"]))
                \(Form.text("target_on", label: "Target date", value: sent("target_on", goal.targetOn?.description ?? ""), type: "date", hint: "Optional. A new date is today or later; the one it has may stay.", error: view.errors["target_on"]))
              </div>
              <button type="submit" class="secondary">Save the changes</button>
            </form>
          </details>
          <details>
            <summary>Remove this goal</summary>
            <p>The goal goes with its milestones and congratulations, for both of you. The timeline keeps what happened.</p>
            <form method="post" action="\(base)/delete">
              \(Layout.csrfField(context))
              <button type="submit" class="danger">Remove “\(goal.title)”</button>
            </form>
          </details>
        </section>
        """
    }
}
