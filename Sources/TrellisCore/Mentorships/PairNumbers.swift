import Foundation

/// What a program manager may know about one pair (PRODUCT.md: "program managers: numbers and
/// flags, never content"): counts and dates of what happened in the workspace, never a word of
/// it. Made by the server from aggregate queries; the flags are plain facts a manager can act on,
/// with the thresholds written here once.
public struct PairNumbers: Sendable, Equatable {
    /// Where the agreement stands, without its terms.
    public enum AgreementStatus: Sendable, Equatable {
        case notWritten
        /// Version `version`, written at `writtenAt`, waits for one or both signatures; an earlier
        /// one both signed (at `signedBefore`) may be in force meanwhile.
        case waiting(version: Int, writtenAt: Date, signedBefore: Date?)
        /// The latest version, written at `writtenAt`, is signed by both, the second signature at `on`.
        case signed(version: Int, writtenAt: Date, on: Date)
    }

    public var startedOn: CalendarDay
    public var agreement: AgreementStatus
    public var meetingsHeld: Int
    public var meetingsCancelled: Int
    public var lastMet: Date?
    /// The next meeting both accepted (a proposal waiting for an answer is not one).
    public var nextMeeting: Date?
    public var goals: Int
    public var goalsReached: Int
    public var milestones: Int
    public var milestonesReached: Int
    public var openActionItems: Int
    public var overdueActionItems: Int
    public var feedbackSent: Int
    public var thanksSent: Int
    /// The latest thing either of them did in the workspace that the other can see (a meeting
    /// held or planned, an agenda item, a shared note, an action item, a goal, feedback, the
    /// agreement); a private note or a journal entry does not count.
    public var lastActivity: Date?

    /// Counts `date` as activity if it is later than what is known.
    public mutating func touch(_ date: Date?) {
        guard let date else { return }
        if lastActivity.map({ date > $0 }) ?? true { lastActivity = date }
    }

    public init(
        startedOn: CalendarDay, agreement: AgreementStatus = .notWritten, meetingsHeld: Int = 0, meetingsCancelled: Int = 0, lastMet: Date? = nil,
        nextMeeting: Date? = nil, goals: Int = 0, goalsReached: Int = 0, milestones: Int = 0, milestonesReached: Int = 0,
        openActionItems: Int = 0, overdueActionItems: Int = 0, feedbackSent: Int = 0, thanksSent: Int = 0, lastActivity: Date? = nil
    ) {
        self.startedOn = startedOn; self.agreement = agreement; self.meetingsHeld = meetingsHeld; self.meetingsCancelled = meetingsCancelled
        self.lastMet = lastMet; self.nextMeeting = nextMeeting; self.goals = goals; self.goalsReached = goalsReached
        self.milestones = milestones; self.milestonesReached = milestonesReached; self.openActionItems = openActionItems
        self.overdueActionItems = overdueActionItems; self.feedbackSent = feedbackSent; self.thanksSent = thanksSent; self.lastActivity = lastActivity
    }

    /// A fact worth a manager's look, with the words the page and the API show.
    public enum Flag: String, Sendable, CaseIterable, Codable {
        case agreementNotSigned = "agreement-not-signed"
        case noMeetingYet = "no-meeting-yet"
        case notMetLately = "not-met-lately"
        case overdueActionItems = "overdue-action-items"
        case quiet

        /// Flags about meetings, left out in a program whose pairs meet outside Trellis.
        public var isAboutMeetings: Bool { self == .noMeetingYet || self == .notMetLately }

        public var label: String {
            switch self {
            case .agreementNotSigned: "Agreement not signed by both for \(PairNumbers.agreementGraceDays) days or more"
            case .noMeetingYet: "No meeting held after \(PairNumbers.firstMeetingGraceDays) days"
            case .notMetLately: "Has not met for \(PairNumbers.meetingGapDays) days or more"
            case .overdueActionItems: "Action items overdue"
            case .quiet: "Nothing done in the workspace for \(PairNumbers.quietDays) days or more"
            }
        }
    }

    public static let agreementGraceDays = 14
    public static let firstMeetingGraceDays = 21
    public static let meetingGapDays = 45
    public static let quietDays = 30

    /// The flags on `today` (the manager's day); `meetingsInTrellis` false leaves out the ones
    /// about meetings, which then are not recorded here.
    public func flags(today: CalendarDay, now: Date, meetingsInTrellis: Bool) -> [Flag] {
        let age = startedOn.days(until: today)
        let daysSince = { (date: Date) in Int(now.timeIntervalSince(date) / 86_400) }
        var flags: [Flag] = []
        switch agreement {
        case .signed: break
        // The first agreement: counted from the start of the mentorship.
        case .notWritten, .waiting(_, _, nil): if age >= Self.agreementGraceDays { flags.append(.agreementNotSigned) }
        // A change to one in force: counted from when the new version was written.
        case .waiting(_, let written, .some): if daysSince(written) >= Self.agreementGraceDays { flags.append(.agreementNotSigned) }
        }
        if meetingsInTrellis {
            if meetingsHeld == 0 {
                if age >= Self.firstMeetingGraceDays { flags.append(.noMeetingYet) }
            } else if let lastMet, daysSince(lastMet) >= Self.meetingGapDays, nextMeeting == nil {
                flags.append(.notMetLately)
            }
        }
        if overdueActionItems > 0 { flags.append(.overdueActionItems) }
        if age >= Self.quietDays, lastActivity.map({ daysSince($0) >= Self.quietDays }) ?? true { flags.append(.quiet) }
        return flags
    }
}
