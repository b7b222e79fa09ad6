import Foundation

/// Everything a person can say about themselves (PRODUCT.md §1), before it is stored.
public struct ProfileDraft: Sendable, Equatable {
    public var name: String
    public var headline: String
    public var bio: String
    public var department: String
    public var yearsExperience: Int?
    public var timezone: String
    public var mentoringRole: MentoringRole?
    public var capacityMentees: Int?
    public var capacityHoursPerMonth: Int?
    public var meetingFrequency: MeetingFrequency?
    public var communicationMethods: [CommunicationMethod]
    public var careerGoals: String
    public var phone: String
    public var location: String
    public var contactPrivate: Bool
    public var tags: [TagKind: [String]]

    public init(
        name: String = "", headline: String = "", bio: String = "", department: String = "",
        yearsExperience: Int? = nil, timezone: String = "", mentoringRole: MentoringRole? = nil,
        capacityMentees: Int? = nil, capacityHoursPerMonth: Int? = nil,
        meetingFrequency: MeetingFrequency? = nil, communicationMethods: [CommunicationMethod] = [],
        careerGoals: String = "", phone: String = "", location: String = "", contactPrivate: Bool = false,
        tags: [TagKind: [String]] = [:]
    ) {
        self.name = name
        self.headline = headline
        self.bio = bio
        self.department = department
        self.yearsExperience = yearsExperience
        self.timezone = timezone
        self.mentoringRole = mentoringRole
        self.capacityMentees = capacityMentees
        self.capacityHoursPerMonth = capacityHoursPerMonth
        self.meetingFrequency = meetingFrequency
        self.communicationMethods = communicationMethods
        self.careerGoals = careerGoals
        self.phone = phone
        self.location = location
        self.contactPrivate = contactPrivate
        self.tags = tags
    }

    public func tags(_ kind: TagKind) -> [String] { tags[kind] ?? [] }

    /// Returns a copy with text trimmed and tags normalised.
    public func normalized() -> ProfileDraft {
        var copy = self
        copy.name = TextInput.line(name)
        copy.headline = TextInput.line(headline)
        copy.bio = TextInput.paragraphs(bio)
        copy.department = TextInput.line(department)
        copy.timezone = TextInput.line(timezone)
        copy.careerGoals = TextInput.paragraphs(careerGoals)
        copy.phone = TextInput.line(phone)
        copy.location = TextInput.line(location)
        var seen = Set<CommunicationMethod>()
        copy.communicationMethods = communicationMethods.filter { seen.insert($0).inserted }
        copy.tags = tags.mapValues { Tags.normalize($0) }
        return copy
    }

    /// A text field of the profile: its name in forms, files and the API, its rule, and its value.
    public struct TextField: Sendable {
        public let name: String
        public let rule: ProfileRules.Text
        public let value: @Sendable (ProfileDraft) -> String
    }

    /// Every text field, once: the form's and the API's checks both go through this list.
    public static let textFields: [TextField] = [
        TextField(name: "name", rule: ProfileRules.name) { $0.name },
        TextField(name: "headline", rule: ProfileRules.headline) { $0.headline },
        TextField(name: "bio", rule: ProfileRules.bio) { $0.bio },
        TextField(name: "department", rule: ProfileRules.department) { $0.department },
        TextField(name: "career_goals", rule: ProfileRules.careerGoals) { $0.careerGoals },
        TextField(name: "phone", rule: ProfileRules.phone) { $0.phone },
        TextField(name: "location", rule: ProfileRules.location) { $0.location },
    ]

    /// Validates a normalised draft against `ProfileRules`. Field names match the web form and the API.
    /// `roleUnreadable`: the role typed was not one (the caller reported it), so capacity is not
    /// judged against a role nobody chose.
    public func validate(roleUnreadable: Bool = false) -> ValidationErrors {
        var errors = ValidationErrors()
        for field in Self.textFields {
            if let problem = field.rule.problem(field.value(self)) { errors.add(field.name, problem) }
        }
        let numbers: [(String, ProfileRules.Number, Int?)] = [
            ("years_experience", ProfileRules.yearsExperience, yearsExperience),
            ("capacity_mentees", ProfileRules.capacityMentees, capacityMentees),
            ("capacity_hours", ProfileRules.capacityHours, capacityHoursPerMonth),
        ]
        for (field, rule, value) in numbers {
            if let value, let problem = rule.problem(value) { errors.add(field, problem) }
        }
        if let problem = ProfileRules.timezoneProblem(timezone) { errors.add("timezone", problem) }
        let capacity = roleUnreadable
            ? (capacity: nil, hours: nil) : ProfileRules.capacityProblems(role: mentoringRole, capacity: capacityMentees, hours: capacityHoursPerMonth)
        if let problem = capacity.capacity, errors["capacity_mentees"] == nil { errors.add("capacity_mentees", problem) }
        if let problem = capacity.hours, errors["capacity_hours"] == nil { errors.add("capacity_hours", problem) }
        for kind in TagKind.allCases {
            if let problem = ProfileRules.tagsProblem(tags(kind), kind: kind) { errors.add(kind.rawValue, problem) }
        }
        return errors
    }

