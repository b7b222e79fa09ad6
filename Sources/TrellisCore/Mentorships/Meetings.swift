import Foundation

/// A pair's meetings (PRODUCT.md §3): proposed by either, accepted by the other or answered with
/// another time, rescheduled or cancelled with a reason. Every change is kept (the health engine
/// reads the history) and counts up the meeting's sequence, which calendar applications use to
/// tell a newer copy of an invitation from an older one.

public enum MeetingState: String, Sendable, CaseIterable, Codable {
    /// Waiting for the other person to accept the time (`proposedBy` says who asked).
    case proposed
    /// Both agreed on the time.
    case scheduled
    case cancelled

    public var label: String {
        switch self {
        case .proposed: "Proposed"
        case .scheduled: "Scheduled"
        case .cancelled: "Cancelled"
        }
    }
}

/// When and where, as the proposer wrote it: an instant, the zone it was written in, and how
/// long.
public struct MeetingTime: Sendable, Equatable, Codable {
    public var startsAt: Date
    public var endsAt: Date
    /// The IANA zone the proposer wrote the time in (shown beside the viewer's own).
    public var timeZone: String
    /// A room, an address, or a link.
    public var place: String

    public init(startsAt: Date, endsAt: Date, timeZone: String, place: String) {
        self.startsAt = startsAt
        self.endsAt = endsAt
        self.timeZone = timeZone
        self.place = place
    }

    public var minutes: Int { Int(endsAt.timeIntervalSince(startsAt) / 60) }

    /// "45 minutes", "1 hour", "1 hour 30 minutes", "24 hours".
    public var length: String {
        let (hours, rest) = (minutes / 60, minutes % 60)
        let h = hours == 0 ? nil : "\(hours) hour\(hours == 1 ? "" : "s")"
        let m = rest == 0 ? nil : "\(rest) minute\(rest == 1 ? "" : "s")"
        return [h, m].compactMap { $0 }.joined(separator: " ")
    }
}

/// One change in a meeting's history.
public enum MeetingChange: String, Sendable, CaseIterable, Codable {
    case proposed, accepted, counterProposed = "counter-proposed", rescheduled, cancelled

    /// The change as a sentence about `who`.
    public func sentence(_ who: String) -> String {
        switch self {
        case .proposed: "\(who) proposed the meeting."
        case .accepted: "\(who) accepted the time."
        case .counterProposed: "\(who) proposed another time."
        case .rescheduled: "\(who) moved the meeting."
        case .cancelled: "\(who) cancelled the meeting."
        }
    }
}

public enum MeetingRules {
    /// The longest a meeting may last.
    public static let longestMinutes = 24 * 60
    public static let shortestMinutes = 5
    public static let place = ProfileRules.Text(label: "Place or link", maximum: 500, required: false)
    public static let reason = ProfileRules.Text(label: "Reason", maximum: 1_000, required: false)
    /// How far ahead a meeting may be proposed.
    public static let furthestDaysAhead = 2 * 366

    /// Reads a local time as a form sends it (`YYYY-MM-DDTHH:MM`, seconds allowed) in `zone`:
    /// nil when it is not one, or names a time that does not exist there (the hour skipped when
    /// clocks go forward). A time that happens twice (clocks going back) is the first.
    public static func instant(_ text: String, in zone: TimeZone) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let parts = trimmed.split(separator: "T", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let day = CalendarDay(String(parts[0])) else { return nil }
        let clock = parts[1].split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(clock.count), clock.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let hour = Int(clock[0]), let minute = Int(clock[1]), (0..<24).contains(hour), (0..<60).contains(minute)
        else { return nil }
        let second = clock.count == 3 ? Int(clock[2]) ?? 99 : 0
        guard (0..<60).contains(second) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let components = DateComponents(year: day.year, month: day.month, day: day.day, hour: hour, minute: minute, second: second)
        guard let date = calendar.date(from: components) else { return nil }
        // A time in the gap when clocks go forward comes back moved: it does not exist.
        let back = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        guard back.year == day.year, back.month == day.month, back.day == day.day, back.hour == hour, back.minute == minute else { return nil }
        return date
    }

