import Foundation
import Vapor

/// `GET /api/v1/me`.
struct MeDTO: Content {
    var id: UUID
    var email: String
    var name: String
    var role: String
}

/// The whole profile, replaced. Fields left out are cleared, except `name` (kept when absent).
struct ProfileUpdateDTO: Content {
    var name: String?
    var headline: String?
    var bio: String?
    var department: String?
    var manager_id: UUID?
    var years_experience: Int?
    var timezone: String?
    var mentoring_role: String?
    var capacity_mentees: Int?
    var capacity_hours: Int?
    var meeting_frequency: String?
    var communication_methods: [String]?
    var career_goals: String?
    var phone: String?
    var location: String?
    var contact_private: Bool?
    var languages: [String]?
    var expertise: [String]?
    var development_areas: [String]?
    var interests: [String]?
    var values: [String]?

    static let fieldNames: Set<String> = [
        "name", "headline", "bio", "department", "manager_id", "years_experience", "timezone", "mentoring_role",
        "capacity_mentees", "capacity_hours", "meeting_frequency", "communication_methods", "career_goals", "phone",
        "location", "contact_private", "languages", "expertise", "development_areas", "interests", "values",
    ]
}
