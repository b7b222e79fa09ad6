import Foundation
import TrellisCore
import TrellisMatching
import Vapor

/// Times as the API writes them: ISO 8601 in UTC ("2027-03-01T09:30:00Z").
enum APITime {
    static func text(_ date: Date?) -> String? {
        date.map { $0.formatted(.iso8601) }
    }
}

/// A program's rules, as the API reads and writes them.
struct ProgramRulesDTO: Content, Equatable {
    var exclude_same_department: Bool
    var minimum_score: Double
    var allow_repeat_pairs: Bool
    var maximum_open_requests: Int
    var request_expiry_days: Int
}

/// `Program` in the document.
struct ProgramDTO: Content {
    var id: UUID
    var name: String
    var description: String
    var purpose: String
    var mode: String
    var state: String
    var next_step: String
    @Null var enrolment_opens: String?
    @Null var enrolment_closes: String?
    @Null var starts: String?
    @Null var ends: String?
    var mentors: Int
    var mentees: Int
    /// The caller's role in the program, or null.
    @Null var my_role: String?
    var rules: ProgramRulesDTO
    /// Whether pairs propose and plan meetings in Trellis (false: they meet only outside it).
    var meetings_in_trellis: Bool
    /// Factor key → weight.
    var weights: [String: Double]

    init(_ program: Program, myRole: ProgramRole?) throws {
        let draft = program.draft
        id = try program.requireID()
        name = program.name
        description = program.description
        purpose = program.purpose
        mode = program.matchingMode.rawValue
        state = program.programState.rawValue
        next_step = program.programState.nextStep(mode: program.matchingMode)
        enrolment_opens = draft.enrolmentOpens?.description
        enrolment_closes = draft.enrolmentCloses?.description
        starts = draft.starts?.description
        ends = draft.ends?.description
        mentors = program.mentorCount
        mentees = program.menteeCount
        my_role = myRole?.rawValue
        rules = ProgramRulesDTO(
            exclude_same_department: program.excludeSameDepartment, minimum_score: program.minimumScore, allow_repeat_pairs: program.allowRepeatPairs,
            maximum_open_requests: program.maximumOpenRequests, request_expiry_days: program.requestExpiryDays
        )
        meetings_in_trellis = program.meetingsInTrellis
        let stored = program.weights
        weights = Dictionary(uniqueKeysWithValues: MatchWeights.factors.map { ($0.key, stored[keyPath: $0.keyPath]) })
    }
}

/// `ProgramInput`: a new program, or the fields of one to change (fields left out keep their
/// value; on creation, their default).
struct ProgramInputDTO: Content {
    var name: String?
    var description: String?
    var purpose: String?
    var mode: String?
    var enrolment_opens: String?
    var enrolment_closes: String?
    var starts: String?
    var ends: String?
    var exclude_same_department: Bool?
    var minimum_score: Double?
    var allow_repeat_pairs: Bool?
    var maximum_open_requests: Int?
    var request_expiry_days: Int?
    var meetings_in_trellis: Bool?
    var weights: [String: Double]?

    static let wholeNumbers: [String: ClosedRange<Int>] = [
        "maximum_open_requests": ProgramRules.openRequests.range, "request_expiry_days": ProgramRules.expiryDays.range,
    ]

    static let fieldNames: Set<String> = [
        "name", "description", "purpose", "mode", "enrolment_opens", "enrolment_closes", "starts", "ends", "exclude_same_department",
        "minimum_score", "allow_repeat_pairs", "maximum_open_requests", "request_expiry_days", "meetings_in_trellis", "weights",
    ]

