import Foundation

/// Where a mentee's request to a mentor stands (self-select programs).
public enum RequestState: String, Sendable, CaseIterable, Codable {
    /// Waiting for the mentor's answer.
    case pending
    case accepted
    case declined
    /// Taken back by the mentee, or by Trellis once the mentee was matched elsewhere.
    case withdrawn
    /// Not answered within the program's number of days.
    case expired

    /// Whether the request still counts against the mentee's open requests.
    public var isOpen: Bool { self == .pending }
}

/// The rules of the request flow, as decisions over facts the caller reads in the transaction
/// that acts on them (so that the facts cannot change between the check and the write). Times
/// come from the caller's clock, so that expiry can be tested without waiting.
public enum RequestRules {
    /// A request's note, and a mentor's answer: part of matching, not of the private relationship
    /// (the program's managers may read them).
    public static let note = ProfileRules.Text(label: "Note", maximum: 1_000, required: false)
    public static let answer = ProfileRules.Text(label: "Message", maximum: 1_000, required: false)

    /// What a new request depends on.
    public struct Creating: Sendable, Equatable {
        public var state: ProgramState
        public var mode: MatchingMode
        public var isSelf: Bool
        /// The mentee is enrolled as a mentee, the mentor as a mentor, in this program.
        public var menteeEnrolled: Bool
        public var mentorEnrolled: Bool
        /// The mentor manages the mentee, directly or not (mentoring is not supervisory).
        public var mentorInReportingLine: Bool
        /// The mentee already has a mentorship in this program.
        public var menteeMatched: Bool
        /// The mentee's pending requests in this program, and whether one of them is to this mentor.
        public var openRequests: Int
        public var alreadyAsked: Bool
        /// The mentor's mentorships in this program against their capacity in it.
        public var mentorTaken: Int
        public var mentorCapacity: Int
        public var mentorPaused: Bool
        /// The two were a pair before (a concluded mentorship), and whether the program allows it.
        public var pairedBefore: Bool
        public var allowRepeatPairs: Bool
        public var maximumOpenRequests: Int
        /// The two are in one department, and the program keeps departments apart.
        public var sameDepartment: Bool = false
        public var excludeSameDepartment: Bool = false

        public init(
            state: ProgramState, mode: MatchingMode, isSelf: Bool = false, menteeEnrolled: Bool = true, mentorEnrolled: Bool = true,
            mentorInReportingLine: Bool = false, menteeMatched: Bool = false, openRequests: Int = 0, alreadyAsked: Bool = false,
            mentorTaken: Int = 0, mentorCapacity: Int = 1, mentorPaused: Bool = false, pairedBefore: Bool = false, allowRepeatPairs: Bool = false,
            maximumOpenRequests: Int = ProgramRules.defaultOpenRequests
        ) {
            self.state = state; self.mode = mode; self.isSelf = isSelf; self.menteeEnrolled = menteeEnrolled; self.mentorEnrolled = mentorEnrolled
            self.mentorInReportingLine = mentorInReportingLine; self.menteeMatched = menteeMatched; self.openRequests = openRequests
            self.alreadyAsked = alreadyAsked; self.mentorTaken = mentorTaken; self.mentorCapacity = mentorCapacity; self.mentorPaused = mentorPaused
            self.pairedBefore = pairedBefore; self.allowRepeatPairs = allowRepeatPairs; self.maximumOpenRequests = maximumOpenRequests
        }

        public var mentorFull: Bool { mentorTaken >= mentorCapacity }
    }

    /// Why a mentee cannot send this request, or nil. `mentorFull` is its own answer
    /// (`Refusal.mentorFull`), since the mentee may join the mentor's waitlist instead.
    public enum Refusal: Sendable, Equatable {
        case mentorFull
        case other(String)

        public var message: String {
            switch self {
            case .mentorFull: "This mentor has no place left in this program. You can join their waitlist, and you will be told when a place opens."
            case .other(let message): message
            }
        }
    }

    public static func refusal(creating facts: Creating) -> Refusal? {
        if facts.mode != .selfSelect { return .other("In this program the program manager makes the pairs; requests are not used.") }
        if facts.state != .matching { return .other("Requests open when the program is matching (it is \(facts.state.label.lowercased())).") }
        if facts.isSelf { return .other("You cannot ask yourself to be your mentor.") }
        if !facts.menteeEnrolled { return .other("Only a mentee enrolled in this program can send requests in it.") }
        if !facts.mentorEnrolled { return .other("This person is not a mentor in this program.") }
        if facts.mentorInReportingLine { return .other("This person is in your reporting line: mentoring here is not supervisory, so a manager cannot be your mentor.") }
        if facts.sameDepartment && facts.excludeSameDepartment { return .other("This program pairs people from different departments, and this mentor is in yours.") }
        if facts.menteeMatched { return .other("You already have a mentor in this program.") }
        if facts.alreadyAsked { return .other("You have already asked this mentor; their answer is pending.") }
        if facts.pairedBefore && !facts.allowRepeatPairs { return .other("You were paired with this mentor before, and this program matches people with someone new.") }
        if facts.openRequests >= facts.maximumOpenRequests {
            return .other("You have \(facts.openRequests) request\(facts.openRequests == 1 ? "" : "s") waiting, the most this program allows; withdraw one or wait for an answer.")
        }
        if facts.mentorPaused { return .other("This mentor is not taking new requests at the moment.") }
        if facts.mentorFull { return .mentorFull }
        return nil
    }

    /// What an accept depends on.
    public struct Accepting: Sendable, Equatable {
        public var request: RequestState
        public var expiresAt: Date
        public var now: Date
        public var menteeMatched: Bool
        public var mentorTaken: Int
        public var mentorCapacity: Int

        public init(request: RequestState, expiresAt: Date, now: Date, menteeMatched: Bool, mentorTaken: Int, mentorCapacity: Int) {
            self.request = request; self.expiresAt = expiresAt; self.now = now; self.menteeMatched = menteeMatched
            self.mentorTaken = mentorTaken; self.mentorCapacity = mentorCapacity
        }
    }

    /// Why the mentor cannot accept, or nil.
    public static func refusal(accepting facts: Accepting) -> String? {
        switch facts.request {
        case .pending: break
        case .accepted: return "You have already accepted this request."
        case .declined: return "This request was declined (by you, or when your places filled up), so it can no longer be accepted."
        case .withdrawn: return "The mentee withdrew this request."
        case .expired: return "This request expired without an answer."
        }
        if isExpired(expiresAt: facts.expiresAt, now: facts.now) { return "This request expired without an answer." }
        if facts.menteeMatched { return "This mentee has been matched with another mentor in this program meanwhile." }
        if facts.mentorTaken >= facts.mentorCapacity {
            return "You have no place left in this program (\(facts.mentorTaken) of \(facts.mentorCapacity) taken)."
        }
        return nil
    }

    /// When a request made at `created` expires: the program's number of days later.
    public static func expiresAt(created: Date, days: Int) -> Date {
        created.addingTimeInterval(TimeInterval(days) * 86_400)
    }

    public static func isExpired(expiresAt: Date, now: Date) -> Bool { now >= expiresAt }

    /// What follows an accept that took the mentor's last place: their other pending requests
    /// are declined with this message, and the mentees see their next suggestions.
    public static func fullMessage(mentorName: String) -> String {
        "\(mentorName) has filled every place in this program, so your request could not be accepted. Here are other mentors who suit you."
    }

    /// What the other pending requests of a mentee who was just matched become: withdrawn, with
    /// this message to their mentors.
    public static let matchedElsewhereMessage = "The mentee has been matched with another mentor in this program, so this request was withdrawn."
}
