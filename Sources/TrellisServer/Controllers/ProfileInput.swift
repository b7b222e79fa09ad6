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
        func number(_ field: String, _ text: String?, label: String) -> Int? {
            let trimmed = (text ?? "").trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { return nil }
            guard let value = Int(trimmed) else {
                errors.add(field, "\(label) must be a whole number (you typed “\(trimmed)”).")
                return nil
            }
            return value
        }
        var role: MentoringRole?
        if let text = mentoring_role, !text.isEmpty {
            role = MentoringRole(rawValue: text)
            if role == nil { errors.add("mentoring_role", "Choose mentor, mentee, or both.") }
        }
        var frequency: MeetingFrequency?
        if let text = meeting_frequency, !text.isEmpty {
            frequency = MeetingFrequency(rawValue: text)
            if frequency == nil { errors.add("meeting_frequency", "Choose weekly, every two weeks, monthly or as needed.") }
        }
        var methods: [CommunicationMethod] = []
        for raw in communication_methods ?? [] {
            if let method = CommunicationMethod(rawValue: raw) { methods.append(method) }
            else { errors.add("communication_methods", "“\(raw)” is not a communication method we know.") }
        }
        var tags: [TagKind: [String]] = [:]
        tags[.expertise] = Tags.parseTyped(expertise ?? "")
        tags[.development] = Tags.parseTyped(development_areas ?? "")
        tags[.interest] = Tags.parseTyped(interests ?? "")
        tags[.value] = Tags.parseTyped(values ?? "")
        tags[.language] = Tags.parseTyped(languages ?? "")
        let draft = ProfileDraft(
            name: name ?? "", headline: headline ?? "", bio: bio ?? "", department: department ?? "",
            yearsExperience: number("years_experience", years_experience, label: "Years of experience"),
            timezone: timezone ?? "", mentoringRole: role,
            capacityMentees: number("capacity_mentees", capacity_mentees, label: "Capacity"),
            capacityHoursPerMonth: number("capacity_hours", capacity_hours, label: "Hours per month"),
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
