import Fluent
import Foundation

/// A people import through the web: the uploaded file, kept on the server between preview and
/// confirm (bound to the program manager who uploaded it, and expiring), then the background job
/// that applies it, with its progress and outcome.
final class ImportJob: Model, @unchecked Sendable {
    static let schema = "import_jobs"

    enum State: String, Sendable {
        /// Uploaded and previewed; waiting for the program manager to confirm.
        case previewed
        /// Confirmed; being checked again and written in the background.
        case running
        case done
        case failed
    }

    /// How long an uploaded file waits for its confirmation.
    static let lifetime: TimeInterval = 60 * 60
    /// A running job whose server has not reported for this long has stopped (the server went
    /// away); nothing of it was applied, since the final step is one transaction.
    static let stalledAfter: TimeInterval = 5 * 60

    @ID(key: .id) var id: UUID?
    @Field(key: "admin_id") var adminID: UUID
    @Field(key: "filename") var filename: String
    @Field(key: "csv") var csv: String
    @Field(key: "state") var state: String
    @Field(key: "total_rows") var totalRows: Int
    @Field(key: "staged_rows") var stagedRows: Int
    @Field(key: "created_count") var createdCount: Int
    @Field(key: "updated_count") var updatedCount: Int
    @Field(key: "unchanged_count") var unchangedCount: Int
    @Field(key: "message") var message: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "heartbeat_at") var heartbeatAt: Date?
    @OptionalField(key: "finished_at") var finishedAt: Date?

    init() {}

    init(adminID: UUID, filename: String, csv: String, totalRows: Int, now: Date = Date()) {
        self.adminID = adminID
        self.filename = filename
        self.csv = csv
        state = State.previewed.rawValue
        self.totalRows = totalRows
        stagedRows = 0
        createdCount = 0
        updatedCount = 0
        unchangedCount = 0
        message = ""
        createdAt = now
        expiresAt = now.addingTimeInterval(Self.lifetime)
    }

    var jobState: State { State(rawValue: state) ?? .failed }

    func isStalled(now: Date = Date()) -> Bool {
        jobState == .running && now.timeIntervalSince(heartbeatAt ?? createdAt) > Self.stalledAfter
    }
}
