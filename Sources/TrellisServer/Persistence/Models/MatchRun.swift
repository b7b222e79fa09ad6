import Fluent
import Foundation
import TrellisCore
import TrellisMatching

/// A piece of background work (`JobQueue`).
final class Job: Model, @unchecked Sendable {
    static let schema = "jobs"

    enum State: String, Sendable { case queued, running, done, failed }

    @ID(key: .id) var id: UUID?
    @Field(key: "kind") var kind: String
    @Field(key: "subject_id") var subjectID: UUID
    @Field(key: "state") var state: String
    @OptionalField(key: "claimed_by") var claimedBy: String?
    @Field(key: "attempts") var attempts: Int
    @Field(key: "run_after") var runAfter: Date
    @OptionalField(key: "heartbeat_at") var heartbeatAt: Date?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "finished_at") var finishedAt: Date?
    @Field(key: "message") var message: String

    init() {}

    init(kind: String, subjectID: UUID, now: Date = Date()) {
        id = OrderedUUID.make(now: now)
        self.kind = kind
        self.subjectID = subjectID
        state = State.queued.rawValue
        attempts = 0
        runAfter = now
        createdAt = now
        message = ""
    }

    var jobState: State { State(rawValue: state) ?? .failed }
}

/// One matching run of a program: what it was made with, where it is, and its totals.
final class MatchRun: Model, @unchecked Sendable {
    static let schema = "match_runs"

    enum State: String, Sendable { case queued, running, done, failed }

    /// How a run pairs people: the proven-best total score (bulk programs), or a stable match
    /// from both sides' rankings (preference programs).
    enum Algorithm: String, Sendable { case optimal, stable }

    @ID(key: .id) var id: UUID?
    @Field(key: "program_id") var programID: UUID
    @Field(key: "number") var number: Int
    @OptionalField(key: "started_by") var startedBy: UUID?
    @Field(key: "state") var state: String
    @Field(key: "settings") var settings: String
    @Field(key: "roster_version") var rosterVersion: Int
    @Field(key: "decisions_version") var decisionsVersion: Int
    @Field(key: "phase") var phase: String
    @Field(key: "progress") var progress: Double
    @Field(key: "mentors") var mentors: Int
    @Field(key: "mentees") var mentees: Int
    @Field(key: "matched") var matched: Int
    @Field(key: "total_score") var totalScore: Int64
    @Field(key: "greedy_total") var greedyTotal: Int64
    @Field(key: "greedy_matched") var greedyMatched: Int
    @Field(key: "proven_optimal") var provenOptimal: Bool
    /// `Algorithm`. The greedy columns hold what the run is compared with: the greedy match for an
    /// optimal run, the proven-best total for a stable one.
    @Field(key: "algorithm") var algorithm: String
    @Field(key: "message") var message: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "started_at") var startedAt: Date?
    @OptionalField(key: "finished_at") var finishedAt: Date?
    @OptionalField(key: "published_at") var publishedAt: Date?

    init() {}

    init(program: Program, number: Int, startedBy: UUID?, now: Date = Date()) throws {
        id = OrderedUUID.make(now: now)
        programID = try program.requireID()
        self.number = number
        self.startedBy = startedBy
        state = State.queued.rawValue
        settings = Self.settings(of: program)
        rosterVersion = program.rosterVersion
        decisionsVersion = program.decisionsVersion
        phase = "queued"
        progress = 0
        mentors = program.mentorCount
        mentees = program.menteeCount
        matched = 0
        totalScore = 0
        greedyTotal = 0
        greedyMatched = 0
        provenOptimal = false
        algorithm = (program.matchingMode == .preference ? Algorithm.stable : .optimal).rawValue
        message = ""
        createdAt = now
    }

    var runState: State { State(rawValue: state) ?? .failed }
    var runAlgorithm: Algorithm { Algorithm(rawValue: algorithm) ?? .optimal }

    /// The settings a run depends on, as one comparable text: rules and weights.
    static func settings(of program: Program) -> String {
        "exclude_same_department=\(program.excludeSameDepartment);minimum_score=\(program.minimumScore);allow_repeat_pairs=\(program.allowRepeatPairs);weights=\(program.weightsJSON)"
    }

    /// Why publishing this run now would publish something other than what the program is:
    /// participants, settings or review decisions changed since it ran. Nil when it is current.
    func staleness(for program: Program) -> String? {
        if rosterVersion != program.rosterVersion { return "Participants (or their rankings) changed after this run was made. Run matching again, then publish the new run." }
        if settings != Self.settings(of: program) { return "The program's rules or weights changed after this run was made. Run matching again, then publish the new run." }
        if decisionsVersion != program.decisionsVersion { return "Locks, exclusions or manual pairs changed after this run was made. Run matching again, then publish the new run." }
        return nil
    }
}

