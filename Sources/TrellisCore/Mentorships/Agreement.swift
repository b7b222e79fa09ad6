import Foundation

/// A pair's mentorship agreement (PRODUCT.md §2): what they expect of each other, written
/// together at the start, signed by both, and revisited on its review date ("realign
/// expectations"). Plain values and rules: the server stores versions and asks these rules
/// inside the transaction that writes, so that a check and its write see the same facts.

/// Which of the pair someone is.
public enum PairSide: String, Sendable, CaseIterable, Codable {
    case mentor, mentee

    public var other: PairSide { self == .mentor ? .mentee : .mentor }
    public var label: String { self == .mentor ? "Mentor" : "Mentee" }
}

/// What an agreement says.
public struct AgreementTerms: Sendable, Equatable, Codable {
    public var meetingFrequency: MeetingFrequency
    public var communicationMethods: [CommunicationMethod]
    /// What both commit to keep between them.
    public var confidentiality: String
    /// The mentee's goals and objectives for the mentorship.
    public var menteeGoals: String
    /// The mentor's own goals (what they want to learn or give).
    public var mentorGoals: String
    /// What is out of bounds: topics, times, channels.
    public var boundaries: String
    /// When the pair looks at the agreement again.
    public var reviewOn: CalendarDay
    /// The mentorship's formal end.
    public var endsOn: CalendarDay

    public init(
        meetingFrequency: MeetingFrequency, communicationMethods: [CommunicationMethod], confidentiality: String, menteeGoals: String,
        mentorGoals: String, boundaries: String, reviewOn: CalendarDay, endsOn: CalendarDay
    ) {
        self.meetingFrequency = meetingFrequency
        self.communicationMethods = communicationMethods
        self.confidentiality = confidentiality
        self.menteeGoals = menteeGoals
        self.mentorGoals = mentorGoals
        self.boundaries = boundaries
        self.reviewOn = reviewOn
        self.endsOn = endsOn
    }

    /// The terms with their text cleaned as Trellis stores text (controls removed, lines kept,
    /// surrounding space trimmed) and the methods in their usual order, each once.
    public func normalized() -> AgreementTerms {
        var terms = self
        terms.confidentiality = TextInput.paragraphs(confidentiality)
        terms.menteeGoals = TextInput.paragraphs(menteeGoals)
        terms.mentorGoals = TextInput.paragraphs(mentorGoals)
        terms.boundaries = TextInput.paragraphs(boundaries)
        terms.communicationMethods = CommunicationMethod.allCases.filter(communicationMethods.contains)
        return terms
    }

    /// Each field as a reader sees it, in the order the agreement shows them (for showing a
    /// version, and for what changed between two).
    public var fields: [(field: String, label: String, text: String)] {
        [
            ("meeting_frequency", "Meeting frequency", meetingFrequency.label),
            ("communication_methods", "How we keep in touch", communicationMethods.map(\.label).joined(separator: ", ")),
            ("confidentiality", "Confidentiality", confidentiality),
            ("mentee_goals", "The mentee's goals", menteeGoals),
            ("mentor_goals", "The mentor's goals", mentorGoals),
            ("boundaries", "Boundaries", boundaries),
            ("review_on", "Review date", reviewOn.description),
            ("ends_on", "End date", endsOn.description),
        ]
    }
}

/// One version of a pair's agreement, with its signatures.
public struct AgreementVersion: Sendable, Equatable {
    public var number: Int
    public var terms: AgreementTerms
    public var writtenBy: PairSide
    public var writtenAt: Date
    public var mentorSignedAt: Date?
    public var menteeSignedAt: Date?

    public init(number: Int, terms: AgreementTerms, writtenBy: PairSide, writtenAt: Date, mentorSignedAt: Date? = nil, menteeSignedAt: Date? = nil) {
        self.number = number
        self.terms = terms
        self.writtenBy = writtenBy
        self.writtenAt = writtenAt
        self.mentorSignedAt = mentorSignedAt
        self.menteeSignedAt = menteeSignedAt
    }

