import Foundation

/// The rules of a profile and an account, written once. The web forms, the API, CSV import, the
/// command line and the OpenAPI document all read their limits, choices and messages from here,
/// so a limit changes in one place and every way in says the same thing about it.
///
/// Messages name the field by its label and say what is allowed; the caller attaches them to its
/// own field or column name ("capacity_mentees" in a form, "capacity" in a CSV file).
public enum ProfileRules {
    /// A text field: required or not, and its longest length in characters (after cleaning).
    public struct Text: Sendable {
        public let label: String
        public let maximum: Int
        public let required: Bool

        /// What is wrong with a cleaned value, or nil.
        public func problem(_ value: String) -> String? {
            if required, value.isEmpty { return "\(label) is required." }
            // By Unicode scalar, as the API's document counts: a letter followed by thousands of
            // combining marks is one Swift character but not one character of a limit.
            let length = value.unicodeScalars.count
            if length > maximum { return "\(label) must be at most \(maximum.grouped) characters (it has \(length.grouped))." }
            return nil
        }

        /// What is wrong with a value as sent, before cleaning, counted as JSON Schema counts
        /// (Unicode scalars): an API's document states the limit of what is sent.
        public func problem(sent value: String) -> String? {
            let length = value.unicodeScalars.count
            return length > maximum ? "\(label) must be at most \(maximum.grouped) characters (it has \(length.grouped))." : nil
        }
    }

    public static let name = Text(label: "Name", maximum: 120, required: true)
    public static let headline = Text(label: "Headline", maximum: 140, required: false)
    public static let bio = Text(label: "Bio", maximum: 4_000, required: false)
    public static let department = Text(label: "Department", maximum: 80, required: false)
    public static let careerGoals = Text(label: "Career goals", maximum: 2_000, required: false)
    public static let phone = Text(label: "Phone", maximum: 40, required: false)
    public static let location = Text(label: "Location", maximum: 100, required: false)

    /// A whole number within a range; blank means "not given".
    public struct Number: Sendable {
        public let label: String
        public let range: ClosedRange<Int>

        /// "a whole number from 0 to 10"
        public var allowed: String { "a whole number from \(range.lowerBound) to \(range.upperBound)" }

        /// What is wrong with a number, or nil.
        public func problem(_ value: Int) -> String? {
            range.contains(value) ? nil : "\(label) must be \(allowed) (got \(value))."
        }

        /// A number typed as text (a form field, a CSV cell): nil when blank, else the number or
        /// what is wrong with the text.
        public func parse(_ text: String) -> Result<Int?, Problem> {
            let trimmed = TextInput.trimmingSpaces(text)
            guard !trimmed.isEmpty else { return .success(nil) }
            guard let value = TextInput.wholeNumber(trimmed) else { return .failure(Problem("\(label) must be \(allowed) (got “\(trimmed.quoted(40))”).")) }
            if let problem = problem(value) { return .failure(Problem(problem)) }
            return .success(value)
        }
    }

    public static let yearsExperience = Number(label: "Years of experience", range: 0...60)
    /// How many mentees a mentor can take at once.
    public static let capacityMentees = Number(label: "Capacity", range: 0...10)
    /// Hours a month a mentor can give.
    public static let capacityHours = Number(label: "Hours per month", range: 0...80)

    /// A message about one value.
    public struct Problem: Error, Sendable, Equatable {
        public let message: String
        public init(_ message: String) { self.message = message }
    }

    /// Capacity belongs to people who mentor, and they must give it: without one, matching would
    /// treat a mentor as having no room, and a mentee's capacity would mean nothing. Decided once
    /// for every way in (the web form used to accept both silently, CSV import to refuse them,
    /// and saving to drop a mentee's capacity without a word).
    public static func capacityProblems(role: MentoringRole?, capacity: Int?, hours: Int?) -> (capacity: String?, hours: String?) {
        if role?.canMentor == true {
            guard capacity == nil else { return (nil, nil) }
            return ("\(capacityMentees.label) is required for someone who mentors: how many mentees at once, \(capacityMentees.allowed).", nil)
        }
        let who = role.map { "A \($0.rawValue) does not mentor" } ?? "No mentoring role is chosen"
        return (
            capacity == nil ? nil : "\(who): leave \(capacityMentees.label.lowercased()) blank, or choose mentor or both.",
            hours == nil ? nil : "\(who): leave \(capacityHours.label.lowercased()) blank, or choose mentor or both."
        )
    }

    // MARK: Choices

    /// A value typed or sent for a choice: surrounding spaces and letter case do not matter
    /// ("Mentor", " both "); nil when blank, else the choice or what is wrong.
    public static func choice<Value: Choice>(_ text: String, as type: Value.Type = Value.self) -> Result<Value?, Problem> {
        let key = TextInput.trimmingSpaces(text).lowercased()
        guard !key.isEmpty else { return .success(nil) }
        if let value = Value.allCases.first(where: { $0.rawValue == key }) { return .success(value) }
        return .failure(Problem("\(Value.choiceLabel): choose \(Value.allowedText) (got “\(text.quoted(40))”)."))
    }

