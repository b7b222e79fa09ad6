import Foundation
import TrellisCore
import Vapor

/// The profile form as submitted by a browser: every field text, so that a wrong number can be
/// named and kept on the page instead of failing to decode.
struct ProfileForm: Content {
    var name: String?
    var headline: String?
    var bio: String?
    var department: String?
    var manager_email: String?
    var years_experience: String?
    var timezone: String?
    var mentoring_role: String?
    var capacity_mentees: String?
    var capacity_hours: String?
    var meeting_frequency: String?
    var communication_methods: [String]?
    var career_goals: String?
    var phone: String?
    var location: String?
    var contact_private: String?
    var expertise: String?
    var development_areas: String?
    var interests: String?
    var values: String?
    var languages: String?

    /// The draft, plus problems found while reading the text (numbers, choices).
    func draft() -> (ProfileDraft, ValidationErrors) {
        var errors = ValidationErrors()
        func number(_ field: String, _ text: String?, _ rule: ProfileRules.Number) -> Int? {
            switch rule.parse(text ?? "") {
            case .success(let value): return value
            case .failure(let failure):
                errors.add(field, failure.message)
                return nil
            }
        }
        func choice<Value: Choice>(_ field: String, _ text: String?, as type: Value.Type) -> Value? {
            switch ProfileRules.choice(text ?? "", as: type) {
            case .success(let value): return value
            case .failure(let failure):
                if errors[field] == nil { errors.add(field, failure.message) }
                return nil
            }
        }
        let role = choice("mentoring_role", mentoring_role, as: MentoringRole.self)
        let frequency = choice("meeting_frequency", meeting_frequency, as: MeetingFrequency.self)
        let methods = (communication_methods ?? []).compactMap { choice("communication_methods", $0, as: CommunicationMethod.self) }
        var tags: [TagKind: [String]] = [:]
        tags[.expertise] = Tags.parseTyped(expertise ?? "")
        tags[.development] = Tags.parseTyped(development_areas ?? "")
        tags[.interest] = Tags.parseTyped(interests ?? "")
        tags[.value] = Tags.parseTyped(values ?? "")
        tags[.language] = Tags.parseTyped(languages ?? "")
        let draft = ProfileDraft(
            name: name ?? "", headline: headline ?? "", bio: bio ?? "", department: department ?? "",
            yearsExperience: number("years_experience", years_experience, ProfileRules.yearsExperience),
            timezone: timezone ?? "", mentoringRole: role,
            capacityMentees: number("capacity_mentees", capacity_mentees, ProfileRules.capacityMentees),
            capacityHoursPerMonth: number("capacity_hours", capacity_hours, ProfileRules.capacityHours),
            meetingFrequency: frequency, communicationMethods: methods, careerGoals: career_goals ?? "",
            phone: phone ?? "", location: location ?? "", contactPrivate: contact_private == "on" || contact_private == "true",
            tags: tags
        ).normalized()
        return (draft, errors)
    }

    init(draft: ProfileDraft, managerEmail: String) {
        name = draft.name
        headline = draft.headline
        bio = draft.bio
        department = draft.department
        manager_email = managerEmail
        years_experience = draft.yearsExperience.map(String.init)
        timezone = draft.timezone
        mentoring_role = draft.mentoringRole?.rawValue
        capacity_mentees = draft.capacityMentees.map(String.init)
        capacity_hours = draft.capacityHoursPerMonth.map(String.init)
        meeting_frequency = draft.meetingFrequency?.rawValue
        communication_methods = draft.communicationMethods.map(\.rawValue)
        career_goals = draft.careerGoals
        phone = draft.phone
        location = draft.location
        contact_private = draft.contactPrivate ? "on" : nil
        expertise = Tags.formText(draft.tags(.expertise))
        development_areas = Tags.formText(draft.tags(.development))
        interests = Tags.formText(draft.tags(.interest))
        values = Tags.formText(draft.tags(.value))
        languages = Tags.formText(draft.tags(.language))
    }

    func tagText(_ kind: TagKind) -> String {
        switch kind {
        case .expertise: expertise ?? ""
        case .development: development_areas ?? ""
        case .interest: interests ?? ""
        case .value: values ?? ""
        case .language: languages ?? ""
        }
    }
}
