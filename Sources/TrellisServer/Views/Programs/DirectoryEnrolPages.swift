import Foundation
import TrellisCore

/// Enrolling everyone a directory filter finds: the filter form, and the preview with its
/// confirmation.
enum DirectoryEnrolPages {
    /// The filter as the form sends it (every field text).
    struct Filter: Sendable, Equatable {
        var department = ""
        var timezone = ""
        var mentoringRole = ""
        var tag = ""
        var enrolAs = ProgramRole.mentee.rawValue

        var query: DirectoryQuery {
            var query = DirectoryQuery()
            query.department = department.isEmpty ? nil : department
            query.timezone = timezone.isEmpty ? nil : timezone
            query.role = mentoringRole.isEmpty ? nil : mentoringRole
            query.tag = tag.isEmpty ? nil : tag
            return query
        }

        /// Who the filter finds, in words.
        var described: String {
            var parts: [String] = []
            if !department.isEmpty { parts.append("in \(department)") }
            if !timezone.isEmpty { parts.append("in the time zone \(timezone)") }
            switch mentoringRole {
            case MentoringRole.mentor.rawValue: parts.append("who can mentor")
            case MentoringRole.mentee.rawValue: parts.append("who wants a mentor")
            case MentoringRole.both.rawValue: parts.append("who mentors and wants a mentor")
            default: break
            }
            if !tag.isEmpty { parts.append("with the tag “\(tag)”") }
            return parts.isEmpty ? "everyone in the directory" : "everyone " + parts.joined(separator: ", ")
        }
    }

    static func fields(_ filter: Filter, departments: [String]) -> HTML {
        """
        <div class="form-columns">
          \(Form.select("department", label: "Department", options: [("", "Any")] + departments.map { ($0, $0) }, selected: filter.department))
          \(Form.select("mentoring_role", label: "Mentoring role on their profile", options: [("", "Any"), (MentoringRole.mentor.rawValue, "Can mentor"), (MentoringRole.mentee.rawValue, "Wants a mentor")], selected: filter.mentoringRole))
          \(Form.text("tag", label: "Tag", value: filter.tag, hint: "An exact tag, such as an expertise or a development area."))
          \(Form.text("timezone", label: "Time zone", value: filter.timezone, hint: "An exact IANA name, such as Europe/Berlin."))
          \(Form.select("as", label: "Enrol them as", options: ProgramRole.allCases.map { ($0.rawValue, $0.label) }, selected: filter.enrolAs))
        </div>
        """
    }

    static func form(programID: UUID, departments: [String]) -> HTML {
        """
        <p class="hint">Everyone the directory finds with these filters, in one role. You see how many and who before anyone is enrolled.</p>
        <form method="get" action="/admin/programs/\(programID.uuidString)/participants/directory">
          \(fields(Filter(), departments: departments))
          <div class="actions"><button type="submit" class="secondary">Find people</button></div>
        </form>
        """
    }

    static func preview(_ context: PageContext, program: ProgramSummary, filter: Filter, plan: DirectoryEnrolment.Plan, departments: [String], error: String? = nil) -> HTML {
        let id = program.id.uuidString
        let count = plan.joiners.count
        let title = count == 0 ? "Nobody to enrol" : "Enrol \(count.grouped) \(count == 1 ? "person" : "people") as \(plan.role == .mentor ? "mentors" : "mentees")?"
        var notes: [String] = ["The directory finds \(plan.matched.grouped) \(plan.matched == 1 ? "person" : "people"): \(filter.described)."]
        if plan.alreadyEnrolled > 0 { notes.append("\(plan.alreadyEnrolled.grouped) of them \(plan.alreadyEnrolled == 1 ? "is" : "are") in this program already (left as enrolled).") }
        if plan.withoutCapacity > 0 {
            notes.append("\(plan.withoutCapacity.grouped) of them \(plan.withoutCapacity == 1 ? "has" : "have") no mentoring capacity on their profile and \(plan.withoutCapacity == 1 ? "is" : "are") left out: enrol them one by one with a capacity.")
        }
        let hidden: [(String, String)] = [
            ("department", filter.department), ("timezone", filter.timezone), ("mentoring_role", filter.mentoringRole), ("tag", filter.tag), ("as", filter.enrolAs),
        ]
        let confirm: HTML = count == 0 ? .empty : """
        <form method="post" action="/admin/programs/\(id)/participants/directory">
          \(Layout.csrfField(context))
          \(hidden.map { "<input type=\"hidden\" name=\"\($0.0)\" value=\"\($0.1)\">" as HTML })
          <div class="actions"><button type="submit">Enrol \(count.grouped) \(count == 1 ? "person" : "people")</button><a href="/admin/programs/\(id)/participants">Cancel</a></div>
        </form>
        """
        let errorBlock: HTML = error.map { "<div class=\"error-summary\" role=\"alert\" tabindex=\"-1\"><h2>Nobody was enrolled</h2><p>\($0)</p></div>" } ?? .empty
        let more = count > plan.sample.count ? "<li class=\"muted\">and \((count - plan.sample.count).grouped) more</li>" as HTML : .empty
        return Layout.page(context, title: "\(title) · \(program.name)", active: "programs", content: """
        <p><a href="/admin/programs/\(id)/participants">Participants of \(program.name)</a></p>
        <h1>\(title)</h1>
        \(errorBlock)
        <ul>\(notes.map { "<li>\($0)</li>" as HTML })</ul>
        \(plan.sample.isEmpty ? HTML.empty : "<h2>Who</h2><ul class=\"columns\">\(plan.sample.map { "<li>\($0)</li>" as HTML })\(more)</ul>")
        \(confirm)
        <section class="panel" aria-labelledby="refine-heading">
          <h2 id="refine-heading">Change the filter</h2>
          <form method="get" action="/admin/programs/\(id)/participants/directory">
            \(fields(filter, departments: departments))
            <div class="actions"><button type="submit" class="secondary">Preview again</button></div>
          </form>
        </section>
        """)
    }
}
