import TrellisCore
import Foundation

/// The settings page: password and personal API tokens. Gets what it shows from
/// `SettingsController.page`; runs no queries.
enum SettingsPages {
    /// A personal API token as the page lists it (never its secret).
    struct Token: Sendable {
        var id: UUID
        var name: String
        var hint: String
        var createdAt: Date
        var lastUsedAt: Date?
        var revoked: Bool
    }

    /// `email`: the signed-in person's, for password managers.
    static func render(_ context: PageContext, email: String, tokens: [Token], notice: String? = nil, passwordErrors: ValidationErrors = ValidationErrors(),
        tokenErrors: ValidationErrors = ValidationErrors(), tokenName: String = "", newToken: (name: String, secret: String)? = nil,
        calendarFeedSince: Date? = nil, newFeedURL: String? = nil
    ) -> HTML {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        let rows: [HTML] = tokens.map { token in
            let status: HTML = token.revoked ? "Revoked" : "Active"
            let revoke: HTML = token.revoked ? .empty : """
            <form method="post" action="/settings/tokens/\(token.id.uuidString)/revoke">
              \(Layout.csrfField(context))
              <button type="submit" class="danger" aria-label="Revoke \(token.name)">Revoke</button>
            </form>
            """
            return "<tr><td>\(token.name)</td><td>…\(token.hint)</td><td>\(formatter.string(from: token.createdAt))</td><td>\(token.lastUsedAt.map { formatter.string(from: $0) } ?? "Never")</td><td>\(status)</td><td>\(revoke)</td></tr>"
        }
        let created: HTML = newToken.map { token in
            """
            <div class="notice" role="status">
              <p>Your new token “\(token.name)”. Copy it now: it will not be shown again.</p>
              <p class="token" id="new-token" data-copy="Copy the token \(token.name)">\(token.secret)</p>
            </div>
            """
        } ?? .empty
        return Layout.page(context, title: "Settings", active: "settings", notice: notice, content: """
        <h1>Settings</h1>
        <div class="grid">
          <section class="panel" aria-labelledby="password-heading">
            <h2 id="password-heading">Change your password</h2>
            \(Form.errorSummary(passwordErrors))
            <form method="post" action="/settings/password" novalidate>
              \(Layout.csrfField(context))
              <input type="hidden" name="username" value="\(email)" autocomplete="username">
              \(Form.text("current_password", label: "Current password", value: "", type: "password", error: passwordErrors["current_password"], required: true, autocomplete: "current-password"))
              \(Form.text("password", label: "New password", value: "", type: "password", hint: "At least \(PasswordRules.minimumLength) characters.", error: passwordErrors["password"], required: true, autocomplete: "new-password"))
              \(Form.text("password_confirmation", label: "New password again", value: "", type: "password", error: passwordErrors["password_confirmation"], required: true, autocomplete: "new-password"))
              <div class="actions"><button type="submit">Change password</button></div>
            </form>
          </section>
          <section class="panel" aria-labelledby="tokens-heading">
            <h2 id="tokens-heading">API tokens</h2>
            <p>Personal tokens let scripts use the <a href="/api/v1/openapi.json">Trellis API</a> as you. Send one as <code>Authorization: Bearer …</code>.</p>
            \(created)
            \(Form.errorSummary(tokenErrors))
            <form method="post" action="/settings/tokens" novalidate>
              \(Layout.csrfField(context))
              \(Form.text("token_name", label: "Token name", value: tokenName, hint: "What the token is for.", error: tokenErrors["token_name"], attributes: [Attribute(.maxlength, TokenRules.name.maximum)]))
              <div class="actions"><button type="submit">Create token</button></div>
            </form>
          </section>
          <section class="panel" aria-labelledby="calendar-heading">
            <h2 id="calendar-heading">Calendar feed</h2>
            <p>A private address with all your mentoring meetings, for your calendar application to subscribe to. Anyone with the address can read your meeting times, so keep it to yourself; replace it if it got out.</p>
            \(newFeedURL.map { url in
                """
                <div class="notice" role="status">
                  <p>Your calendar feed address. Copy it now into your calendar application (“subscribe to a calendar” or “from URL”): it will not be shown again.</p>
                  <p class="token" id="feed-url" data-copy="Copy the calendar feed address">\(url)</p>
                </div>
                """ as HTML
            } ?? .empty)
            \(calendarFeedSince.map { "<p>You have a feed address, made on \(ProgramBits.day(CalendarDay($0, in: TimeZone(identifier: "UTC")!))).</p>" as HTML } ?? "<p class=\"muted\">You have no feed address.</p>")
            <div class="actions">
              <form method="post" action="/settings/calendar-feed" class="inline">
                \(Layout.csrfField(context))
                <button type="submit"\(HTML.when(calendarFeedSince != nil, " class=\"secondary\""))>\(calendarFeedSince == nil ? "Make a feed address" : "Replace the address")</button>
              </form>
              \(HTML.when(calendarFeedSince != nil, """
              <form method="post" action="/settings/calendar-feed/revoke" class="inline">
                \(Layout.csrfField(context))
                <button type="submit" class="danger">Turn the feed off</button>
              </form>
              """))
            </div>
          </section>
        </div>
        \(tokens.isEmpty ? HTML.empty : """
        <div class="table-wrap" tabindex="0" role="region" aria-label="Your API tokens">
          <table>
            <caption class="muted">Your tokens</caption>
            <thead><tr><th scope="col">Name</th><th scope="col">Ends in</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Status</th><th scope="col"><span class="muted">Action</span></th></tr></thead>
            <tbody>\(rows)</tbody>
          </table>
        </div>
        """)
        """)
    }
}