    /// The local time of an instant in a zone, as a form shows it (`YYYY-MM-DDTHH:MM`).
    public static func local(_ date: Date, in zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02dT%02d:%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0)
    }

    /// The time a form or the API sends, read and checked: every problem under its field
    /// (`starts_at`, `ends_at`, `time_zone`, `place`). `now` is when it is proposed.
    public static func time(startsAt: String, endsAt: String, timeZone: String, place: String, now: Date) -> Result<MeetingTime, ValidationErrors> {
        var errors = ValidationErrors()
        let zoneName = timeZone.trimmingCharacters(in: .whitespaces)
        let zone: TimeZone?
        if zoneName.isEmpty {
            errors.add("time_zone", "Time zone is required: the zone the times are written in.")
            zone = nil
        } else if TimeZones.isValid(zoneName), let loaded = TimeZone(identifier: zoneName) {
            zone = loaded
        } else {
            errors.add("time_zone", "Time zone: “\(zoneName.excerpt(60))” is not a time zone Trellis knows (use a name such as Europe/Paris).")
            zone = nil
        }
        var start: Date?, end: Date?
        if let zone {
            for (field, label, text) in [("starts_at", "Start", startsAt), ("ends_at", "End", endsAt)] {
                let trimmed = text.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty { errors.add(field, "\(label) is required."); continue }
                guard let date = instant(trimmed, in: zone) else {
                    // A well-formed time that does not exist: the hour skipped when clocks go forward.
                    let wellFormed = instant(trimmed, in: TimeZone(identifier: "UTC")!) != nil
                    errors.add(field, wellFormed
                        ? "\(label): \(trimmed) does not exist in \(zoneName): the clocks go forward then. Choose a time an hour later."
                        : "\(label): write a date and time as YYYY-MM-DDTHH:MM, seconds optional (got “\(trimmed.quoted(40))”).")
                    continue
                }
                if field == "starts_at" { start = date } else { end = date }
            }
        }
        if let start {
            if start <= now { errors.add("starts_at", "The start is in the past: propose a time that is still ahead.") }
            else if start > now.addingTimeInterval(Double(furthestDaysAhead) * 86_400) { errors.add("starts_at", "The start is more than two years ahead.") }
        }
        if let start, let end {
            let minutes = end.timeIntervalSince(start) / 60
            if end <= start { errors.add("ends_at", "The meeting ends before it starts: the end must be after the start.") }
            else if minutes > Double(longestMinutes) { errors.add("ends_at", "The meeting is longer than a day: it may last at most 24 hours.") }
            else if minutes < Double(shortestMinutes) { errors.add("ends_at", "The meeting must last at least \(shortestMinutes) minutes.") }
        }
        let cleanPlace = TextInput.line(place)
        if let problem = Self.place.problem(cleanPlace) { errors.add("place", problem) }
        guard errors.isEmpty, let start, let end else { return .failure(errors) }
        return .success(MeetingTime(startsAt: start, endsAt: end, timeZone: zoneName, place: cleanPlace))
    }

    /// What someone does to a meeting.
    public enum Action: Sendable, Equatable {
        case accept
        /// A different time: a counter-proposal to a proposal, or moving a scheduled meeting.
        case propose(MeetingTime)
        case cancel(reason: String)
    }

    /// A meeting as the rules read it.
    public struct Facts: Sendable, Equatable {
        public var state: MeetingState
        public var proposedBy: PairSide
        public var time: MeetingTime

        public init(state: MeetingState, proposedBy: PairSide, time: MeetingTime) {
            self.state = state
            self.proposedBy = proposedBy
            self.time = time
        }
    }

    /// What an action does: the meeting after it and the change to record, or why it cannot.
    public static func apply(_ action: Action, by side: PairSide, to meeting: Facts, now: Date) -> Result<(Facts, MeetingChange), MeetingRefusal> {
        if meeting.state == .cancelled { return .failure(.init("This meeting was cancelled: propose a new one instead.")) }
        if meeting.time.endsAt <= now { return .failure(.init("This meeting is over: it can no longer be changed.")) }
        var after = meeting
        switch action {
        case .accept:
            guard meeting.state == .proposed else { return .failure(.init("This meeting is already scheduled.")) }
            guard meeting.proposedBy != side else { return .failure(.init("You proposed this time: the other person accepts it, or proposes another.")) }
            after.state = .scheduled
            return .success((after, .accepted))
        case .propose(let time):
            guard time != meeting.time else { return .failure(.init("That is the time already proposed: change the time, length or place.")) }
            let change: MeetingChange = meeting.state == .scheduled ? .rescheduled : meeting.proposedBy == side ? .rescheduled : .counterProposed
            after.state = .proposed
            after.proposedBy = side
            after.time = time
            return .success((after, change))
        case .cancel(let reason):
            let clean = TextInput.paragraphs(reason)
            if clean.isEmpty { return .failure(.init("reason", "Say why you cancel: the other person reads it.")) }
            if let problem = Self.reason.problem(clean) { return .failure(.init("reason", problem)) }
            after.state = .cancelled
            return .success((after, .cancelled))
        }
    }

    /// Whether a scheduled meeting has been held: both agreed, and its end has passed.
    public static func isHeld(_ meeting: Facts, now: Date) -> Bool {
        meeting.state == .scheduled && meeting.time.endsAt <= now
    }
}

/// Why a meeting change cannot happen, with the field it concerns (`meeting` for the meeting
/// itself).
public struct MeetingRefusal: Error, Sendable, Equatable {
    public var field: String
    public var message: String
    public init(_ message: String) { self.init("meeting", message) }
    public init(_ field: String, _ message: String) { self.field = field; self.message = message }
}
