import Foundation

/// How a program's pairs are made (PRODUCT.md §1): the manager matches everyone at once, mentees
/// ask mentors themselves, or both sides rank each other and a stable match is made.
public enum MatchingMode: String, Sendable, CaseIterable, Codable {
    case bulk
    case selfSelect = "self-select"
    case preference

    public var label: String {
        switch self {
        case .bulk: "Matched by the program manager"
        case .selfSelect: "Mentees choose their mentor"
        case .preference: "Both sides rank, then a stable match"
        }
    }

    /// What the mode means for the people in the program, in a sentence.
    public var explanation: String {
        switch self {
        case .bulk: "The program manager runs matching for everyone at once, reviews the proposed pairs with their reasons, and publishes them."
        case .selfSelect: "Each mentee sees suggested mentors with the reasons and sends a request; the mentor accepts or declines."
        case .preference: "Mentees rank a shortlist of mentors and mentors rank the mentees who chose them; a stable match is made when the window closes."
        }
    }
}

extension MatchingMode: Choice { public static var choiceLabel: String { "Matching mode" } }

/// Where a program's pairs meet (`ProgramDraft.meetingsInTrellis`), as the form and the command
/// line name it.
public enum MeetingsPlace: String, Sendable, CaseIterable, Codable, Choice {
    /// Meetings are proposed, planned and noted in Trellis (the default).
    case trellis
    /// Pairs meet outside Trellis: no meeting is proposed in it; the rest of the workspace stays.
    case outside

    public static var choiceLabel: String { "Where pairs meet" }

    public init(inTrellis: Bool) { self = inTrellis ? .trellis : .outside }

    public var label: String {
        switch self {
        case .trellis: "In Trellis: pairs propose meetings, plan agendas and keep notes here"
        case .outside: "Only outside Trellis: pairs meet as they arrange; their agreement, goals, action items, feedback and journals stay here"
        }
    }
}

/// A calendar day ("2027-03-01"), as programs' windows and dates are given: a day, not an
/// instant, so that "enrolment closes on the 14th" means the whole of the 14th.
public struct CalendarDay: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let year: Int, month: Int, day: Int

    /// Nil unless `text` is a real day written as YYYY-MM-DD (years 2000 to 2999).
    public init?(_ text: String) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            let digits = bytes[range]
            guard digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
            return digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// Nil unless the three make a real day (years 2000 to 2999).
    public init?(year: Int, month: Int, day: Int) {
        guard (2000...2999).contains(year), (1...12).contains(month), day >= 1, day <= Self.days(inMonth: month, of: year) else { return nil }
        self.year = year; self.month = month; self.day = day
    }

    /// The day an instant falls on in a time zone.
    public init(_ date: Date, in timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        year = parts.year ?? 2000; month = parts.month ?? 1; day = parts.day ?? 1
    }

    static func days(inMonth month: Int, of year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public var description: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }

    public static func < (a: CalendarDay, b: CalendarDay) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }
}

/// A program's settings as a manager writes them (the web form, the API, the command line), and
/// the rules they must keep, written once.
public struct ProgramDraft: Sendable, Equatable {
    public var name: String
    public var description: String
    /// Why the program exists, in the organisation's words ("help new managers find their feet").
    public var purpose: String
    public var mode: MatchingMode
    public var enrolmentOpens: CalendarDay?
    public var enrolmentCloses: CalendarDay?
    public var starts: CalendarDay?
    public var ends: CalendarDay?
    /// Never pair two people of the same department.
    public var excludeSameDepartment: Bool
    /// Pairs scoring below this (0 to 1) are never made.
    public var minimumScore: Double
    /// Whether a pair whose mentorship concluded (in any program) may be matched again.
    public var allowRepeatPairs: Bool
    /// How many requests a mentee may have waiting at once (self-select).
    public var maximumOpenRequests: Int
    /// After how many days an unanswered request expires (self-select).
    public var requestExpiryDays: Int
    /// Whether the pairs meet in Trellis (propose meetings, agendas, notes: the default) or only
    /// outside it (their agreement, goals, action items, feedback and journal stay in Trellis).
    public var meetingsInTrellis: Bool

    public init(
        name: String, description: String = "", purpose: String = "", mode: MatchingMode = .bulk,
        enrolmentOpens: CalendarDay? = nil, enrolmentCloses: CalendarDay? = nil, starts: CalendarDay? = nil, ends: CalendarDay? = nil,
        excludeSameDepartment: Bool = false, minimumScore: Double = 0, allowRepeatPairs: Bool = false,
        maximumOpenRequests: Int = ProgramRules.defaultOpenRequests, requestExpiryDays: Int = ProgramRules.defaultExpiryDays,
        meetingsInTrellis: Bool = true
    ) {
        self.name = name; self.description = description; self.purpose = purpose; self.mode = mode
        self.enrolmentOpens = enrolmentOpens; self.enrolmentCloses = enrolmentCloses; self.starts = starts; self.ends = ends
        self.excludeSameDepartment = excludeSameDepartment; self.minimumScore = minimumScore; self.allowRepeatPairs = allowRepeatPairs
        self.maximumOpenRequests = maximumOpenRequests; self.requestExpiryDays = requestExpiryDays
        self.meetingsInTrellis = meetingsInTrellis
    }