    /// The sent fields over `form` (the stored program's settings, or a new program's), as the
    /// web form would carry them, so that both are checked by the same rules. Days sent as null
    /// are cleared.
    func over(_ base: ProgramForm, sentKeys: Set<String>) -> ProgramForm {
        var form = base
        if let name { form.name = name }
        if let description { form.description = description }
        if let purpose { form.purpose = purpose }
        if let mode { form.mode = mode }
        if sentKeys.contains("enrolment_opens") { form.enrolment_opens = enrolment_opens ?? "" }
        if sentKeys.contains("enrolment_closes") { form.enrolment_closes = enrolment_closes ?? "" }
        if sentKeys.contains("starts") { form.starts = starts ?? "" }
        if sentKeys.contains("ends") { form.ends = ends ?? "" }
        if let exclude_same_department { form.exclude_same_department = exclude_same_department ? "on" : nil }
        if let minimum_score { form.minimum_score = Self.number(minimum_score) }
        if let allow_repeat_pairs { form.allow_repeat_pairs = allow_repeat_pairs ? "on" : nil }
        if let maximum_open_requests { form.maximum_open_requests = String(maximum_open_requests) }
        if let request_expiry_days { form.request_expiry_days = String(request_expiry_days) }
        if let meetings_in_trellis { form.meetings = MeetingsPlace(inTrellis: meetings_in_trellis).rawValue }
        if let weights {
            var texts = form.weightTexts
            for (key, value) in weights { texts[key] = Self.number(value) }
            form.setWeights(texts)
        }
        return form
    }

    /// A JSON number as the form's rules read it: plain decimals, never an exponent (so that
    /// 1e-7 reads as "0.0000001", which the rule refuses for its seven decimals).
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "\(value)" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        var text = String(format: "%.12f", value)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }

    /// Form field names (`weight_timeZone`) as the API names them (`weights.timeZone`).
    static func apiField(_ field: String) -> String {
        field.hasPrefix("weight_") ? "weights." + field.dropFirst("weight_".count) : field
    }
}

extension ProgramForm {
    /// Sets the weights from factor key → text; an unknown key is kept for the check to name.
    mutating func setWeights(_ texts: [String: String]) {
        weight_complementarity = texts["complementarity"]
        weight_sharedInterests = texts["sharedInterests"]
        weight_sharedValues = texts["sharedValues"]
        weight_timeZone = texts["timeZone"]
        weight_language = texts["language"]
        weight_meetingFrequency = texts["meetingFrequency"]
        weight_experience = texts["experience"]
    }
}

/// `Enrolment` in the document: one participant of a program.
struct EnrolmentDTO: Content {
    var id: UUID
    var person: PersonLinkDTO
    var email: String
    var department: String
    var role: String
    @Null var capacity: Int?
    var statement: String
    var self_joined: Bool
    var profile_complete_percent: Int

    init(_ row: ProgramRoster.Row) {
        id = row.enrolmentID
        person = PersonLinkDTO(id: row.userID, name: row.name)
        email = row.email
        department = row.department
        role = row.role.rawValue
        capacity = row.capacity
        statement = row.statement
        self_joined = row.selfJoined
        profile_complete_percent = row.percentComplete
    }
}

struct EnrolmentPageDTO: Content {
    var items: [EnrolmentDTO]
    /// Pass as `after` for the next page (null: this is the last).
    @Null var next_after: UUID?
}

/// `EnrolmentInput`: enrol someone by email.
struct EnrolmentInputDTO: Content {
    var email: String?
    var role: String?
    var capacity: Int?
}

/// `MatchRun` in the document.
struct MatchRunDTO: Content {
    var number: Int
    var state: String
    var algorithm: String
    var phase: String
    var progress: Double
    var mentors: Int
    var mentees: Int
    var matched: Int
    var total_score: Double
    var average_score: Double
    /// Optimal runs: proven the best total. Stable runs: checked stable.
    var proven: Bool
    /// Optimal runs: the greedy baseline. Stable runs: the best total by score alone.
    var comparison_total_score: Double
    var comparison_matched: Int
    var message: String
    var created_at: String
    @Null var finished_at: String?
    @Null var published_at: String?
    /// Why publishing it now is refused (participants, rules or decisions changed), or null.
    @Null var stale: String?

    init(_ run: MatchRun, program: Program) {
        number = run.number
        state = run.runState.rawValue
        algorithm = run.runAlgorithm.rawValue
        phase = run.phase
        progress = run.progress
        mentors = run.mentors
        mentees = run.mentees
        matched = run.matched
        total_score = ScoreUnits.value(run.totalScore)
        average_score = run.matched == 0 ? 0 : ScoreUnits.value(run.totalScore) / Double(run.matched)
        proven = run.provenOptimal
        comparison_total_score = ScoreUnits.value(run.greedyTotal)
        comparison_matched = run.greedyMatched
        message = run.message
        created_at = APITime.text(run.createdAt) ?? ""
        finished_at = APITime.text(run.finishedAt)
        published_at = APITime.text(run.publishedAt)
        if run.runState != .done || run.publishedAt != nil {
            stale = nil
        } else if program.programState == .active || program.programState == .concluded {
            stale = "This program's pairs are already published (by another run, or by accepted requests)."
        } else {
            stale = run.staleness(for: program)
        }
    }
}

