import TrellisCore

/// The frame of every page: skip link, header with navigation, main landmark, footer.
enum Layout {
    static func page(_ context: PageContext, title: String, active: String = "", notice: String? = nil, refreshSeconds: Int? = nil, content: HTML) -> HTML {
        let user = context.viewer
        var links: [(String, String, String)] = []
        if let user {
            links.append(("/", "Dashboard", "dashboard"))
            links.append(("/people", "Directory", "directory"))
            links.append(("/programs", "Programs", "programs"))
            links.append(("/mentoring", "My mentoring", "mentoring"))
            if user.isAdmin {
                links.append(("/admin/people", "People", "admin-people"))
                links.append(("/admin/import", "Import", "import"))
            }
            links.append(("/profile", "My profile", "profile"))
            links.append(("/settings", "Settings", "settings"))
        }
        let unread = context.unreadNotifications
        let nav: HTML = links.isEmpty ? .empty : """
        <nav class="site-nav" aria-label="Main">
          <ul>\(links.map { link -> HTML in
            "<li><a href=\"\(link.0)\"\(HTML.when(link.2 == active, " aria-current=\"page\""))>\(link.1)</a></li>"
          })</ul>
        </nav>
        """
        let account: HTML = user.map { user in
            """
            <a class="notifications-link" href="/notifications"\(HTML.when(active == "notifications", " aria-current=\"page\""))>Notifications\(unread > 0 ? " <span class=\"count\">\(unread >= 100 ? "99+" : String(unread))</span><span class=\"visually-hidden\"> unread</span>" as HTML : .empty)</a>
            <form class="sign-out" method="post" action="/sign-out">
              \(csrfField(context))
              <span class="who">\(user.name)</span>
              <button type="submit" class="link-button">Sign out</button>
            </form>
            """
        } ?? .empty
        let noticeBlock: HTML = notice.map { "<div class=\"notice\" role=\"status\">\($0)</div>" } ?? .empty
        return """
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>\(title) · Trellis</title>
          \(refreshSeconds.map { "<meta http-equiv=\"refresh\" content=\"\($0)\">" as HTML } ?? .empty)
          <link rel="stylesheet" href="/static/app.css">
          <link rel="icon" href="/static/icon.svg" type="image/svg+xml">
          <script src="/static/app.js" defer></script>
        </head>
        <body>
          <a class="skip-link" href="#main">Skip to content</a>
          <header class="site-header">
            <div class="bar">
              <a class="brand" href="/"><img src="/static/icon.svg" alt="" width="28" height="28"><span>Trellis</span></a>
              \(account)
            </div>
            \(nav)
          </header>
          <main id="main" tabindex="-1">
            \(noticeBlock)
            \(content)
          </main>
          <footer class="site-footer"><p>Trellis — mentoring that grows. <a href="/api/v1/openapi.json">API</a></p></footer>
        </body>
        </html>
        """
    }

    static func csrfField(_ context: PageContext) -> HTML {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(context.csrfToken)\">"
    }
}

/// Form controls with their label, hint and error, wired for screen readers.
enum Form {
    static func describedBy(_ name: String, hint: String?, error: String?) -> HTML {
        var ids: [String] = []
        if hint != nil { ids.append("\(name)-hint") }
        if error != nil { ids.append("\(name)-error") }
        return ids.isEmpty ? .empty : " aria-describedby=\"\(ids.joined(separator: " "))\""
    }

    static func messages(_ name: String, hint: String?, error: String?) -> HTML {
        let hintHTML: HTML = hint.map { "<p class=\"hint\" id=\"\(name)-hint\">\($0)</p>" } ?? .empty
        let errorHTML: HTML = error.map { "<p class=\"field-error\" id=\"\(name)-error\">\($0)</p>" } ?? .empty
        return "\(hintHTML)\(errorHTML)"
    }

    static func text(
        _ name: String, label: String, value: String, type: String = "text", hint: String? = nil, error: String? = nil,
        required: Bool = false, autocomplete: String? = nil, list: String? = nil, attributes: [Attribute] = []
    ) -> HTML {
        let attributes = [autocomplete.map { Attribute(.autocomplete, $0) }, list.map { Attribute(.list, $0) }].compactMap { $0 } + attributes
        return """
        <div class="field\(error == nil ? "" : " has-error")">
          <label for="\(name)">\(label)\(HTML.when(required, " <span class=\"required\">(required)</span>"))</label>
          \(messages(name, hint: hint, error: error))
          <input id="\(name)" name="\(name)" type="\(type)" value="\(value)"\(HTML.when(required, " required"))\(HTML.attributes(attributes))\(describedBy(name, hint: hint, error: error))\(HTML.when(error != nil, " aria-invalid=\"true\""))>
        </div>
        """
    }

