/// The page a person sees when a request fails: what went wrong, in words, and the way back.
/// `TrellisErrorMiddleware` chooses the title and message (API requests get JSON instead).
enum ErrorPage {
    static func render(_ context: PageContext, title: String, message: String) -> HTML {
        Layout.page(context, title: title, content: """
        <section class="panel narrow">
          <h1>\(title)</h1>
          <p>\(message)</p>
          <p><a href="/">Back to your dashboard</a></p>
        </section>
        """)
    }
}