struct ReasonDTO: Content {
    var contribution: Double
    var sentence: String
}

/// One row of a run's proposal: a pair, or an unmatched mentee with the reason.
struct RunPairDTO: Content {
    var position: Int
    var mentee: PersonLinkDTO
    @Null var mentor: PersonLinkDTO?
    @Null var score: Double?
    var locked: Bool
    var reasons: [ReasonDTO]

    init(_ row: RunResults.Row) {
        position = row.position
        mentee = PersonLinkDTO(id: row.menteeID, name: row.menteeName)
        mentor = row.mentorID.map { PersonLinkDTO(id: $0, name: row.mentorName ?? "") }
        score = row.mentorID == nil ? nil : ScoreUnits.value(row.score)
        locked = row.locked
        reasons = row.reasons.map { ReasonDTO(contribution: ScoreUnits.value($0.contribution), sentence: $0.sentence) }
    }
}

struct RunPairPageDTO: Content {
    var items: [RunPairDTO]
    /// Pass as `after` for the next page (null: this is the last).
    @Null var next_after: Int?
}

/// `PairNumbers`: one pair of a program as its managers see it, in counts and dates only.
struct PairNumbersDTO: Content {
    struct Agreement: Content {
        /// `not-written`, `waiting` (the latest version waits for a signature) or `signed` (by both).
        var status: String
        @Null var version: Int?
        /// When the latest version was written (null: none yet).
        @Null var written_at: String?
        /// When the latest version both signed got its second signature (null: none yet).
        @Null var signed_at: String?
    }

    var mentorship_id: UUID
    var mentor: PersonLinkDTO
    var mentee: PersonLinkDTO
    var state: String
    var started_on: String
    var agreement: Agreement
    var meetings_held: Int
    var meetings_cancelled: Int
    @Null var last_met: String?
    @Null var next_meeting: String?
    var goals: Int
    var goals_reached: Int
    var milestones: Int
    var milestones_reached: Int
    var open_action_items: Int
    var overdue_action_items: Int
    var feedback_sent: Int
    var thanks_sent: Int
    @Null var last_activity: String?
    var flags: [String]

    init(_ row: ProgramPairs.Row) {
        let n = row.numbers
        mentorship_id = row.mentorshipID
        mentor = PersonLinkDTO(id: row.mentorID, name: row.mentorName)
        mentee = PersonLinkDTO(id: row.menteeID, name: row.menteeName)
        state = row.state.rawValue
        started_on = n.startedOn.description
        switch n.agreement {
        case .notWritten: agreement = Agreement(status: "not-written", version: nil, written_at: nil, signed_at: nil)
        case .waiting(let version, let written, let before): agreement = Agreement(status: "waiting", version: version, written_at: APITime.text(written), signed_at: APITime.text(before))
        case .signed(let version, let written, let on): agreement = Agreement(status: "signed", version: version, written_at: APITime.text(written), signed_at: APITime.text(on))
        }
        meetings_held = n.meetingsHeld
        meetings_cancelled = n.meetingsCancelled
        last_met = APITime.text(n.lastMet)
        next_meeting = APITime.text(n.nextMeeting)
        goals = n.goals
        goals_reached = n.goalsReached
        milestones = n.milestones
        milestones_reached = n.milestonesReached
        open_action_items = n.openActionItems
        overdue_action_items = n.overdueActionItems
        feedback_sent = n.feedbackSent
        thanks_sent = n.thanksSent
        last_activity = APITime.text(n.lastActivity)
        flags = row.flags.map(\.rawValue)
    }
}

struct PairNumbersPageDTO: Content {
    var items: [PairNumbersDTO]
    /// Pass as `after` for the next page (null: this is the last).
    @Null var next_after: UUID?
}