/// A review decision on a pair of a program (`MatchDecision.Kind`).
final class MatchDecision: Model, @unchecked Sendable {
    static let schema = "match_decisions"

    enum Kind: String, Sendable, CaseIterable {
        /// Keep this proposed pair in every re-run.
        case lock
        /// Never make this pair.
        case exclude
        /// A pair the manager made by hand (kept like a lock).
        case manual
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "program_id") var programID: UUID
    @Field(key: "mentee_id") var menteeID: UUID
    @Field(key: "mentor_id") var mentorID: UUID
    @Field(key: "kind") var kind: String
    @OptionalField(key: "created_by") var createdBy: UUID?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(programID: UUID, menteeID: UUID, mentorID: UUID, kind: Kind, createdBy: UUID?, now: Date = Date()) {
        self.programID = programID
        self.menteeID = menteeID
        self.mentorID = mentorID
        self.kind = kind.rawValue
        self.createdBy = createdBy
        createdAt = now
    }

    var decisionKind: Kind { Kind(rawValue: kind) ?? .exclude }
}

/// An in-app notification: something that happened that a person should know.
final class InAppNotification: Model, @unchecked Sendable {
    static let schema = "notifications"

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "title") var title: String
    @Field(key: "body") var body: String
    @Field(key: "link") var link: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "read_at") var readAt: Date?

    init() {}

    init(userID: UUID, kind: String, title: String, body: String, link: String, now: Date = Date()) {
        id = OrderedUUID.make(now: now)
        self.userID = userID
        self.kind = kind
        self.title = title
        self.body = body
        self.link = link
        createdAt = now
    }
}

/// A mentee's request to a mentor in a self-select program.
final class MentoringRequest: Model, @unchecked Sendable {
    static let schema = "mentoring_requests"

    @ID(key: .id) var id: UUID?
    @Field(key: "program_id") var programID: UUID
    @Field(key: "mentee_id") var menteeID: UUID
    @Field(key: "mentor_id") var mentorID: UUID
    @Field(key: "note") var note: String
    @Field(key: "state") var state: String
    @Field(key: "answer") var answer: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "answered_at") var answeredAt: Date?

    init() {}

    init(programID: UUID, menteeID: UUID, mentorID: UUID, note: String, now: Date, expiryDays: Int) {
        id = OrderedUUID.make(now: now)
        self.programID = programID
        self.menteeID = menteeID
        self.mentorID = mentorID
        self.note = note
        state = RequestState.pending.rawValue
        answer = ""
        createdAt = now
        expiresAt = RequestRules.expiresAt(created: now, days: expiryDays)
    }

    var requestState: RequestState { RequestState(rawValue: state) ?? .withdrawn }
}

/// A mentee's place on a full mentor's waitlist.
final class WaitlistPlace: Model, @unchecked Sendable {
    static let schema = "waitlist_places"

    @ID(key: .id) var id: UUID?
    @Field(key: "program_id") var programID: UUID
    @Field(key: "mentee_id") var menteeID: UUID
    @Field(key: "mentor_id") var mentorID: UUID
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "notified_at") var notifiedAt: Date?

    init() {}

    init(programID: UUID, menteeID: UUID, mentorID: UUID, now: Date) {
        id = OrderedUUID.make(now: now)
        self.programID = programID
        self.menteeID = menteeID
        self.mentorID = mentorID
        createdAt = now
    }
}

/// One entry of a participant's ranking in a preference program: `rankerID` puts `rankedID` at
/// `rank` (1 = first choice).
final class RankingEntry: Model, @unchecked Sendable {
    static let schema = "rankings"

    @ID(key: .id) var id: UUID?
    @Field(key: "program_id") var programID: UUID
    @Field(key: "ranker_id") var rankerID: UUID
    @Field(key: "ranked_id") var rankedID: UUID
    @Field(key: "rank") var rank: Int
    @Field(key: "created_at") var createdAt: Date

    init() {}

    init(programID: UUID, rankerID: UUID, rankedID: UUID, rank: Int, now: Date = Date()) {
        id = OrderedUUID.make(now: now)
        self.programID = programID
        self.rankerID = rankerID
        self.rankedID = rankedID
        self.rank = rank
        createdAt = now
    }
}
