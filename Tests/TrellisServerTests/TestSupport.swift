import Fluent
import FluentSQL
import Foundation
import Testing
@testable import TrellisServer
import TrellisCore
import VaporTesting

/// The settings every server test runs with: a new SQLite file of its own by default, as `serve`
/// uses (WAL, and reads on the asking thread through `SQLiteReader`; removed after the test),
/// in-memory SQLite with `TRELLIS_TEST_SQLITE=memory`, PostgreSQL when `TRELLIS_TEST_DATABASE_URL`
/// is set (CI runs both). Bcrypt's cost is lowered to keep tests fast.
func testSettings() -> TrellisSettings {
    let environment = ProcessInfo.processInfo.environment
    if let url = environment["TRELLIS_TEST_DATABASE_URL"], !url.isEmpty {
        var settings = TrellisSettings(database: .postgres(url), baseURL: "http://trellis.test", bcryptCost: 4)
        settings.notesKey = Data((0..<32).map { _ in UInt8.random(in: 0...255) })
        return settings
    }
    if environment["TRELLIS_TEST_SQLITE"] == "memory" {
        return TrellisSettings(database: .sqliteMemory, baseURL: "http://trellis.test", bcryptCost: 4)
    }
    return TrellisSettings(database: .sqliteFile(testDatabaseFolder.appendingPathComponent("\(UUID().uuidString).sqlite").path), baseURL: "http://trellis.test", bcryptCost: 4)
}

/// Where the tests' SQLite files go (each removed with its test).
let testDatabaseFolder: URL = {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("trellis-tests")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder
}()

/// Removes a test's SQLite file and its log, if it made one in `testDatabaseFolder`.
func removeTestDatabase(_ settings: TrellisSettings) {
    guard case .sqliteFile(let path) = settings.database, path.hasPrefix(testDatabaseFolder.path) else { return }
    for suffix in ["", "-wal", "-shm", ".key"] { try? FileManager.default.removeItem(atPath: path + suffix) }
}

var usingPostgres: Bool {
    if case .postgres = testSettings().database { return true }
    return false
}

/// Runs a test against a freshly migrated, empty database.
func withTrellis(settings: TrellisSettings = testSettings(), _ test: (Application) async throws -> Void) async throws {
    let app = try await Application.make(.testing)
    do {
        try await configure(app, settings: settings)
        if usingPostgres, let sql = app.db as? any SQLDatabase {
            // A clean schema for every test: the suite is serialized when it shares one database.
            try await sql.raw("DROP SCHEMA public CASCADE").run()
            try await sql.raw("CREATE SCHEMA public").run()
        }
        try await app.autoMigrate()
        try await test(app)
    } catch {
        try? await app.asyncShutdown()
        removeTestDatabase(settings)
        throw error
    }
    try await app.asyncShutdown()
    removeTestDatabase(settings)
}

/// A browser for tests: keeps cookies between requests and adds the CSRF token to every form.
struct Browser {
    let app: Application
    var cookies: [String: String] = [:]
    /// Headers sent with every request.
    var headers: HTTPHeaders = [:]

    init(_ app: Application) { self.app = app }

    var csrf: String? { cookies[CSRFMiddleware.cookieName] }

    @discardableResult
    mutating func get(_ path: String, headers: HTTPHeaders = [:]) async throws -> TestingHTTPResponse {
        try await send(.GET, path, headers: headers, body: nil)
    }

    /// Posts a url-encoded form; the CSRF token is fetched and added unless `csrf` is given.
    @discardableResult
    mutating func post(_ path: String, _ fields: [(String, String)] = [], csrf override: String? = nil, addCSRF: Bool = true) async throws -> TestingHTTPResponse {
        if csrf == nil { try await get("/sign-in") }
        var all = fields
        if addCSRF { all.append(("csrf", override ?? csrf ?? "")) }
        var headers = HTTPHeaders()
        headers.contentType = .urlEncodedForm
        return try await send(.POST, path, headers: headers, body: ByteBuffer(string: Browser.encode(all)))
    }

    /// Posts a multipart form with one file.
    @discardableResult
    mutating func upload(_ path: String, file: Data, filename: String, field: String = "file") async throws -> TestingHTTPResponse {
        if csrf == nil { try await get("/sign-in") }
        let boundary = "trellis-test-boundary-7d1f"
        var body = Data()
        body.append("--\(boundary)\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n\(csrf ?? "")\r\n".data(using: .utf8)!)
        body.append("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"\(filename)\"\r\nContent-Type: text/csv\r\n\r\n".data(using: .utf8)!)
        body.append(file)
        body.append("\r\n--\(boundary)--\r\n".data(using: .utf8)!)
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        return try await send(.POST, path, headers: headers, body: ByteBuffer(data: body))
    }

    mutating func send(_ method: HTTPMethod, _ path: String, headers: HTTPHeaders, body: ByteBuffer?) async throws -> TestingHTTPResponse {
        var headers = headers
        for (name, value) in self.headers where !headers.contains(name: name) { headers.add(name: name, value: value) }
        if !cookies.isEmpty {
            headers.replaceOrAdd(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        var captured: TestingHTTPResponse?
        try await app.testing().test(method, path, headers: headers, body: body) { response in
            captured = response
        }
        let response = captured!
        for value in response.headers[.setCookie] {
            let pair = value.split(separator: ";", maxSplits: 1)[0]
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            if parts[1].isEmpty || value.contains("Max-Age=0") { cookies[parts[0]] = nil } else { cookies[parts[0]] = parts[1] }
        }
        return response
    }

    static func encode(_ fields: [(String, String)]) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return fields.map { "\($0.0.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&")
    }

    /// Signs in and checks that it worked.
    mutating func signIn(_ email: String, _ password: String = TestPeople.password) async throws {
        let response = try await post("/sign-in", [("email", email), ("password", password), ("next", "/")])
        #expect(response.status == .seeOther, "sign-in as \(email) failed: \(response.body.string.prefix(300))")
    }
}

/// People most tests start from: an admin and two participants, all with the same password.
enum TestPeople {
    static let password = "correct horse battery"
    static let admin = "admin@example.org"
    static let alice = "alice@example.org"
    static let bob = "bob@example.org"

    @discardableResult
    static func create(on app: Application) async throws -> (admin: User, alice: User, bob: User) {
        let hash = try Bcrypt.hash(password, cost: 4)
        let admin = try await PeopleStore.createPerson(email: Self.admin, name: "Ada Admin", role: .admin, passwordHash: hash, on: app.db)
        let alice = try await PeopleStore.createPerson(email: Self.alice, name: "Alice Ahmed", role: .participant, passwordHash: hash, on: app.db)
        let bob = try await PeopleStore.createPerson(email: Self.bob, name: "Bob Brown", role: .participant, passwordHash: hash, on: app.db)
        return (admin, alice, bob)
    }
}

extension TestingHTTPResponse {
    var location: String? { headers.first(name: .location) }
    var text: String { body.string }
}

/// The root of every server test, serialized so that the PostgreSQL run can share one database.
@Suite(.serialized) struct ServerTests {}
