import Fluent
import FluentPostgresDriver
import FluentSQL
import FluentSQLiteDriver
import Vapor

struct TrellisSettingsKey: StorageKey { typealias Value = TrellisSettings }

extension Application {
    public var trellisSettings: TrellisSettings {
        get { storage[TrellisSettingsKey.self] ?? .fromEnvironment() }
        set { storage[TrellisSettingsKey.self] = newValue }
    }
}

/// Sets up the whole application: database, migrations, middleware, routes and commands.
/// The server, every command and the tests all come through here.
public func configure(_ app: Application, settings: TrellisSettings) async throws {
    app.trellisSettings = settings
    app.http.server.configuration.hostname = settings.hostname
    app.http.server.configuration.port = settings.port
    app.http.server.configuration.idleTimeout = .seconds(Int64(settings.idleTimeoutSeconds))
    app.routes.defaultMaxBodySize = ByteCount(value: RequestLimits.uploadBytes)  // the middleware enforces the real, smaller limits
    app.passwords.use(.bcrypt(cost: settings.bcryptCost))
    app.noteSealing = NoteSealing(key: try NoteSealing.key(for: settings))

    switch settings.database {
    case .sqliteFile(let path):
        // Reads outside a transaction run on the thread that asks (`SQLiteReader`).
        app.databases.use(SQLiteReader.factory(path: path), as: .sqlite)
        // Connections of their own for long transactions (`Application.longWorkDB`).
        app.databases.use(SQLiteReader.factory(path: path), as: .longWork, isDefault: false)
    case .sqliteMemory:
        app.databases.use(.sqlite(.memory), as: .sqlite)
    case .postgres(let url):
        var configuration = try SQLPostgresConfiguration(url: url)
        // Statements a connection keeps are planned once, for every value (`PostgresStatements`);
        // the others are sent with their values written in and planned for them (`PlainRows`).
        configuration.coreConfiguration.options.additionalStartupParameters.append(("plan_cache_mode", "force_generic_plan"))
        app.databases.use(.postgres(configuration: configuration, maxConnectionsPerEventLoop: settings.databaseConnectionsPerLoop), as: .psql)
    }
    if case .sqliteFile = settings.database, let sql = app.db as? any SQLDatabase {
        // Write-ahead logging: readers never wait for the writer and the writer never waits for
        // readers. The setting is stored in the file, so every process that opens it uses it.
        try await sql.raw("PRAGMA journal_mode = WAL").run()
    }
    app.migrations.add(M0001_CreateAccountsAndProfiles())
    app.migrations.add(M0002_AddSearchIndexes())
    app.migrations.add(M0003_CreateImportJobs())
    app.migrations.add(M0004_CreateDirectoryCounts())
    app.migrations.add(M0005_CreatePeopleSearch())
    app.migrations.add(M0006_CreateMatchIndex())
    app.migrations.add(M0007_TunePostgresPlanner())
    app.migrations.add(M0008_AlignCapacityWithRole())
    app.migrations.add(M0009_CreateSearchOrder())
    app.migrations.add(M0010_TurnOffPostgresJIT())
    app.migrations.add(M0011_IndexTagsByPersonAndKey())
    app.migrations.add(M0012_AllowImportWithoutRole())
    app.migrations.add(M0013_KeepNameMarks())
    app.migrations.add(M0014_KeepTagHolders())
    app.migrations.add(M0015_DropTagKindKeyIndex())
    app.migrations.add(M0016_StageKeptTags())
    app.migrations.add(M0017_SpellOutPlusAndSharp())
    app.migrations.add(M0018_ComposeLoweredText())
    app.migrations.add(M0019_CreatePrograms())
    app.migrations.add(M0020_CreateMatchRuns())
    app.migrations.add(M0021_CreateRankings())
    app.migrations.add(M0022_CreateAgreements())
    app.migrations.add(M0023_CreateMeetings())
    app.migrations.add(M0024_CreateGoals())
    app.migrations.add(M0025_CreateFeedbackAndJournal())
    app.migrations.add(M0026_AddMeetingsSettingAndPairIndex())
    app.migrations.add(M0027_IndexSearchTagsByPerson())
    app.migrations.add(M0028_CheckTagProfilesPerStatement())
    app.migrations.add(M0029_LeaseStagedImports())
    app.migrations.add(M0030_MendTagProfileCheck())

    // Order matters: errors outermost so they see everything; headers on every answer; the
    // session before CSRF, which reads the form and allows a large body only to a program
    // manager's upload; both before any route.
    app.middleware = .init()
    app.middleware.use(TrellisErrorMiddleware())
    app.middleware.use(SecurityHeadersMiddleware(secure: settings.secureCookies))
    app.middleware.use(APIMethodMiddleware())
    app.middleware.use(BodylessMethodLimitMiddleware())
    app.middleware.use(SessionMiddleware(settings: settings))
    app.middleware.use(CSRFMiddleware(secure: settings.secureCookies))

    try routes(app)

    // Background work: what each kind of job does (any server instance may run it).
    // A run's long transaction holds a connection of its own (`longWorkDB`), not an event loop's.
    JobQueue.register(ProgramMatching.jobKind) { subject, app in try await ProgramMatching.execute(runID: subject, on: app.longWorkDB, logger: app.logger) }
    JobQueue.onAbandoned(ProgramMatching.jobKind) { subject, message, tx in try await ProgramMatching.fail(subject, message, on: tx) }
    JobQueue.register(Requests.expiryJob) { subject, app in try await Requests.expire(subject, on: app.db) }

    app.asyncCommands.use(ServeTrellisCommand(), as: "serve", isDefault: true)
    app.asyncCommands.use(MigrateTrellisCommand(), as: "migrate")
    app.asyncCommands.use(DemoCommand(), as: "demo")
    app.asyncCommands.use(CreateAdminCommand(), as: "create-admin")
    app.asyncCommands.use(ImportCommand(), as: "import")
    app.asyncCommands.use(ExportCommand(), as: "export")
    app.asyncCommands.use(MatchCommand(), as: "match")
    app.asyncCommands.use(ProgramCommands(), as: "program")
}

