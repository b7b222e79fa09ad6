import Foundation
import NIOCore
import Vapor

/// A person as the API links to them.
struct PersonLinkDTO: Content, Equatable {
    var id: UUID
    var name: String

    init(id: UUID, name: String) { (self.id, self.name) = (id, name) }
    init(_ link: PersonDetail.PersonLink) { self.init(id: link.id, name: link.name) }
}

/// `GET /api/v1/people/{id}` and `/api/v1/me/profile`: the document's `PersonDetail`.
struct PersonDTO: Content {
    var id: UUID
    var name: String
    var email: String?
    var phone: String?
    var location: String
    var contact_private: Bool
    var headline: String
    var bio: String
    var department: String
    var manager: PersonLinkDTO?
    var reports: [PersonLinkDTO]
    var years_experience: Int?
    var timezone: String
    var mentoring_role: String?
    var capacity_mentees: Int?
    var capacity_hours: Int?
    var meeting_frequency: String?
    var communication_methods: [String]
    var career_goals: String
    var languages: [String]
    var expertise: [String]
    var development_areas: [String]
    var interests: [String]
    var values: [String]

    init(_ person: PersonDetail) {
        id = person.id
        name = person.name
        email = person.email
        phone = person.phone
        location = person.location
        contact_private = person.contactPrivate
        headline = person.headline
        bio = person.bio
        department = person.department
        manager = person.manager.map(PersonLinkDTO.init)
        reports = person.reports.map(PersonLinkDTO.init)
        years_experience = person.yearsExperience
        timezone = person.timezone
        mentoring_role = person.mentoringRole
        capacity_mentees = person.capacityMentees
        capacity_hours = person.capacityHours
        meeting_frequency = person.meetingFrequency
        communication_methods = person.communicationMethods
        career_goals = person.careerGoals
        languages = person.languages
        expertise = person.expertise
        development_areas = person.developmentAreas
        interests = person.interests
        values = person.values
    }

    /// Every field is written, an absent value as `null`, as the API's document promises (the
    /// synthesized conformance would leave them out).
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(email, forKey: .email)
        try container.encode(phone, forKey: .phone)
        try container.encode(location, forKey: .location)
        try container.encode(contact_private, forKey: .contact_private)
        try container.encode(headline, forKey: .headline)
        try container.encode(bio, forKey: .bio)
        try container.encode(department, forKey: .department)
        try container.encode(manager, forKey: .manager)
        try container.encode(reports, forKey: .reports)
        try container.encode(years_experience, forKey: .years_experience)
        try container.encode(timezone, forKey: .timezone)
        try container.encode(mentoring_role, forKey: .mentoring_role)
        try container.encode(capacity_mentees, forKey: .capacity_mentees)
        try container.encode(capacity_hours, forKey: .capacity_hours)
        try container.encode(meeting_frequency, forKey: .meeting_frequency)
        try container.encode(communication_methods, forKey: .communication_methods)
        try container.encode(career_goals, forKey: .career_goals)
        try container.encode(languages, forKey: .languages)
        try container.encode(expertise, forKey: .expertise)
        try container.encode(development_areas, forKey: .development_areas)
        try container.encode(interests, forKey: .interests)
        try container.encode(values, forKey: .values)
    }
}

/// One person on a page of `GET /api/v1/people`: the document's `PersonSummary`.
struct PersonSummaryDTO: Content, Equatable {
    var id: UUID
    var name: String
    var headline: String
    var department: String
    var timezone: String
    var location: String
    var mentoring_role: String?
    var expertise: [String]
    var development_areas: [String]
    var interests: [String]

    init(id: UUID, name: String, headline: String, department: String, timezone: String, location: String, mentoring_role: String?, expertise: [String], development_areas: [String], interests: [String]) {
        (self.id, self.name, self.headline, self.department, self.timezone, self.location) = (id, name, headline, department, timezone, location)
        (self.mentoring_role, self.expertise, self.development_areas, self.interests) = (mentoring_role, expertise, development_areas, interests)
    }

    init(_ person: PersonSummary) {
        self.init(
            id: person.id, name: person.name, headline: person.headline, department: person.department, timezone: person.timezone,
            location: person.location, mentoring_role: person.mentoringRole, expertise: person.expertise,
            development_areas: person.developmentAreas, interests: person.interests)
    }
}

/// `GET /api/v1/people`: the document's `DirectoryPage`. Sent by `JSONWriter` (below).
struct DirectoryPageDTO: Content {
    var items: [PersonSummaryDTO]
    var page: Int
    var per: Int
    /// Left out for a text search whose matches go on past this page (not counted).
    var total: Int?
    var hasNext = false
    var moreThanListed = false

    enum CodingKeys: String, CodingKey { case items, page, per, total, hasNext = "has_next", moreThanListed = "more_than_listed" }

    init(items: [PersonSummaryDTO], page: Int, per: Int, total: Int?, hasNext: Bool = false, moreThanListed: Bool = false) {
        (self.items, self.page, self.per, self.total, self.hasNext, self.moreThanListed) = (items, page, per, total, hasNext, moreThanListed)
    }

    init(_ page: DirectoryPage) {
        self.init(items: page.items.map(PersonSummaryDTO.init), page: page.page, per: page.per, total: page.total, hasNext: page.hasNext, moreThanListed: page.moreThanListed)
    }
}

extension PersonSummaryDTO {
    /// As `Encodable` writes it (the same names; `mentoring_role` left out when nil).
    func write(to json: inout JSONWriter) {
        json.object { json in
            json.key("id")
            json.string(id.uuidString)
            json.key("name")
            json.string(name)
            json.key("headline")
            json.string(headline)
            json.key("department")
            json.string(department)
            json.key("timezone")
            json.string(timezone)
            json.key("location")
            json.string(location)
            json.member("mentoring_role", mentoring_role)
            json.key("expertise")
            json.strings(expertise)
            json.key("development_areas")
            json.strings(development_areas)
            json.key("interests")
            json.strings(interests)
        }
    }
}

extension DirectoryPageDTO {
    /// As `Encodable` writes it (`CodingKeys`; `total` left out when nil).
    func write(to json: inout JSONWriter) {
        json.object { json in
            json.key("items")
            json.array(items) { json, item in item.write(to: &json) }
            json.key("page")
            json.int(page)
            json.key("per")
            json.int(per)
            json.member("total", total)
            json.key("has_next")
            json.bool(hasNext)
            json.key("more_than_listed")
            json.bool(moreThanListed)
        }
    }

    func json(allocator: ByteBufferAllocator = ByteBufferAllocator()) -> ByteBuffer {
        var json = JSONWriter(allocator: allocator, capacity: 1_024 + items.count * 512)
        write(to: &json)
        return json.buffer
    }

    /// Written by `JSONWriter` rather than `JSONEncoder` (see there): 200,
    /// `application/json; charset=utf-8`.
    func encodeResponse(for request: Request) async throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(buffer: json(allocator: request.byteBufferAllocator)))
    }
}
