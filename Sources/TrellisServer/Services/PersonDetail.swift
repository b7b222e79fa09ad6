import Fluent
import FluentSQL
import Foundation
import TrellisCore
import Vapor

/// One person as another person sees them (the API sends it as `PersonDTO`). Contact details the person marked private are left
/// out unless the viewer is that person or a program manager.
struct PersonDetail: Sendable {
    struct PersonLink: Sendable, Equatable {
        var id: UUID
        var name: String
    }

    var id: UUID
    var name: String
    var email: String?
    var phone: String?
    var location: String
    var contactPrivate: Bool
    var headline: String
    var bio: String
    var department: String
    var manager: PersonLink?
    var reports: [PersonLink]
    var yearsExperience: Int?
    var timezone: String
    var mentoringRole: String?
    var capacityMentees: Int?
    var capacityHours: Int?
    var meetingFrequency: String?
    var communicationMethods: [String]
    var careerGoals: String
    var languages: [String]
    var expertise: [String]
    var developmentAreas: [String]
    var interests: [String]
    var values: [String]

    static func load(_ id: UUID, viewer: User, on db: any Database) async throws -> PersonDetail {
        guard let stored = try await PeopleStore.person(id, on: db), stored.user.isActive || viewer.isAdmin else {
            throw Abort(.notFound, reason: "There is no person with this id.")
        }
        let (user, profile, manager) = (stored.user, stored.profile, stored.manager)
        async let tagsQuery = PeopleStore.tags(of: [id], on: db)
        let reports = try await PlainRows.all("""
            SELECT u.id, u.name FROM profiles p JOIN users u ON u.id = p.id WHERE p.manager_id = \(bind: id) ORDER BY u.search_name, u.id
            """, on: db).map { PersonLink(id: try $0.uuid("id"), name: try $0.string("name")) }
        let tagsByID = try await tagsQuery
        let tags = tagsByID[id] ?? [:]
        let mayContact = ContactPrivacy.mayContact(contactPrivate: profile.contactPrivate, viewerIsThePerson: viewer.id == id, viewerIsProgramManager: viewer.isAdmin)
        return PersonDetail(
            id: id, name: user.name, email: mayContact ? user.email : nil, phone: mayContact && !profile.phone.isEmpty ? profile.phone : nil,
            location: profile.location, contactPrivate: profile.contactPrivate, headline: profile.headline, bio: profile.bio,
            department: profile.department, manager: try manager.map { PersonLink(id: try $0.requireID(), name: $0.name) },
            reports: reports,
            yearsExperience: profile.yearsExperience, timezone: profile.timezone, mentoringRole: profile.mentoringRole,
            capacityMentees: profile.capacityMentees, capacityHours: profile.capacityHours,
            meetingFrequency: profile.meetingFrequency, communicationMethods: profile.methods.map(\.rawValue),
            careerGoals: profile.careerGoals, languages: tags[.language] ?? [], expertise: tags[.expertise] ?? [],
            developmentAreas: tags[.development] ?? [], interests: tags[.interest] ?? [], values: tags[.value] ?? []
        )
    }
}