    public func signedAt(_ side: PairSide) -> Date? { side == .mentor ? mentorSignedAt : menteeSignedAt }
    public var isSigned: Bool { mentorSignedAt != nil && menteeSignedAt != nil }
    public var hasSignature: Bool { mentorSignedAt != nil || menteeSignedAt != nil }
}

/// Where a pair's agreement stands, as the workspace tells each of them.
public enum AgreementStatus: Sendable, Equatable {
    /// Nobody has written one yet.
    case unwritten
    /// The latest version waits for these signatures.
    case awaiting([PairSide])
    /// Both signed the latest version, and its review date is still ahead.
    case signed
    /// Both signed, and the review date has come: time to realign expectations.
    case reviewDue
}

public enum AgreementRules {
    public static let confidentiality = ProfileRules.Text(label: "Confidentiality", maximum: 2_000, required: true)
    /// Required, with a message of its own ("… is required" does not fit a plural label).
    public static let menteeGoals = ProfileRules.Text(label: "The mentee's goals", maximum: 4_000, required: false)
    public static let mentorGoals = ProfileRules.Text(label: "The mentor's goals", maximum: 4_000, required: false)
    public static let boundaries = ProfileRules.Text(label: "Boundaries", maximum: 4_000, required: false)
    /// The longest a mentorship's agreement may run.
    public static let longestYears = 3

