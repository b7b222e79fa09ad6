import TrellisCore
import Foundation

enum ProfilePages {
    /// The first letters of the first two words. A letter that carries more than a few marks
    /// (a name typed as one letter with thousands of accents is one Swift character) is shown as
    /// its base letter, so that the avatar stays one line of two letters.
    static func initials(_ name: String) -> String {
        name.split(separator: " ").prefix(2).compactMap(\.first).map { letter in
            letter.unicodeScalars.count <= 8 ? String(letter) : String(letter.unicodeScalars.first!)
        }.joined().uppercased()
    }

    /// Every IANA zone for the profile form's menu, made once.
    static let timezoneOptions: [(String, String)] = [("", "Choose your time zone")] + TimeZones.all.map { ($0, $0.replacingOccurrences(of: "_", with: " ")) }

    static func roleLabel(_ raw: String?) -> String {
        raw.flatMap(MentoringRole.init(rawValue:))?.label ?? "Not chosen yet"
    }

    /// A number field's limits, from its rule.
    static func numberLimits(_ rule: ProfileRules.Number) -> [Attribute] {
        [Attribute(.min, rule.range.lowerBound), Attribute(.max, rule.range.upperBound), Attribute(.inputmode, "numeric")]
    }

    /// How many expertise and development tags a directory card shows.
    static let tagsOnCard = 4

    static func directory(_ context: PageContext, query: DirectoryQuery, page: DirectoryPage, facets: (departments: [String], timezones: [String])) -> HTML {
        let departmentOptions = [("", "Any department")] + facets.departments.map { ($0, $0) }
        let timezoneOptions = [("", "Any time zone")] + facets.timezones.map { ($0, $0.replacingOccurrences(of: "_", with: " ")) }
        let roleOptions = [("", "Anyone"), ("mentor", "Can mentor"), ("mentee", "Wants a mentor")]
        /// A neighbouring page. In name order it is read from the person at the edge of this page
        /// (as fast however deep); search results, in order of relevance, are numbered.
        func link(page number: Int) -> String {
            var items = [("page", String(number))]
            let forward = number > page.page
            if Tags.key(query.q ?? "").isEmpty, let edge = forward ? page.items.last : page.items.first,
               let name = forward ? page.lastName : page.firstName {
                items += [(forward ? "after" : "before", edge.id.uuidString), ("at", name)]
            }
            for (name, value) in [("q", query.q), ("department", query.department), ("role", query.role), ("timezone", query.timezone), ("tag", query.tag)] {
                if let value, !value.isEmpty { items.append((name, value)) }
            }
            // The page size chosen stays with the pages.
            if page.per != DirectoryQuery.defaultPageSize { items.append(("per", String(page.per))) }
            return QueryLink.make("/people", items)
        }
        let cards: [HTML] = page.items.map { person in
            """
            <li class="person-card">
              <h2><a href="/people/\(person.id.uuidString)">\(person.name)</a></h2>
              <p class="meta">\(person.headline.isEmpty ? person.department : person.headline)\(person.location.isEmpty ? "" : " · \(person.location)")</p>
              <p class="meta">\(roleLabel(person.mentoringRole))\(person.department.isEmpty ? "" : " · \(person.department)")</p>
              \(person.expertise.isEmpty ? HTML.empty : "<p class=\"meta\">Can help with</p><ul class=\"tags\">\(person.expertise.prefix(tagsOnCard).map { tag -> HTML in "<li>\(tag)</li>" })</ul>")
              \(person.developmentAreas.isEmpty || person.mentoringRole == MentoringRole.mentor.rawValue ? HTML.empty : "<p class=\"meta\">Wants to grow</p><ul class=\"tags development\">\(person.developmentAreas.prefix(tagsOnCard).map { tag -> HTML in "<li>\(tag)</li>" })</ul>")
            </li>
            """
        }
        let summary = directorySummary(page, searched: !query.searchText.isEmpty, tag: query.tag.map(Tags.clean) ?? "")
            + (query.searchShortened ? " Only the first \(DirectoryQuery.maximumSearchLength) characters of the search were used." : "")
        let pagination = Form.pagination(page: page.page, of: page.pageCount, hasPrevious: page.hasPrevious, hasNext: page.hasNext) { link(page: $0) }
        return Layout.page(context, title: "Directory", active: "directory", content: """
        <h1>Directory</h1>
        <form class="panel filters" method="get" action="/people" role="search" aria-label="Search people">
          \(Form.text("q", label: "Name or skill", value: query.q ?? "", type: "search"))
          \(Form.select("department", label: "Department", options: departmentOptions, selected: query.department ?? ""))
          \(Form.select("role", label: "Mentoring", options: roleOptions, selected: query.role.flatMap { try? ProfileRules.choice($0, as: MentoringRole.self).get() }?.rawValue ?? ""))
          \(Form.select("timezone", label: "Time zone", options: timezoneOptions, selected: query.timezone ?? ""))
          <div class="field"><button type="submit">Search</button></div>
        </form>
        <p role="status">\(summary)</p>
        \(page.items.isEmpty ? "<p class=\"panel\">No one matches. Try fewer filters or another word.</p>" as HTML : "<ul class=\"people-list\">\(cards)</ul>")
        \(pagination)
        """)
    }