/// The entry point of the `trellis` executable.
public enum TrellisMain {
    /// A lone "-" (standard output, as in `trellis export people -`), as commands receive it: the
    /// command-line parser would read anything starting with "-" as an option.
    static let standardStream = "\u{2}-"

    static func commandArguments(_ arguments: [String]) -> [String] {
        arguments.map { $0 == "-" ? standardStream : $0 }
    }

    /// Makes the event loops that serve requests also run Swift concurrency's tasks, instead of
    /// a separate pool of threads: every database read a handler awaits otherwise came back
    /// through one more thread, and at 50,000 people a directory page spent a quarter of its time
    /// in the kernel switching threads. Called first thing on the main thread, before anything
    /// asynchronous runs; nothing happens when it cannot (the tests run in Swift's own pool).
    /// Two rules follow, both kept: nothing blocks a thread waiting on a future (`.wait()`), and
    /// long computations run on `LongWork`'s thread, not on an event loop.
    public static func shareEventLoops() {
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
    }

    public static func run() async throws {
        // `match` works on files alone: no database, no server, so it runs before Vapor starts
        // (the same ConsoleKit command is listed in `trellis --help`).
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "match" {
            exit(await MatchCommand.run(Array(arguments.dropFirst())))
        }
        var environment = try Environment.detect()
        environment.arguments = commandArguments(environment.arguments)
        try LoggingSystem.bootstrap(from: &environment)
        let app = try await Application.make(environment)
        do {
            try await configure(app, settings: .fromEnvironment())
            try await app.execute()
        } catch let failure as ExitCode {
            // The command said what went wrong already: end with its status, not a crash report.
            try? await app.asyncShutdown()
            exit(failure.code)
        } catch {
            app.logger.report(error: error)
            try? await app.asyncShutdown()
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            exit(1)
        }
        try await app.asyncShutdown()
    }
}
