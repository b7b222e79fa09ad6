import Foundation

/// Whether a person wants to mentor, be mentored, or both.
public enum MentoringRole: String, Sendable, CaseIterable, Codable {
    case mentor, mentee, both

    public var canMentor: Bool { self == .mentor || self == .both }
    public var wantsMentor: Bool { self == .mentee || self == .both }

    public var label: String {
        switch self {
        case .mentor: "Mentor"
        case .mentee: "Mentee"
        case .both: "Mentor and mentee"
        }
    }
}

/// How often a person prefers to meet, as in PRODUCT.md §2.
public enum MeetingFrequency: String, Sendable, CaseIterable, Codable {
    case weekly, biweekly, monthly
    case asNeeded = "as-needed"

    public var label: String {
        switch self {
        case .weekly: "Weekly"
        case .biweekly: "Every two weeks"
        case .monthly: "Monthly"
        case .asNeeded: "As needed"
        }
    }

    /// Meetings per month, used to compare preferences.
    public var meetingsPerMonth: Double {
        switch self {
        case .weekly: 4.3
        case .biweekly: 2.15
        case .monthly: 1
        case .asNeeded: 0.5
        }
    }
}

/// How a person prefers to communicate.
public enum CommunicationMethod: String, Sendable, CaseIterable, Codable {
    case inPerson = "in-person"
    case video, phone, email, chat

    public var label: String {
        switch self {
        case .inPerson: "In person"
        case .video: "Video call"
        case .phone: "Phone"
        case .email: "Email"
        case .chat: "Chat"
        }
    }
}

/// The tag lists of a profile.
public enum TagKind: String, Sendable, CaseIterable, Codable {
    case expertise
    case development = "development_areas"
    case interest = "interests"
    case value = "values"
    case language = "languages"

    public var label: String {
        switch self {
        case .expertise: "Expertise"
        case .development: "Development areas"
        case .interest: "Interests"
        case .value: "Values"
        case .language: "Languages"
        }
    }

    /// What the list means, for form hints.
    public var hint: String {
        switch self {
        case .expertise: "Skills you can teach."
        case .development: "Skills you want to grow."
        case .interest: "Topics you enjoy, at work or outside it."
        case .value: "What matters to you in how you work."
        case .language: "Languages you can hold a conversation in."
        }
    }
}

/// The platform role of an account.
public enum AccountRole: String, Sendable, CaseIterable, Codable {
    case admin, participant

    public var label: String { self == .admin ? "Program manager" : "Participant" }
}
