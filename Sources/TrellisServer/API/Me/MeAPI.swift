import Fluent
import Foundation
import TrellisCore
import Vapor

/// `/api/v1/me` and `/api/v1/me/profile`: who the token belongs to, and their own profile, read
/// and replaced.
enum MeAPI {
    static func register(_ api: some RoutesBuilder) {
        api.get("me", use: me)
        api.get("me", "profile", use: myProfile)
        api.put("me", "profile", use: updateMyProfile)
    }

    @Sendable static func me(_ req: Request) async throws -> MeDTO {
        let user = try req.requireUser()
        return MeDTO(id: try user.requireID(), email: user.email, name: user.name, role: user.role)
    }

    @Sendable static func myProfile(_ req: Request) async throws -> PersonDTO {
        let user = try req.requireUser()
        return PersonDTO(try await PersonDetail.load(user.requireID(), viewer: user, on: req.db))
    }

    @Sendable static func updateMyProfile(_ req: Request) async throws -> PersonDTO {
        let user = try req.requireUser()
        let id = try user.requireID()
        guard req.headers.contentType == .json else {
            throw Abort(.unsupportedMediaType, reason: "Send the profile as JSON, with the header “Content-Type: application/json”.")
        }
        // The schema allows no other fields: a misspelt one would otherwise be dropped silently.
        if let data = req.body.data, let object = try? JSONSerialization.jsonObject(with: Data(buffer: data)) as? [String: Any] {
            if let twice = JSONDuplicateKeys.first(in: Data(buffer: data)) {
                throw Abort(.badRequest, reason: "The body names “\(twice.excerpt(60))” twice: send each field once.")
            }
            let unknown = object.keys.filter { !ProfileUpdateDTO.fieldNames.contains($0) }.sorted()
            if !unknown.isEmpty {
                var errors = ValidationErrors()
                for field in unknown.prefix(20) { errors.add(field.excerpt(100), "Unknown field. Allowed fields: \(ProfileUpdateDTO.fieldNames.sorted().joined(separator: ", ")).") }
                throw InvalidInput(message: "The profile was not saved: the body has fields a profile does not have.", errors: errors)
            }
        }
        let input = try req.content.decode(ProfileUpdateDTO.self)
        var errors = ValidationErrors()
        let lists: [(TagKind, [String]?)] = [
            (.language, input.languages), (.expertise, input.expertise), (.development, input.development_areas),
            (.interest, input.interests), (.value, input.values),
        ]
        for (kind, list) in lists {
            if let list, let problem = ProfileRules.tagsProblem(sent: list, kind: kind) { errors.add(kind.rawValue, problem) }
        }
        /// A choice as the document lists it (exactly: the forms and files are the ones that forgive
        /// letter case); an empty text is not a choice (null is how JSON says none, or leaving an
        /// entry out of a list).
        func choice<Value: Choice>(_ field: String, _ raw: String?, as type: Value.Type, inList: Bool = false) -> Value? {
            guard let raw else { return nil }
            if raw.isEmpty {
                let instead = inList ? "leave the entry out" : "send null"
                if errors[field] == nil { errors.add(field, "\(Value.choiceLabel): choose \(Value.allowedText), or \(instead) (got an empty text).") }
                return nil
            }
            switch ProfileRules.exactChoice(raw, as: type) {
            case .success(let value): return value
            case .failure(let failure):
                if errors[field] == nil { errors.add(field, failure.message) }
                return nil
            }
        }
        let role = choice("mentoring_role", input.mentoring_role, as: MentoringRole.self)
        let frequency = choice("meeting_frequency", input.meeting_frequency, as: MeetingFrequency.self)
        let methods = (input.communication_methods ?? []).compactMap { choice("communication_methods", $0, as: CommunicationMethod.self, inList: true) }
        let sent = ProfileDraft(
            name: input.name ?? user.name, headline: input.headline ?? "", bio: input.bio ?? "", department: input.department ?? "",
            yearsExperience: input.years_experience, timezone: input.timezone ?? "", mentoringRole: role,
            capacityMentees: input.capacity_mentees, capacityHoursPerMonth: input.capacity_hours, meetingFrequency: frequency,
            communicationMethods: methods, careerGoals: input.career_goals ?? "", phone: input.phone ?? "",
            location: input.location ?? "", contactPrivate: input.contact_private ?? false,
            tags: [
                .language: input.languages ?? [], .expertise: input.expertise ?? [], .development: input.development_areas ?? [],
                .interest: input.interests ?? [], .value: input.values ?? [],
            ]
        )
        // The limits the document states hold for what is sent (cleaning may shorten it later);
        // a name left out keeps the stored one, which is not checked again.
        for field in ProfileDraft.textFields where field.name != "name" || input.name != nil {
            if let problem = field.rule.problem(sent: field.value(sent)), errors[field.name] == nil { errors.add(field.name, problem) }
        }
        let draft = sent.normalized()
        let problems = draft.validate(roleUnreadable: errors["mentoring_role"] != nil)
        for field in problems.order where errors[field] == nil { errors.add(field, problems[field]!) }
        // Reporting lines are set by program managers. A participant may send their current
        // manager back (or leave the field out); anything else is refused.
        var managerChange: UUID?? = .none
        if user.isAdmin {
            let managerErrors = try await PeopleStore.checkManager(input.manager_id, for: id, on: req.db)
            if let message = managerErrors["manager"] { errors.add("manager_id", message) }
            managerChange = .some(input.manager_id)
        } else if let requested = input.manager_id, requested != (try await Profile.find(id, on: req.db))?.managerID {
            errors.add("manager_id", "Only a program manager can change who you report to. Leave this field out, or send your current manager.")
        }
        guard errors.isEmpty else { throw InvalidInput(message: "The profile was not saved: some fields are not valid.", errors: errors) }
        try await PeopleStore.save(draft, manager: managerChange, for: id, on: req.db)
        return PersonDTO(try await PersonDetail.load(id, viewer: user, on: req.db))
    }
}
