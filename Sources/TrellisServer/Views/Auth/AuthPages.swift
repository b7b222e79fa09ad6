import TrellisCore
import Foundation

enum AuthPages {
    static func setup(_ context: PageContext, input: AuthController.SetupInput, errors: ValidationErrors) -> HTML {
        Layout.page(context, title: "Set up Trellis", content: """
        <section class="panel narrow">
          <h1>Welcome to Trellis</h1>
          <p class="lede">Create the first program manager account. You can invite everyone else once you are in.</p>
          \(Form.errorSummary(errors))
          <form method="post" action="/setup" novalidate>
            \(Layout.csrfField(context))
            \(Form.text("name", label: "Your name", value: input.name ?? "", error: errors["name"], required: true, autocomplete: "name"))
            \(Form.text("email", label: "Email", value: input.email ?? "", type: "email", error: errors["email"], required: true, autocomplete: "email"))
            \(Form.text("password", label: "Password", value: "", type: "password", hint: "At least \(PasswordRules.minimumLength) characters. A phrase of several words is easy to remember and hard to guess.", error: errors["password"], required: true, autocomplete: "new-password"))
            \(Form.text("password_confirmation", label: "Password again", value: "", type: "password", error: errors["password_confirmation"], required: true, autocomplete: "new-password"))
            <div class="actions"><button type="submit">Create account and sign in</button></div>
          </form>
        </section>
        """)
    }

    static func signIn(_ context: PageContext, email: String, next: String?, message: String?) -> HTML {
        let error: HTML = message.map { "<div class=\"error-summary\" role=\"alert\"><h2>\($0)</h2></div>" } ?? .empty
        return Layout.page(context, title: "Sign in", content: """
        <section class="panel narrow">
          <h1>Sign in to Trellis</h1>
          \(error)
          <form method="post" action="/sign-in">
            \(Layout.csrfField(context))
            <input type="hidden" name="next" value="\(AuthController.safeNext(next))">
            \(Form.text("email", label: "Email", value: email, type: "email", required: true, autocomplete: "username"))
            \(Form.text("password", label: "Password", value: "", type: "password", required: true, autocomplete: "current-password"))
            <div class="actions"><button type="submit">Sign in</button></div>
          </form>
          <p class="muted">Forgot your password? Your program manager can send you a reset link.</p>
        </section>
        """)
    }

    /// The page a one-time link opens: `name` and `email` are the link's owner's, `token` the link's.
    static func passwordLink(_ context: PageContext, name: String, email: String, token: String, purpose: OneTimeToken.Purpose, errors: ValidationErrors) -> HTML {
        let title = purpose == .invite ? "Welcome, \(name)" : "Choose a new password"
        let intro = purpose == .invite
            ? "You have been invited to Trellis as \(email). Choose a password to finish setting up your account."
            : "Choose a new password for \(email). You will be signed out everywhere else."
        return Layout.page(context, title: title, content: """
        <section class="panel narrow">
          <h1>\(title)</h1>
          <p class="lede">\(intro)</p>
          \(Form.errorSummary(errors))
          <form method="post" action="/\(purpose.rawValue)/\(token)" novalidate>
            \(Layout.csrfField(context))
            <input type="hidden" name="username" value="\(email)" autocomplete="username">
            \(Form.text("password", label: "New password", value: "", type: "password", hint: "At least \(PasswordRules.minimumLength) characters.", error: errors["password"], required: true, autocomplete: "new-password"))
            \(Form.text("password_confirmation", label: "New password again", value: "", type: "password", error: errors["password_confirmation"], required: true, autocomplete: "new-password"))
            <div class="actions"><button type="submit">Save password and sign in</button></div>
          </form>
        </section>
        """)
    }
}