    /// "1,234 people", "1 person".
    static func people(_ count: Int) -> String {
        count == 1 ? "1 person" : "\(grouped(count)) people"
    }

    /// A whole number with commas between groups of three digits ("50,001").
    static func grouped(_ number: Int) -> String {
        let digits = String(number.magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { result += "," }
            result.append(digit)
        }
        return (number < 0 ? "-" : "") + result
    }

    /// The line above the directory's results: how many there are, or for a search whose
    /// matches go on past the page (not counted), that there are more.
    static func directorySummary(_ page: DirectoryPage, searched: Bool, tag: String) -> String {
        let tagged = tag.isEmpty ? "" : " tagged “\(tag)”"
        let listed = (page.page - 1) * page.per + page.items.count
        if page.moreThanListed {
            return "More than \(people(DirectoryQuery.maximumSearchResults))\(tagged) match; a search lists the \(grouped(DirectoryQuery.maximumSearchResults)) most relevant. Add a word or a filter to narrow it."
        }
        guard let total = page.total else {
            return listed == 1 ? "More than one person\(tagged) matches, most relevant first." : "More than \(people(listed))\(tagged) match, most relevant first."
        }
        return searched ? "\(people(total))\(tagged) \(total == 1 ? "matches" : "match"), most relevant first." : "\(people(total))\(tagged)"
    }