    /// What is wrong with (normalized) terms, each problem under its field. `startedOn` is the
    /// mentorship's first day, `today` the writer's; a review date or end date in the past is
    /// refused, as it could not be kept.
    public static func problems(_ terms: AgreementTerms, startedOn: CalendarDay, today: CalendarDay) -> ValidationErrors {
        var errors = ValidationErrors()
        if terms.communicationMethods.isEmpty { errors.add("communication_methods", "Choose at least one way to keep in touch.") }
        if terms.menteeGoals.isEmpty { errors.add("mentee_goals", "Write the mentee's goals: what they want from the mentorship.") }
        for (field, rule, value) in [
            ("confidentiality", confidentiality, terms.confidentiality), ("mentee_goals", menteeGoals, terms.menteeGoals),
            ("mentor_goals", mentorGoals, terms.mentorGoals), ("boundaries", boundaries, terms.boundaries),
        ] {
            if let problem = rule.problem(value) { errors.add(field, problem) }
        }
        let earliest = max(startedOn, today)
        if terms.endsOn <= earliest {
            errors.add("ends_on", "The end date must be after \(earliest == today ? "today" : "the mentorship's start") (\(earliest)).")
        } else if let latest = startedOn.adding(years: longestYears), terms.endsOn > latest {
            errors.add("ends_on", "The end date must be within \(longestYears) years of the start (by \(latest)).")
        }
        // After today: a review date of today would be due the moment the agreement is signed.
        if terms.reviewOn <= earliest {
            errors.add("review_on", "The review date must be after \(earliest == today ? "today" : "the mentorship's start") (\(earliest)).")
        } else if terms.reviewOn > terms.endsOn {
            errors.add("review_on", "The review date must be on or before the end date (\(terms.endsOn)).")
        }
        return errors
    }

    public static func status(of versions: [AgreementVersion], today: CalendarDay) -> AgreementStatus {
        guard let latest = versions.max(by: { $0.number < $1.number }) else { return .unwritten }
        let missing = PairSide.allCases.filter { latest.signedAt($0) == nil }
        if !missing.isEmpty { return .awaiting(missing) }
        return today >= latest.terms.reviewOn ? .reviewDue : .signed
    }

    /// What writing `terms` does: a first version, or a new version that both must sign;
    /// unchanged terms change nothing. Every change is a new version, signed or not, so that a
    /// signature is always of the text its signer read (a version changed in place could change
    /// between reading and signing), and every earlier version stays readable.
    public enum Writing: Sendable, Equatable {
        case newVersion(number: Int)
        case unchanged
    }

    public static func writing(_ terms: AgreementTerms, over versions: [AgreementVersion]) -> Writing {
        guard let latest = versions.max(by: { $0.number < $1.number }) else { return .newVersion(number: 1) }
        return latest.terms == terms ? .unchanged : .newVersion(number: latest.number + 1)
    }

    /// Why `side` may not sign version `number`, or nil. Only the latest version can be signed,
    /// once by each.
    public static func signingProblem(number: Int, by side: PairSide, versions: [AgreementVersion]) -> String? {
        guard let latest = versions.max(by: { $0.number < $1.number }) else { return "There is no agreement to sign yet." }
        guard let version = versions.first(where: { $0.number == number }) else { return "There is no version \(number) of this agreement." }
        if version.number != latest.number {
            return "Version \(number) is not the latest: version \(latest.number) replaced it. Read and sign version \(latest.number)."
        }
        if version.signedAt(side) != nil { return "You signed version \(number) already." }
        return nil
    }

    /// The most versions one agreement keeps: a pair writes a handful; past this, they are asked
    /// to talk it through and sign the latest (and a script cannot fill the database).
    public static let mostVersions = 100

    /// Why a write based on version `basedOn` (nil: made before any version existed) cannot go
    /// ahead when the latest is `latest`, or nil when it can: someone wrote a version since.
    public static func basedOnProblem(_ basedOn: Int?, latest: Int?) -> String? {
        switch (basedOn, latest) {
        case (nil, nil):
            return nil
        case (let based?, nil):
            return "There is no version \(based) of this agreement yet: write the first one."
        case (nil, let latest?):
            return "Version \(latest) of the agreement was written after you opened the form. Read version \(latest), then make your changes to it."
        case (let based?, let latest?):
            if based > latest { return "There is no version \(based) of this agreement: the latest is version \(latest)." }
            if based < latest { return "Version \(latest) of the agreement was written after the one you edited (version \(based)). Read version \(latest), then make your changes to it." }
            return nil
        }
    }

    /// The fields that differ between two versions' terms, in the agreement's order.
    public static func changes(from old: AgreementTerms, to new: AgreementTerms) -> [(field: String, label: String, before: String, after: String)] {
        zip(old.fields, new.fields).compactMap { a, b in a.text == b.text ? nil : (a.field, a.label, a.text, b.text) }
    }

    /// The next thing `side` should do about the agreement, in words, or nil when nothing.
    public static func nextStep(for side: PairSide, status: AgreementStatus, otherName: String) -> String? {
        switch status {
        case .unwritten:
            return side == .mentee
                ? "Start your agreement: propose how often you meet, how you keep in touch and what you want from the mentorship."
                : "Your agreement is not written yet. \(otherName) is asked to start it; you can start it too."
        case .awaiting(let missing):
            if missing.contains(side) { return "The agreement is waiting for your signature." }
            return "Waiting for \(otherName) to sign the agreement."
        case .signed:
            return nil
        case .reviewDue:
            return "The agreement's review date has come: read it again with \(otherName) and realign expectations."
        }
    }

    /// A sensible first draft: from the program (its purpose and end) and both profiles (the
    /// meeting frequency they share, else the mentee's; the ways of keeping in touch they share,
    /// else the mentee's, else video; the mentee's development areas and career goals).
    public struct Start: Sendable {
        public var programPurpose: String
        public var programEnds: CalendarDay?
        public var startedOn: CalendarDay
        /// The day the draft is made: its dates count from here when the mentorship began earlier.
        public var today: CalendarDay
        public var menteeFrequency: MeetingFrequency?
        public var mentorFrequency: MeetingFrequency?
        public var menteeMethods: [CommunicationMethod]
        public var mentorMethods: [CommunicationMethod]
        public var menteeDevelopment: [String]
        public var menteeCareerGoals: String
        public var mentorName: String
        public var menteeName: String

        public init(
            programPurpose: String, programEnds: CalendarDay?, startedOn: CalendarDay, today: CalendarDay, menteeFrequency: MeetingFrequency?, mentorFrequency: MeetingFrequency?,
            menteeMethods: [CommunicationMethod], mentorMethods: [CommunicationMethod], menteeDevelopment: [String], menteeCareerGoals: String,
            mentorName: String, menteeName: String
        ) {
            self.programPurpose = programPurpose
            self.programEnds = programEnds
            self.startedOn = startedOn
            self.today = today
            self.menteeFrequency = menteeFrequency
            self.mentorFrequency = mentorFrequency
            self.menteeMethods = menteeMethods
            self.mentorMethods = mentorMethods
            self.menteeDevelopment = menteeDevelopment
            self.menteeCareerGoals = menteeCareerGoals
            self.mentorName = mentorName
            self.menteeName = menteeName
        }
    }

    public static func starting(_ start: Start) -> AgreementTerms {
        let frequency = start.menteeFrequency == start.mentorFrequency ? start.menteeFrequency : start.menteeFrequency ?? start.mentorFrequency
        let shared = start.menteeMethods.filter(start.mentorMethods.contains)
        let methods = !shared.isEmpty ? shared : !start.menteeMethods.isEmpty ? start.menteeMethods : [.video]
        // Six months from the start (or from today, for a mentorship that began earlier), or the
        // program's end if that comes sooner and is still ahead; the review halfway.
        let from = max(start.startedOn, start.today)
        let sixMonths = from.adding(months: 6) ?? from.adding(days: 2) ?? from
        let ends = start.programEnds.map { $0 > from.adding(days: 1) ?? from ? min($0, sixMonths) : sixMonths } ?? sixMonths
        let halfway = from.adding(days: max(1, from.days(until: ends) / 2)) ?? ends
        var goals: [String] = []
        if !start.menteeDevelopment.isEmpty { goals.append("Grow in \(start.menteeDevelopment.prefix(5).joined(separator: ", ")).") }
        if !start.menteeCareerGoals.isEmpty { goals.append(start.menteeCareerGoals) }
        if !start.programPurpose.isEmpty { goals.append("Within the program: \(start.programPurpose)") }
        return AgreementTerms(
            meetingFrequency: frequency ?? .biweekly,
            communicationMethods: CommunicationMethod.allCases.filter(methods.contains),
            confidentiality: "What we share in this mentorship stays between \(start.menteeName) and \(start.mentorName), unless we both agree otherwise or someone's safety is at risk.",
            menteeGoals: goals.joined(separator: "\n"),
            mentorGoals: "",
            boundaries: "",
            reviewOn: halfway,
            endsOn: ends
        ).normalized()
    }
}

extension CalendarDay {
    /// The day `count` days later (or earlier), or nil outside the years CalendarDay allows.
    public func adding(days count: Int) -> CalendarDay? {
        let (y, m, d) = Self.civil(fromDays: daysSinceEpoch + count)
        return CalendarDay(year: y, month: m, day: d)
    }

    /// The same day `count` months later, or the month's last day when it is shorter.
    public func adding(months count: Int) -> CalendarDay? {
        let index = year * 12 + (month - 1) + count
        let (y, m) = (index / 12, index % 12 + 1)
        guard (2000...2999).contains(y) else { return nil }
        return CalendarDay(year: y, month: m, day: min(day, Self.days(inMonth: m, of: y)))
    }

    public func adding(years count: Int) -> CalendarDay? { adding(months: count * 12) }

    /// Whole days from this day to `other` (negative when `other` is earlier).
    public func days(until other: CalendarDay) -> Int { other.daysSinceEpoch - daysSinceEpoch }

    /// Days since 1970-01-01 (the proleptic Gregorian calendar; Howard Hinnant's algorithm).
    var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

/// Agreement terms as a form or the API sends them: text for every field, any of it missing
/// or wrong. One parser for both, so they give the same messages.
public struct AgreementInput: Sendable {
    public var meetingFrequency: String?
    public var communicationMethods: [String]?
    public var confidentiality: String?
    public var menteeGoals: String?
    public var mentorGoals: String?
    public var boundaries: String?
    public var reviewOn: String?
    public var endsOn: String?

    public init(
        meetingFrequency: String? = nil, communicationMethods: [String]? = nil, confidentiality: String? = nil, menteeGoals: String? = nil,
        mentorGoals: String? = nil, boundaries: String? = nil, reviewOn: String? = nil, endsOn: String? = nil
    ) {
        self.meetingFrequency = meetingFrequency
        self.communicationMethods = communicationMethods
        self.confidentiality = confidentiality
        self.menteeGoals = menteeGoals
        self.mentorGoals = mentorGoals
        self.boundaries = boundaries
        self.reviewOn = reviewOn
        self.endsOn = endsOn
    }

    /// The terms this input makes, each missing field taken from `base` (the latest version, or
    /// the starting draft), with every problem under its field: values that are not among the
    /// choices, days that are not days, and everything `AgreementRules.problems` refuses.
    public func terms(over base: AgreementTerms, startedOn: CalendarDay, today: CalendarDay) -> Result<AgreementTerms, ValidationErrors> {
        var errors = ValidationErrors()
        var terms = base
        if let text = meetingFrequency {
            if let value = MeetingFrequency(rawValue: text) { terms.meetingFrequency = value } else {
                errors.add("meeting_frequency", "Meeting frequency: choose one of \(MeetingFrequency.allCases.map(\.rawValue).joined(separator: ", ")) (got “\(text.quoted(40))”).")
            }
        }
        if let list = communicationMethods {
            if let bad = list.first(where: { CommunicationMethod(rawValue: $0) == nil }) {
                errors.add("communication_methods", "How we keep in touch: choose from \(CommunicationMethod.allCases.map(\.rawValue).joined(separator: ", ")) (got “\(bad.quoted(40))”).")
            } else if list.count > 20 {
                errors.add("communication_methods", "How we keep in touch: choose at most \(CommunicationMethod.allCases.count) ways.")
            } else {
                terms.communicationMethods = list.compactMap(CommunicationMethod.init(rawValue:))
            }
        }
        if let text = confidentiality { terms.confidentiality = text }
        if let text = menteeGoals { terms.menteeGoals = text }
        if let text = mentorGoals { terms.mentorGoals = text }
        if let text = boundaries { terms.boundaries = text }
        for (field, label, text, keyPath) in [("review_on", "Review date", reviewOn, \AgreementTerms.reviewOn), ("ends_on", "End date", endsOn, \AgreementTerms.endsOn)] {
            guard let text else { continue }
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            if let day = CalendarDay(trimmed) { terms[keyPath: keyPath] = day } else {
                errors.add(field, trimmed.isEmpty ? "\(label) is required." : "\(label): write a real day from 2000-01-01 to 2999-12-31 as YYYY-MM-DD (got “\(trimmed.quoted(40))”).")
            }
        }
        terms = terms.normalized()
        // A day that is not a day is the only problem told about the dates: the rules would
        // compare the other date with a value the writer did not send.
        let datesRead = errors["review_on"] == nil && errors["ends_on"] == nil
        let problems = AgreementRules.problems(terms, startedOn: startedOn, today: today)
        for field in problems.order where errors[field] == nil && (datesRead || (field != "review_on" && field != "ends_on")) {
            errors.add(field, problems[field] ?? "")
        }
        return errors.isEmpty ? .success(terms) : .failure(errors)
    }
}
