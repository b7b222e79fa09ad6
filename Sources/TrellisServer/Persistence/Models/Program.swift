import Fluent
import Foundation
import TrellisCore
import TrellisMatching

/// A mentoring program (cohort): its settings (`ProgramDraft`), where it is in its life
/// (`ProgramState`), and the numbers of its roster.
final class Program: Model, @unchecked Sendable {
    static let schema = "programs"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "description") var description: String
    @Field(key: "purpose") var purpose: String
    @Field(key: "mode") var mode: String
    @Field(key: "state") var state: String
    @OptionalField(key: "enrolment_opens") var enrolmentOpens: String?
    @OptionalField(key: "enrolment_closes") var enrolmentCloses: String?
    @OptionalField(key: "starts") var starts: String?
    @OptionalField(key: "ends") var ends: String?
    @Field(key: "exclude_same_department") var excludeSameDepartment: Bool
    @Field(key: "minimum_score") var minimumScore: Double
    @Field(key: "allow_repeat_pairs") var allowRepeatPairs: Bool
    @Field(key: "maximum_open_requests") var maximumOpenRequests: Int
    @Field(key: "request_expiry_days") var requestExpiryDays: Int
    @Field(key: "weights") var weightsJSON: String
    @Field(key: "meetings_in_trellis") var meetingsInTrellis: Bool
    @Field(key: "mentor_count") var mentorCount: Int
    @Field(key: "mentee_count") var menteeCount: Int
    @Field(key: "roster_version") var rosterVersion: Int
    /// Preference programs: how many mentees and mentors have a ranking (`Rankings`).
    @Field(key: "mentees_ranked") var menteesRanked: Int
    @Field(key: "mentors_ranked") var mentorsRanked: Int
    @Field(key: "decisions_version") var decisionsVersion: Int
    @OptionalField(key: "created_by") var createdBy: UUID?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    init(_ draft: ProgramDraft, weights: MatchWeights, createdBy: UUID?, now: Date) {
        state = ProgramState.draft.rawValue
        mentorCount = 0
        menteeCount = 0
        rosterVersion = 0
        menteesRanked = 0
        mentorsRanked = 0
        decisionsVersion = 0
        self.createdBy = createdBy
        createdAt = now
        updatedAt = now
        apply(draft, weights: weights)
    }

    var programState: ProgramState { ProgramState(rawValue: state) ?? .draft }
    var matchingMode: MatchingMode { MatchingMode(rawValue: mode) ?? .bulk }

    var weights: MatchWeights {
        (try? JSONDecoder().decode(MatchWeights.self, from: Data(weightsJSON.utf8))) ?? MatchWeights()
    }

    var draft: ProgramDraft {
        ProgramDraft(
            name: name, description: description, purpose: purpose, mode: matchingMode,
            enrolmentOpens: enrolmentOpens.flatMap(CalendarDay.init), enrolmentCloses: enrolmentCloses.flatMap(CalendarDay.init),
            starts: starts.flatMap(CalendarDay.init), ends: ends.flatMap(CalendarDay.init),
            excludeSameDepartment: excludeSameDepartment, minimumScore: minimumScore, allowRepeatPairs: allowRepeatPairs,
            maximumOpenRequests: maximumOpenRequests, requestExpiryDays: requestExpiryDays, meetingsInTrellis: meetingsInTrellis
        )
    }

    /// Copies validated settings.
    func apply(_ draft: ProgramDraft, weights: MatchWeights) {
        name = draft.name
        description = draft.description
        purpose = draft.purpose
        mode = draft.mode.rawValue
        enrolmentOpens = draft.enrolmentOpens?.description
        enrolmentCloses = draft.enrolmentCloses?.description
        starts = draft.starts?.description
        ends = draft.ends?.description
        excludeSameDepartment = draft.excludeSameDepartment
        minimumScore = draft.minimumScore
        allowRepeatPairs = draft.allowRepeatPairs
        maximumOpenRequests = draft.maximumOpenRequests
        requestExpiryDays = draft.requestExpiryDays
        meetingsInTrellis = draft.meetingsInTrellis
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        weightsJSON = String(decoding: (try? encoder.encode(weights)) ?? Data("{}".utf8), as: UTF8.self)
    }
}

/// A person's place in a program, as mentor or mentee.
final class Enrolment: Model, @unchecked Sendable {
    static let schema = "enrolments"

    @ID(key: .id) var id: UUID?
    @Field(key: "program_id") var programID: UUID
    @Field(key: "user_id") var userID: UUID
    @Field(key: "role") var role: String
    @OptionalField(key: "capacity") var capacity: Int?
    @Field(key: "statement") var statement: String
    @Field(key: "self_joined") var selfJoined: Bool
    @Field(key: "paused") var paused: Bool
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(programID: UUID, userID: UUID, role: ProgramRole, capacity: Int?, statement: String, selfJoined: Bool, now: Date) {
        id = OrderedUUID.make(now: now)
        self.programID = programID
        self.userID = userID
        self.role = role.rawValue
        self.capacity = capacity
        self.statement = statement
        self.selfJoined = selfJoined
        paused = false
        createdAt = now
    }

    var programRole: ProgramRole { ProgramRole(rawValue: role) ?? .mentee }
}

/// A pair a program made: a mentor and a mentee working together.
final class Mentorship: Model, @unchecked Sendable {
    static let schema = "mentorships"

    @ID(key: .id) var id: UUID?
    @Field(key: "program_id") var programID: UUID
    @Field(key: "mentor_id") var mentorID: UUID
    @Field(key: "mentee_id") var menteeID: UUID
    @Field(key: "state") var state: String
    @Field(key: "started_on") var startedOn: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// An enrolment CSV waiting for its program manager's confirmation (`EnrolmentCSV`).
final class EnrolmentUpload: Model, @unchecked Sendable {
    static let schema = "enrolment_uploads"
    static let lifetime: TimeInterval = 60 * 60

    @ID(key: .id) var id: UUID?
    @Field(key: "program_id") var programID: UUID
    @Field(key: "admin_id") var adminID: UUID
    @Field(key: "filename") var filename: String
    @Field(key: "csv") var csv: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date

    init() {}

    init(programID: UUID, adminID: UUID, filename: String, csv: String, now: Date = Date()) {
        self.programID = programID
        self.adminID = adminID
        self.filename = filename
        self.csv = csv
        createdAt = now
        expiresAt = now.addingTimeInterval(Self.lifetime)
    }
}
