import Fluent
import Vapor

/// `trellis serve`: applies pending migrations, optionally loads the demo organisation, and serves.
struct ServeTrellisCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "hostname", short: "H", help: "The address to listen on (default 127.0.0.1, or HOST).")
        var hostname: String?
        @Option(name: "port", short: "p", help: "The port to listen on (default 8080, or PORT).")
        var port: Int?
        @Flag(name: "demo", help: "Load the demo organisation first if the database is empty, and print its sign-in details.")
        var demo: Bool
    }

    var help: String { "Migrates the database and serves the web app and API (add --demo for a demo organisation)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        if let hostname = signature.hostname { app.http.server.configuration.hostname = hostname }
        if let port = signature.port {
            guard (1...65535).contains(port) else {
                context.console.error("--port: \(port) is not a port; use a number from 1 to 65535.")
                throw ExitCode(2)
            }
            app.http.server.configuration.port = port
        }
        // Invitation and reset links, and the setup address printed below, use the port
        // actually served unless TRELLIS_BASE_URL says otherwise.
        if !app.trellisSettings.baseURLIsExplicit {
            app.trellisSettings.baseURL = "http://localhost:\(app.http.server.configuration.port)"
        }
        let settings = app.trellisSettings
        context.console.print("Database: \(settings.database.description)")
        try await app.autoMigrate()
        if signature.demo {
            if try await User.query(on: app.db).count() == 0 {
                try await DemoLoader.load(on: app, console: context.console)
            } else {
                context.console.print("The database already has people; the demo organisation was not loaded again.")
            }
            DemoLoader.printSignIn(context.console, baseURL: settings.baseURL)
        } else if try await User.query(on: app.db).count() == 0 {
            context.console.print("No accounts yet: open \(settings.baseURL)/setup to create the first program manager.")
        }
        // This server runs background jobs (matching runs) beside serving; so does every other
        // instance on the same database, and each job runs once.
        let worker = JobWorker()
        app.jobWorker = worker
        await worker.start(app: app)
        var serveContext = context
        serveContext.input = CommandInput(arguments: ["trellis"])
        try await app.servers.asyncCommand.run(using: &serveContext)
    }
}

/// `trellis migrate`: applies pending migrations and says which ran.
struct MigrateTrellisCommand: AsyncCommand {
    struct Signature: CommandSignature {}
    var help: String { "Applies pending database migrations (serve also does this on start)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        context.console.print("Database: \(app.trellisSettings.database.description)")
        try await app.autoMigrate()
        context.console.print("Migrations are up to date.")
    }
}