    /// The share of the profile that is filled in, 0...1, with what is still missing.
    public var completeness: (fraction: Double, missing: [String]) {
        let checks: [(Bool, String)] = [
            (!headline.isEmpty, "a headline"),
            (!bio.isEmpty, "a short bio"),
            (!department.isEmpty, "your department"),
            (!timezone.isEmpty, "your time zone"),
            (mentoringRole != nil, "whether you want to mentor, be mentored, or both"),
            (!tags(.language).isEmpty, "the languages you speak"),
            (!tags(.interest).isEmpty, "your interests"),
            (!tags(.value).isEmpty, "your values"),
            (mentoringRole?.canMentor != true || !tags(.expertise).isEmpty, "the expertise you can share"),
            (mentoringRole?.wantsMentor != true || !tags(.development).isEmpty, "the areas you want to develop"),
            (!careerGoals.isEmpty, "your career goals"),
            (meetingFrequency != nil, "how often you would like to meet"),
            (!communicationMethods.isEmpty, "how you like to communicate"),
            (yearsExperience != nil, "your years of experience"),
        ]
        let done = checks.filter(\.0).count
        return (Double(done) / Double(checks.count), checks.filter { !$0.0 }.map(\.1))
    }
}

/// IANA time-zone names.
public enum TimeZones {
    /// Zones people commonly pick that some platforms' lists leave out (they list the older alias,
    /// such as Asia/Calcutta), added when the system can load them.
    static let commonAliases = ["Asia/Kolkata", "Asia/Ho_Chi_Minh", "Asia/Kathmandu", "Asia/Yangon", "Europe/Kyiv", "America/Nuuk", "Pacific/Kanton", "UTC"]

    /// Every zone offered in forms, sorted.
    public static let all: [String] = {
        var names = Set(TimeZone.knownTimeZoneIdentifiers)
        for alias in commonAliases where TimeZone(identifier: alias) != nil { names.insert(alias) }
        return names.sorted()
    }()
    private static let known = Set(all)

    /// Whether the name is an IANA zone: listed, or shaped like Area/Location and loadable.
    public static func isValid(_ identifier: String) -> Bool {
        if known.contains(identifier) { return true }
        let parts = identifier.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts.allSatisfy({ part in !part.isEmpty && part.allSatisfy { $0.isLetter || $0.isNumber || "_-+".contains($0) } }),
              parts[0].first?.isUppercase == true
        else { return false }
        return TimeZone(identifier: identifier) != nil
    }
}

/// Email addresses as accounts use them.
public enum EmailAddress {
    /// Lower-cased and trimmed: the key an account is found by. Composed again after lowering
    /// the case (`TextInput.lowercased`): the database finds an account by the bytes, Swift by
    /// canonical equivalence. Before, an import of "ẖa@…" after one of "H̱a@…" made a second
    /// account that Swift took for the first, and every later import stopped the process.
    public static func normalize(_ email: String) -> String {
        TextInput.lowercased(TextInput.line(email))
    }

    /// A deliberately simple check: one @, something before it, a dot in the domain, no spaces,
    /// at most 254 characters. By Unicode scalar: "@" or "," followed by a combining mark is one
    /// Swift character, which a check by character would not see.
    public static func isValid(_ email: String) -> Bool {
        // ASCII (nearly every address): the same rules on the bytes, without Unicode properties.
        // Among ASCII, white space and controls are exactly the bytes up to 0x20 and 0x7F.
        if email.utf8.allSatisfy({ $0 < 0x80 }) {
            let bytes = email.utf8
            guard bytes.count <= 254 else { return false }
            var at: String.UTF8View.Index?
            for index in bytes.indices {
                switch bytes[index] {
                case 0...0x20, 0x7F, UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "\""): return false
                case UInt8(ascii: "@"): if at != nil { return false }; at = index
                default: break
                }
            }
            guard let at, at != bytes.startIndex else { return false }
            let domain = bytes[bytes.index(after: at)...]
            guard let dot = domain.lastIndex(of: UInt8(ascii: ".")), dot != domain.startIndex, domain.index(after: dot) != domain.endIndex else { return false }
            return true
        }
        return isValidByScalar(email)
    }

    /// The rules by Unicode scalar, for any text (`isValid` takes ASCII on its bytes; a test
    /// compares the two on ASCII text).
    static func isValidByScalar(_ email: String) -> Bool {
        let scalars = email.unicodeScalars
        guard scalars.count <= 254,
              !scalars.contains(where: { $0.properties.isWhitespace || $0 == "," || $0 == ";" || $0 == "<" || $0 == ">" || $0 == "\"" || TextInput.isControl($0) })
        else { return false }
        let parts = scalars.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty else { return false }
        let domain = parts[1]
        guard let dot = domain.lastIndex(of: "."), dot != domain.startIndex, domain.index(after: dot) != domain.endIndex else {
            return false
        }
        return true
    }
}
