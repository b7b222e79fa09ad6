import Foundation

/// One person as the people CSV describes them (the columns of `PeopleTable.columns`).
public struct PersonRecord: Sendable, Equatable {
    public var email: String
    public var name: String
    /// Nil: no mentoring role (in the directory and in reporting lines, never matched).
    public var role: MentoringRole?
    public var department: String
    public var managerEmail: String?
    public var timezone: String
    public var languages: [String]
    public var expertise: [String]
    public var developmentAreas: [String]
    public var interests: [String]
    public var values: [String]
    public var capacity: Int?
    public var meetingFrequency: MeetingFrequency?
    public var yearsExperience: Int?

    public init(
        email: String, name: String, role: MentoringRole?, department: String = "", managerEmail: String? = nil,
        timezone: String = "", languages: [String] = [], expertise: [String] = [], developmentAreas: [String] = [],
        interests: [String] = [], values: [String] = [], capacity: Int? = nil,
        meetingFrequency: MeetingFrequency? = nil, yearsExperience: Int? = nil
    ) {
        self.email = email
        self.name = name
        self.role = role
        self.department = department
        self.managerEmail = managerEmail
        self.timezone = timezone
        self.languages = languages
        self.expertise = expertise
        self.developmentAreas = developmentAreas
        self.interests = interests
        self.values = values
        self.capacity = capacity
        self.meetingFrequency = meetingFrequency
        self.yearsExperience = yearsExperience
    }

    public func tags(_ kind: TagKind) -> [String] {
        switch kind {
        case .expertise: expertise
        case .development: developmentAreas
        case .interest: interests
        case .value: values
        case .language: languages
        }
    }

    /// Whether two records describe the same person the same way (tags compared as normalised sets).
    public func isEquivalent(to other: PersonRecord) -> Bool {
        func same(_ a: [String], _ b: [String]) -> Bool { a == b || Set(a.map(Tags.key)) == Set(b.map(Tags.key)) }
        return email == other.email && name == other.name && role == other.role && department == other.department
            && managerEmail == other.managerEmail && timezone == other.timezone
            && same(languages, other.languages) && same(expertise, other.expertise)
            && same(developmentAreas, other.developmentAreas) && same(interests, other.interests)
            && same(values, other.values) && capacity == other.capacity
            && meetingFrequency == other.meetingFrequency && yearsExperience == other.yearsExperience
    }
}