    static func show(_ context: PageContext, person: PersonDetail, notice: String?) -> HTML {
        let isSelf = context.viewer?.id == person.id
        let canEdit = isSelf || context.viewer?.isAdmin == true
        func tagLinks(_ tags: [String], kind: String = "") -> HTML {
            tags.isEmpty ? "<p class=\"muted\">None yet.</p>" :
                "<ul class=\"tags \(kind)\">\(tags.map { tag -> HTML in "<li><a href=\"/people?tag=\(tag.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")\">\(tag)</a></li>" })</ul>"
        }
        var facts: [HTML] = []
        facts.append("<dt>Mentoring</dt><dd>\(roleLabel(person.mentoringRole))</dd>")
        if let capacity = person.capacityMentees, person.mentoringRole.flatMap(MentoringRole.init(rawValue:))?.canMentor == true {
            facts.append("<dt>Capacity</dt><dd>\(capacity) mentee\(capacity == 1 ? "" : "s")\(person.capacityHours.map { ", \($0) hours a month" } ?? "")</dd>")
        }
        if let frequency = person.meetingFrequency.flatMap(MeetingFrequency.init(rawValue:)) {
            facts.append("<dt>Prefers to meet</dt><dd>\(frequency.label)</dd>")
        }
        let methods = person.communicationMethods.compactMap(CommunicationMethod.init(rawValue:)).map(\.label)
        if !methods.isEmpty { facts.append("<dt>Communication</dt><dd>\(methods.joined(separator: ", "))</dd>") }
        if !person.department.isEmpty { facts.append("<dt>Department</dt><dd>\(person.department)</dd>") }
        if let manager = person.manager { facts.append("<dt>Manager</dt><dd><a href=\"/people/\(manager.id.uuidString)\">\(manager.name)</a></dd>") }
        if !person.reports.isEmpty {
            facts.append("<dt>Reports</dt><dd>\(HTML.join(person.reports.map { "<a href=\"/people/\($0.id.uuidString)\">\($0.name)</a>" }, separator: ", "))</dd>")
        }
        if let years = person.yearsExperience { facts.append("<dt>Experience</dt><dd>\(years) year\(years == 1 ? "" : "s")</dd>") }
        if !person.timezone.isEmpty { facts.append("<dt>Time zone</dt><dd>\(person.timezone.replacingOccurrences(of: "_", with: " "))</dd>") }
        if !person.location.isEmpty { facts.append("<dt>Location</dt><dd>\(person.location)</dd>") }
        var contact: [HTML] = []
        if let email = person.email { contact.append("<dt>Email</dt><dd><a href=\"mailto:\(email)\">\(email)</a></dd>") }
        if let phone = person.phone { contact.append("<dt>Phone</dt><dd>\(phone)</dd>") }
        let contactNote: HTML = person.contactPrivate
            ? (person.email == nil ? "<p class=\"muted\">\(person.name) keeps contact details private.</p>" : "<p class=\"muted\">Marked private: only \(isSelf ? "you" : person.name) and program managers see these.</p>")
            : .empty
        return Layout.page(context, title: person.name, active: isSelf ? "profile" : "directory", notice: notice, content: """
        <article>
          <div class="panel">
            <div class="profile-head">
              <div class="avatar" aria-hidden="true">\(initials(person.name))</div>
              <div>
                <h1>\(person.name)</h1>
                <p class="lede">\(person.headline.isEmpty ? "No headline yet." : person.headline)</p>
              </div>
            </div>
            \(canEdit ? "<p><a class=\"button secondary\" href=\"/people/\(person.id.uuidString)/edit\">Edit \(isSelf ? "your" : "this") profile</a></p>" as HTML : .empty)
          </div>
          <div class="grid">
            <section class="panel" aria-labelledby="about">
              <h2 id="about">About</h2>
              \(person.bio.isEmpty ? "<p class=\"muted\">No bio yet.</p>" as HTML : "<p>\(person.bio)</p>")
              \(person.careerGoals.isEmpty ? HTML.empty : "<h3>Career goals</h3><p>\(person.careerGoals)</p>")
              <dl class="facts">\(facts)</dl>
            </section>
            <section class="panel" aria-labelledby="skills">
              <h2 id="skills">Skills and interests</h2>
              <h3>Expertise</h3>\(tagLinks(person.expertise))
              <h3>Wants to develop</h3>\(tagLinks(person.developmentAreas, kind: "development"))
              <h3>Interests</h3>\(tagLinks(person.interests))
              <h3>Values</h3>\(tagLinks(person.values))
              <h3>Languages</h3>\(tagLinks(person.languages))
            </section>
            <section class="panel" aria-labelledby="contact">
              <h2 id="contact">Contact</h2>
              \(contact.isEmpty ? HTML.empty : "<dl class=\"facts\">\(contact)</dl>")
              \(contactNote)
            </section>
          </div>
        </article>
        """)
    }

    /// The profile form. `departments` and `suggestions` (tags in use, most used first) come from
    /// the kept counts, read by the controller.
    /// `person` is whose profile it is; `manager` their manager, if any.
    static func edit(_ context: PageContext, person: PageContext.PersonLink, form: ProfileForm, manager: PageContext.PersonLink?, errors: ValidationErrors,
        departments: [String], suggestions: [TagKind: [String]]
    ) -> HTML {
        let id = person.id
        let isSelf = context.viewer?.id == id
        let roleOptions = [("", "Not decided yet")] + MentoringRole.allCases.map { ($0.rawValue, $0.label) }
        let frequencyOptions = [("", "No preference")] + MeetingFrequency.allCases.map { ($0.rawValue, $0.label) }
        let timezoneOptions = Self.timezoneOptions
        func tagField(_ kind: TagKind) -> HTML {
            let popular = suggestions[kind] ?? []
            let hint = kind.hint + " Separate entries with commas (or with semicolons when an entry holds a comma)." + (popular.isEmpty ? "" : " Already in use: " + popular.prefix(8).joined(separator: ", ") + ".")
            return """
            \(Form.textarea(kind.rawValue, label: kind.label, value: form.tagText(kind), hint: hint, error: errors[kind.rawValue], rows: 2, attributes: [Attribute(.dataTagKind, kind.rawValue)]))
            """
        }
        let managerField: HTML = context.viewer?.isAdmin == true
            ? Form.text("manager_email", label: "Manager’s email", value: form.manager_email ?? "", type: "email", hint: "A manager, and their managers, are never suggested as mentor.", error: errors["manager_email"])
            : """
            <div class="field">
              <p class="label-like">Manager</p>
              <p>\(manager.map { "<a href=\"/people/\($0.id.uuidString)\">\($0.name)</a>" as HTML } ?? "None recorded")</p>
              <p class="hint">Set by your program managers from the organisation’s records; ask them if it is wrong. Your manager is never suggested as your mentor.</p>
            </div>
            """
        return Layout.page(context, title: isSelf ? "Edit your profile" : "Edit \(person.name)", active: isSelf ? "profile" : "admin-people", content: """
        <h1>\(isSelf ? "Edit your profile" : "Edit \(person.name)’s profile")</h1>
        <p class="lede">Your profile is how mentors and mentees find you and how Trellis explains a match. Everything except contact details marked private is visible to colleagues.</p>
        \(Form.errorSummary(errors))
        <form method="post" action="/people/\(id.uuidString)/edit" novalidate>
          \(Layout.csrfField(context))
          <datalist id="departments">\(departments.map { department -> HTML in "<option value=\"\(department)\"></option>" })</datalist>
          <section class="panel" aria-labelledby="basics">
            <h2 id="basics">The basics</h2>
            <div class="form-columns">
              \(Form.text("name", label: "Name", value: form.name ?? "", error: errors["name"], required: true, autocomplete: "name"))
              \(Form.text("headline", label: "Headline", value: form.headline ?? "", hint: "Your role and focus in a line, e.g. “Product designer · accessibility”.", error: errors["headline"]))
              \(Form.text("department", label: "Department", value: form.department ?? "", error: errors["department"], list: "departments"))
              \(managerField)
              \(Form.text("years_experience", label: "Years of experience", value: form.years_experience ?? "", type: "number", error: errors["years_experience"], attributes: numberLimits(ProfileRules.yearsExperience)))
              \(Form.select("timezone", label: "Time zone", options: timezoneOptions, selected: form.timezone ?? "", error: errors["timezone"], keepingUnknown: true))
            </div>
            \(Form.textarea("bio", label: "Bio", value: form.bio ?? "", hint: "A few sentences about your work and what you enjoy.", error: errors["bio"], rows: 4))
            \(Form.textarea("career_goals", label: "Career goals", value: form.career_goals ?? "", hint: "Where you want to be in a few years.", error: errors["career_goals"], rows: 3))
          </section>
          <section class="panel" aria-labelledby="mentoring">
            <h2 id="mentoring">Mentoring</h2>
            <div class="form-columns">
              \(Form.select("mentoring_role", label: "I would like to", options: roleOptions, selected: form.mentoring_role ?? "", error: errors["mentoring_role"]))
              \(Form.text("capacity_mentees", label: "Mentees I can take", value: form.capacity_mentees ?? "", type: "number", hint: "Required if you mentor: \(ProfileRules.capacityMentees.range.lowerBound) to \(ProfileRules.capacityMentees.range.upperBound) at once. Leave it blank if you do not mentor.", error: errors["capacity_mentees"], attributes: numberLimits(ProfileRules.capacityMentees)))
              \(Form.text("capacity_hours", label: "Hours a month for mentoring", value: form.capacity_hours ?? "", type: "number", hint: "If you mentor; optional.", error: errors["capacity_hours"], attributes: numberLimits(ProfileRules.capacityHours)))
              \(Form.select("meeting_frequency", label: "Preferred meeting frequency", options: frequencyOptions, selected: form.meeting_frequency ?? "", error: errors["meeting_frequency"]))
            </div>
            \(Form.checkboxes("communication_methods", legend: "How I like to communicate", options: CommunicationMethod.allCases.map { ($0.rawValue, $0.label) }, checked: Set((form.communication_methods ?? []).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }), error: errors["communication_methods"]))
          </section>
          <section class="panel" aria-labelledby="skills">
            <h2 id="skills">Skills, interests and values</h2>
            \(TagKind.allCases.map(tagField))
          </section>
          <section class="panel" aria-labelledby="contact">
            <h2 id="contact">Contact</h2>
            <div class="form-columns">
              \(Form.text("phone", label: "Phone", value: form.phone ?? "", type: "text", error: errors["phone"], autocomplete: "tel"))
              \(Form.text("location", label: "Location", value: form.location ?? "", hint: "City or office.", error: errors["location"]))
            </div>
            <div class="field"><label class="choice"><input type="checkbox" name="contact_private"\(HTML.when(form.contact_private == "on", " checked"))> Keep my email and phone private (only program managers see them)</label></div>
          </section>
          <div class="actions">
            <button type="submit">Save profile</button>
            <a href="/people/\(id.uuidString)">Cancel</a>
          </div>
        </form>
        """)
    }
}