    /// A value sent for a choice where a document lists the exact values (the API's enums): only
    /// those, as written; else what is wrong, in the same words as `choice`.
    public static func exactChoice<Value: Choice>(_ text: String, as type: Value.Type = Value.self) -> Result<Value, Problem> {
        if let value = Value(rawValue: text) { return .success(value) }
        return .failure(Problem("\(Value.choiceLabel): choose \(Value.allowedText) (got “\(text.quoted(40))”)."))
    }

    // MARK: Tags

    /// What is wrong with a list of tags as sent, before cleaning (counted as JSON Schema counts).
    public static func tagsProblem(sent tags: [String], kind: TagKind) -> String? {
        if tags.count > Tags.maximumCount {
            return "\(kind.label) can hold at most \(Tags.maximumCount) entries (there are \(tags.count))."
        }
        if let long = tags.first(where: { $0.unicodeScalars.count > Tags.maximumLength }) {
            return "“\(long.excerpt(20))” is too long: each entry must be at most \(Tags.maximumLength) characters."
        }
        return nil
    }

    /// What is wrong with one list of tags (normalised), or nil: how many, and each entry.
    public static func tagsProblem(_ tags: [String], kind: TagKind) -> String? {
        if tags.count > Tags.maximumCount {
            return "\(kind.label) can hold at most \(Tags.maximumCount) entries (there are \(tags.count))."
        }
        return tags.lazy.compactMap(Tags.problem(with:)).first
    }

    // MARK: Accounts

    /// What is wrong with an email address (normalised), or nil.
    public static func emailProblem(_ email: String) -> String? {
        if email.isEmpty { return "An email address is required." }
        if !EmailAddress.isValid(email) { return "“\(email.excerpt(80))” is not an email address; expected something like name@example.org." }
        return nil
    }

    /// What is wrong with a time zone name, or nil (blank is allowed: not given).
    public static func timezoneProblem(_ name: String) -> String? {
        guard !name.isEmpty, !TimeZones.isValid(name) else { return nil }
        return "“\(name.excerpt(60))” is not an IANA time zone; use a name such as Europe/Berlin or America/New_York."
    }
}

/// A closed set of values chosen by name (roles, meeting frequencies, communication methods).
public protocol Choice: RawRepresentable<String>, CaseIterable, Sendable {
    /// What the choice is called in messages ("Mentoring role").
    static var choiceLabel: String { get }
    /// The values allowed, as a message lists them ("mentor, mentee or both").
    static var allowedText: String { get }
}

extension Choice {
    /// "mentor, mentee or both"
    public static var allowedText: String { valuesText }

    /// The values, listed: "mentor, mentee or both".
    public static var valuesText: String {
        let names = allCases.map(\.rawValue)
        return names.count < 2 ? names.joined() : names.dropLast().joined(separator: ", ") + " or " + names.last!
    }
}

extension MentoringRole: Choice { public static var choiceLabel: String { "Mentoring role" } }
extension MeetingFrequency: Choice { public static var choiceLabel: String { "Meeting frequency" } }
extension CommunicationMethod: Choice { public static var choiceLabel: String { "Communication method" } }
extension AccountRole: Choice {
    public static var choiceLabel: String { "Account role" }
    /// Forms show these by their labels.
    public static var allowedText: String { "participant or admin (program manager)" }
}

extension MentoringRole {
    /// Everyone who can mentor (or wants a mentor): whoever does both is both.
    public static var mentoring: [MentoringRole] { allCases.filter(\.canMentor) }
    public static var wantingMentor: [MentoringRole] { allCases.filter(\.wantsMentor) }

    /// The people a filter for this role lists: "can mentor" lists mentors and whoever does both,
    /// "wants a mentor" mentees and whoever does both, "both" only them.
    public var listed: [MentoringRole] {
        switch self {
        case .mentor: Self.mentoring
        case .mentee: Self.wantingMentor
        case .both: [.both]
        }
    }

    /// A capacity as a file or a match reads it: a mentor who never gave one has no room (0); a
    /// mentee has none at all.
    public func capacity(stored: Int?) -> Int? { canMentor ? (stored ?? 0) : nil }
}

/// Who may see a person's contact details.
public enum ContactPrivacy {
    /// Email and phone are shown unless the person keeps them private; then only to themselves and
    /// to program managers.
    public static func mayContact(contactPrivate: Bool, viewerIsThePerson: Bool, viewerIsProgramManager: Bool) -> Bool {
        !contactPrivate || viewerIsThePerson || viewerIsProgramManager
    }
}

extension Int {
    /// 4000 as "4,000" (the same whatever the server's locale).
    public var grouped: String {
        let digits = String(magnitude)
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return (self < 0 ? "-" : "") + result
    }
}