    /// The fields (by the API's names) that differ in `other`, for the audit log.
    public func changedFields(to other: ProgramDraft) -> [String] {
        let fields: [(String, Bool)] = [
            ("name", name != other.name), ("description", description != other.description), ("purpose", purpose != other.purpose),
            ("mode", mode != other.mode), ("enrolment_opens", enrolmentOpens != other.enrolmentOpens),
            ("enrolment_closes", enrolmentCloses != other.enrolmentCloses), ("starts", starts != other.starts), ("ends", ends != other.ends),
            ("exclude_same_department", excludeSameDepartment != other.excludeSameDepartment), ("minimum_score", minimumScore != other.minimumScore),
            ("allow_repeat_pairs", allowRepeatPairs != other.allowRepeatPairs), ("maximum_open_requests", maximumOpenRequests != other.maximumOpenRequests),
            ("request_expiry_days", requestExpiryDays != other.requestExpiryDays), ("meetings_in_trellis", meetingsInTrellis != other.meetingsInTrellis),
        ]
        return fields.filter(\.1).map(\.0)
    }

    /// Text cleaned as every text input is (`TextInput`).
    public var cleaned: ProgramDraft {
        var draft = self
        draft.name = TextInput.line(name)
        draft.description = TextInput.paragraphs(description)
        draft.purpose = TextInput.paragraphs(purpose)
        return draft
    }

    /// Every problem, by field name (the names the form and the API use). Call on `cleaned`.
    public func validate() -> ValidationErrors {
        var errors = ValidationErrors()
        for (field, rule, value) in [("name", ProgramRules.name, name), ("description", ProgramRules.description, description), ("purpose", ProgramRules.purpose, purpose)] {
            if let problem = rule.problem(value) { errors.add(field, problem) }
        }
        if !(minimumScore.isFinite && ProgramRules.minimumScore.contains(minimumScore)) {
            errors.add("minimum_score", "Minimum score must be a number from 0 to 1, such as 0.3 (got \(minimumScore)).")
        }
        if let problem = ProgramRules.openRequests.problem(maximumOpenRequests) { errors.add("maximum_open_requests", problem) }
        if let problem = ProgramRules.expiryDays.problem(requestExpiryDays) { errors.add("request_expiry_days", problem) }
        // The days in order: enrolment opens, closes, the program starts, ends.
        let days: [(field: String, label: String, day: CalendarDay?)] = [
            ("enrolment_opens", "Enrolment opens", enrolmentOpens), ("enrolment_closes", "Enrolment closes", enrolmentCloses),
            ("starts", "The program starts", starts), ("ends", "The program ends", ends),
        ]
        for (index, later) in days.enumerated() {
            guard let laterDay = later.day, errors[later.field] == nil else { continue }
            // The nearest earlier day given.
            guard let earlier = days[..<index].last(where: { $0.day != nil }), let earlierDay = earlier.day else { continue }
            let sameDayAllowed = later.field != "ends"
            if laterDay < earlierDay || (!sameDayAllowed && laterDay == earlierDay) {
                let earlierText = earlier.label.prefix(1).lowercased() + earlier.label.dropFirst()
                errors.add(later.field, "\(later.label) (\(laterDay)) must be \(sameDayAllowed ? "on or after" : "after") the day \(earlierText) (\(earlierDay)).")
            }
        }
        return errors
    }
}

/// The limits of a program's settings, for the form, the API, the command line and the OpenAPI
/// document alike.
public enum ProgramRules {
    public static let name = ProfileRules.Text(label: "Name", maximum: 120, required: true)
    public static let description = ProfileRules.Text(label: "Description", maximum: 4_000, required: false)
    public static let purpose = ProfileRules.Text(label: "Purpose", maximum: 2_000, required: false)
    public static let minimumScore: ClosedRange<Double> = 0...1
    public static let openRequests = ProfileRules.Number(label: "Open requests per mentee", range: 1...10)
    public static let expiryDays = ProfileRules.Number(label: "Days before a request expires", range: 1...90)
    public static let defaultOpenRequests = 3
    public static let defaultExpiryDays = 14

    /// A minimum score typed as text: blank is 0; otherwise a plain decimal from 0 to 1 ("0.35",
    /// ".5", "1"), nothing else (no exponent, no sign, no "nan").
    public static func parseMinimumScore(_ text: String) -> Result<Double, ProfileRules.Problem> {
        let trimmed = TextInput.trimmingSpaces(text)
        guard !trimmed.isEmpty else { return .success(0) }
        let parts = trimmed.split(separator: ".", omittingEmptySubsequences: false)
        let digitsOnly = parts.allSatisfy { $0.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } }
        // Scores are whole millionths: at most six decimal places.
        guard parts.count <= 2, digitsOnly, parts.contains(where: { !$0.isEmpty }), parts.count < 2 || parts[1].utf8.count <= 6, parts[0].utf8.count <= 3,
              let value = Double(trimmed.hasPrefix(".") ? "0" + trimmed : trimmed), minimumScore.contains(value)
        else { return .failure(ProfileRules.Problem("Minimum score must be a number from 0 to 1 with at most six decimal places, such as 0.3 (got “\(trimmed.quoted(40))”).")) }
        return .success(value)
    }

    /// A day typed as text: blank is none; otherwise YYYY-MM-DD.
    public static func parseDay(_ text: String, label: String) -> Result<CalendarDay?, ProfileRules.Problem> {
        let trimmed = TextInput.trimmingSpaces(text)
        guard !trimmed.isEmpty else { return .success(nil) }
        guard let day = CalendarDay(trimmed) else {
            return .failure(ProfileRules.Problem("\(label) must be a real day from 2000-01-01 to 2999-12-31, written as YYYY-MM-DD, such as 2027-03-01 (got “\(trimmed.quoted(40))”)."))
        }
        return .success(day)
    }
}