    static func textarea(_ name: String, label: String, value: String, hint: String? = nil, error: String? = nil, rows: Int = 4, attributes: [Attribute] = []) -> HTML {
        """
        <div class="field\(error == nil ? "" : " has-error")">
          <label for="\(name)">\(label)</label>
          \(messages(name, hint: hint, error: error))
          <textarea id="\(name)" name="\(name)" rows="\(rows)"\(HTML.attributes(attributes))\(describedBy(name, hint: hint, error: error))\(HTML.when(error != nil, " aria-invalid=\"true\""))>\(value)</textarea>
        </div>
        """
    }

    /// Previous and Next around "Page N of M" ("Page N" when the number of pages is not known),
    /// each shown when someone is there; nothing when neither is. `link` makes the address of a
    /// neighbouring page number.
    static func pagination(page: Int, of pageCount: Int?, hasPrevious: Bool, hasNext: Bool, link: (Int) -> String) -> HTML {
        guard hasPrevious || hasNext else { return .empty }
        return """
        <nav class="pagination" aria-label="Pages">
          \(hasPrevious ? "<a href=\"\(link(page - 1))\" rel=\"prev\">Previous</a>" as HTML : .empty)
          <span>Page \(page)\(pageCount.map { " of \($0)" } ?? "")</span>
          \(hasNext ? "<a href=\"\(link(page + 1))\" rel=\"next\">Next</a>" as HTML : .empty)
        </nav>
        """
    }

    /// Previous and Next for a page read from a position (keyset paging: no page numbers), each
    /// given as its address when someone is there; nothing when neither is.
    static func pagination(previous: String?, next: String?) -> HTML {
        guard previous != nil || next != nil else { return .empty }
        return """
        <nav class="pagination" aria-label="Pages">
          \(previous.map { "<a href=\"\($0)\" rel=\"prev\">Previous</a>" as HTML } ?? .empty)
          \(next.map { "<a href=\"\($0)\" rel=\"next\">Next</a>" as HTML } ?? .empty)
        </nav>
        """
    }

    /// A menu. With `keepingUnknown`, a chosen value that is not among the options (a time zone set
    /// through the API or an import that the form's list leaves out) is offered too, so that saving
    /// the form keeps it instead of silently choosing the first option.
    static func select(
        _ name: String, label: String, options: [(value: String, label: String)], selected: String, hint: String? = nil, error: String? = nil,
        keepingUnknown: Bool = false
    ) -> HTML {
        // Compared by bytes (values are stored in one Unicode form): `==` on Swift strings
        // normalises them, and a value sent as one letter and 40,000 combining marks took a
        // second to compare with every time zone.
        func isSelected(_ value: String) -> Bool { value.utf8.elementsEqual(selected.utf8) }
        let options = !keepingUnknown || selected.isEmpty || options.contains(where: { isSelected($0.value) }) ? options : options + [(selected, selected)]
        return """
        <div class="field\(error == nil ? "" : " has-error")">
          <label for="\(name)">\(label)</label>
          \(messages(name, hint: hint, error: error))
          <select id="\(name)" name="\(name)"\(describedBy(name, hint: hint, error: error))\(HTML.when(error != nil, " aria-invalid=\"true\""))>
            \(options.map { option -> HTML in "<option value=\"\(option.value)\"\(HTML.when(isSelected(option.value), " selected"))>\(option.label)</option>" })
          </select>
        </div>
        """
    }

    static func checkboxes(_ name: String, legend: String, options: [(value: String, label: String)], checked: Set<String>, hint: String? = nil, error: String? = nil) -> HTML {
        """
        <fieldset class="field choices\(error == nil ? "" : " has-error")"\(describedBy(name, hint: hint, error: error))>
          <legend>\(legend)</legend>
          \(messages(name, hint: hint, error: error))
          \(options.map { option -> HTML in
            """
            <label class="choice"><input type="checkbox" name="\(name)[]" value="\(option.value)"\(HTML.when(checked.contains(option.value), " checked"))> \(option.label)</label>
            """
          })
        </fieldset>
        """
    }

    /// A summary of every problem at the top of a form, each linking to its field.
    static func errorSummary(_ errors: ValidationErrors, message: String = "Please correct the highlighted fields.") -> HTML {
        guard !errors.isEmpty else { return .empty }
        return """
        <div class="error-summary" role="alert" tabindex="-1">
          <h2>\(message)</h2>
          <ul>\(errors.order.map { field -> HTML in "<li><a href=\"#\(field)\">\(errors[field] ?? "")</a></li>" })</ul>
        </div>
        """
    }
}
