import Foundation

/// Everything the server reads from its environment, with safe local defaults:
/// no configuration at all gives a working server on `./trellis.sqlite`.
public struct TrellisSettings: Sendable {
    public enum DatabaseChoice: Sendable, Equatable {
        case sqliteFile(String)
        case sqliteMemory
        case postgres(String)

        public var description: String {
            switch self {
            case .sqliteFile(let path): "SQLite file \(path)"
            case .sqliteMemory: "in-memory SQLite"
            case .postgres: "PostgreSQL"
            }
        }
    }

    public var database: DatabaseChoice
    public var hostname: String
    public var port: Int
    /// The address people use to reach the server; invitation links are built from it.
    public var baseURL: String
    /// Whether `baseURL` was given (`TRELLIS_BASE_URL`); if not, it follows the port actually served.
    public var baseURLIsExplicit: Bool
    /// Bcrypt work factor. 12 in production; tests lower it so they stay fast.
    public var bcryptCost: Int
    /// How long a session lives; each use (at most hourly) extends it by this much.
    public var sessionLifetime: TimeInterval = 14 * 24 * 3600
    /// Addresses of reverse proxies in front of the server. A request from one of them is
    /// attributed to the address it names in X-Forwarded-For (sign-in throttling counts failures
    /// per address); from anywhere else the header is ignored, so it cannot be forged.
    public var trustedProxies: Set<String> = []
    /// PostgreSQL connections per event loop (one event loop per core). Fluent's default of one
    /// made every request of a loop wait at the database for the one before it. (SQLite's driver
    /// keeps one per loop whatever is asked: its work is on this machine's cores anyway.)
    public var databaseConnectionsPerLoop = 4
    /// The key that seals private notes and journal entries at rest (`TRELLIS_NOTES_KEY`, 32
    /// bytes as base64). Without it, SQLite keeps a key file beside the database (made on first
    /// start); PostgreSQL uses `trellis-notes.key` in the working directory (`NoteSealing`).
    public var notesKey: Data? = nil
    /// A connection that sends and receives nothing for this long is closed: a client that opens
    /// connections and sends half a request cannot hold them (and the server's file handles)
    /// for ever. Reading and writing both count, so a slow download that keeps moving is not cut.
    public var idleTimeoutSeconds = 60

    public init(database: DatabaseChoice, hostname: String = "127.0.0.1", port: Int = 8080, baseURL: String? = nil, bcryptCost: Int = 12) {
        self.database = database
        self.hostname = hostname
        self.port = port
        self.baseURL = (baseURL ?? "http://localhost:\(port)").trimmingSuffix("/")
        baseURLIsExplicit = baseURL != nil
        self.bcryptCost = bcryptCost
    }

    public var secureCookies: Bool { baseURL.lowercased().hasPrefix("https://") }

    /// Reads `DATABASE_URL`, `HOST`, `PORT`, `TRELLIS_BASE_URL`, `TRELLIS_BCRYPT_COST` and
    /// `TRELLIS_TRUSTED_PROXIES` (addresses separated by commas) and `TRELLIS_DB_CONNECTIONS`
    /// (PostgreSQL connections per core, 1–64) and `TRELLIS_IDLE_TIMEOUT` (seconds, 1–3600).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> TrellisSettings {
        let port = environment["PORT"].flatMap(Int.init) ?? 8080
        let database: DatabaseChoice
        if let url = environment["DATABASE_URL"], !url.isEmpty {
            if url.hasPrefix("postgres://") || url.hasPrefix("postgresql://") {
                database = .postgres(url)
            } else if url.hasPrefix("sqlite://") {
                let path = String(url.dropFirst("sqlite://".count))
                database = path == ":memory:" ? .sqliteMemory : .sqliteFile(path)
            } else {
                database = .sqliteFile(url)
            }
        } else {
            database = .sqliteFile("trellis.sqlite")
        }
        var settings = TrellisSettings(
            database: database,
            hostname: environment["HOST"] ?? "127.0.0.1",
            port: port,
            baseURL: environment["TRELLIS_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 },
            bcryptCost: environment["TRELLIS_BCRYPT_COST"].flatMap(Int.init).map { min(max($0, 4), 31) } ?? 12
        )
        if let idle = environment["TRELLIS_IDLE_TIMEOUT"].flatMap(Int.init) {
            settings.idleTimeoutSeconds = min(max(idle, 1), 3600)
        }
        if let connections = environment["TRELLIS_DB_CONNECTIONS"].flatMap(Int.init) {
            settings.databaseConnectionsPerLoop = min(max(connections, 1), 64)
        }
        if let key = environment["TRELLIS_NOTES_KEY"], !key.isEmpty { settings.notesKey = Data(base64Encoded: key) ?? Data() }
        settings.trustedProxies = Set((environment["TRELLIS_TRUSTED_PROXIES"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        return settings
    }
}

extension String {
    func trimmingSuffix(_ suffix: String) -> String {
        var copy = self
        while copy.hasSuffix(suffix) { copy.removeLast(suffix.count) }
        return copy
    }
}
