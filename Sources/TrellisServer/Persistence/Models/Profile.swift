import Fluent
import SQLKit
import Foundation
import TrellisCore

/// The profile of PRODUCT.md §1. Its id is the id of the user it belongs to.
final class Profile: Model, @unchecked Sendable {
    static let schema = "profiles"

    @ID(custom: .id, generatedBy: .user) var id: UUID?
    @Field(key: "headline") var headline: String
    @Field(key: "bio") var bio: String
    @Field(key: "department") var department: String
    @OptionalField(key: "manager_id") var managerID: UUID?
    @OptionalField(key: "years_experience") var yearsExperience: Int?
    @Field(key: "timezone") var timezone: String
    @OptionalField(key: "mentoring_role") var mentoringRole: String?
    @OptionalField(key: "capacity_mentees") var capacityMentees: Int?
    @OptionalField(key: "capacity_hours") var capacityHours: Int?
    @OptionalField(key: "meeting_frequency") var meetingFrequency: String?
    /// Communication methods, raw values joined by commas.
    @Field(key: "communication_methods") var communicationMethods: String
    @Field(key: "career_goals") var careerGoals: String
    @Field(key: "phone") var phone: String
    @Field(key: "location") var location: String
    @Field(key: "contact_private") var contactPrivate: Bool
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}

    init(userID: UUID) {
        id = userID
        headline = ""
        bio = ""
        department = ""
        timezone = ""
        communicationMethods = ""
        careerGoals = ""
        phone = ""
        location = ""
        contactPrivate = false
    }

    var role: MentoringRole? { mentoringRole.flatMap(MentoringRole.init(rawValue:)) }
    var frequency: MeetingFrequency? { meetingFrequency.flatMap(MeetingFrequency.init(rawValue:)) }
    var methods: [CommunicationMethod] {
        communicationMethods.split(separator: ",").compactMap { CommunicationMethod(rawValue: String($0)) }
    }

    /// Copies the fields of a validated draft (not the name, which lives on the user, nor tags).
    func apply(_ draft: ProfileDraft) {
        headline = draft.headline
        bio = draft.bio
        department = draft.department
        yearsExperience = draft.yearsExperience
        timezone = draft.timezone
        mentoringRole = draft.mentoringRole?.rawValue
        capacityMentees = draft.capacityMentees  // ProfileRules.capacityProblems: only people who mentor have one
        capacityHours = draft.capacityHoursPerMonth
        meetingFrequency = draft.meetingFrequency?.rawValue
        communicationMethods = draft.communicationMethods.map(\.rawValue).joined(separator: ",")
        careerGoals = draft.careerGoals
        phone = draft.phone
        location = draft.location
        contactPrivate = draft.contactPrivate
    }

    func draft(name: String, tags: [TagKind: [String]]) -> ProfileDraft {
        ProfileDraft(
            name: name, headline: headline, bio: bio, department: department, yearsExperience: yearsExperience,
            timezone: timezone, mentoringRole: role, capacityMentees: capacityMentees, capacityHoursPerMonth: capacityHours,
            meetingFrequency: frequency, communicationMethods: methods, careerGoals: careerGoals, phone: phone,
            location: location, contactPrivate: contactPrivate, tags: tags
        )
    }
}

/// One tag on a profile (expertise, development area, interest, value or language).
final class ProfileTag: Model, @unchecked Sendable {
    static let schema = "profile_tags"

    @ID(key: .id) var id: UUID?
    @Field(key: "profile_id") var profileID: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "name") var name: String
    /// The normalised form tags are compared and searched by.
    @Field(key: "key") var key: String
    @Field(key: "position") var position: Int

    init() {}

    init(profileID: UUID, kind: TagKind, name: String, position: Int) {
        self.profileID = profileID
        self.kind = kind.rawValue
        self.name = name
        self.key = Tags.key(name)
        self.position = position
    }
}

extension Profile {
    static let columnNames = [
        "id", "headline", "bio", "department", "manager_id", "years_experience", "timezone", "mentoring_role", "capacity_mentees",
        "capacity_hours", "meeting_frequency", "communication_methods", "career_goals", "phone", "location", "contact_private", "updated_at",
    ]

    /// The columns `init(row:)` reads, for a plain SQL query on `profiles` under the alias `alias`.
    static func columns(_ alias: String) -> String {
        columnNames.map { "\(alias).\($0) AS profile_\($0)" }.joined(separator: ", ")
    }

    /// A profile read by plain SQL (see `columns(_:)`), without Fluent's reflective decoding; nil
    /// when the row has no profile (a LEFT JOIN that found none). Marked as stored, so `save` updates it.
    /// Every field counts as set, so `save` writes every column back as it was read: to change
    /// something, update just those columns in a transaction (as the password change does), or
    /// read the model with Fluent inside the transaction that saves it.
    convenience init?(row: PlainRow) throws {
        guard let id = try row.optionalUUID("profile_id") else { return nil }
        self.init()
        self.id = id
        $id.exists = true
        headline = try row.string("profile_headline")
        bio = try row.string("profile_bio")
        department = try row.string("profile_department")
        managerID = try row.optionalUUID("profile_manager_id")
        yearsExperience = try row.optionalInt("profile_years_experience")
        timezone = try row.string("profile_timezone")
        mentoringRole = try row.optionalString("profile_mentoring_role")
        capacityMentees = try row.optionalInt("profile_capacity_mentees")
        capacityHours = try row.optionalInt("profile_capacity_hours")
        meetingFrequency = try row.optionalString("profile_meeting_frequency")
        communicationMethods = try row.string("profile_communication_methods")
        careerGoals = try row.string("profile_career_goals")
        phone = try row.string("profile_phone")
        location = try row.string("profile_location")
        contactPrivate = try row.bool("profile_contact_private")
        updatedAt = try row.optionalDate("profile_updated_at")
    }
}

extension Profile {
    /// A person's time zone, from their profile; UTC when they have none or it is not a zone.
    /// "Today" and every time shown to them are in it.
    static func timeZone(of person: UUID, on db: any Database) async throws -> TimeZone {
        try await Profile.find(person, on: db).flatMap { TimeZone(identifier: $0.timezone) } ?? TimeZone(identifier: "UTC")!
    }
}
