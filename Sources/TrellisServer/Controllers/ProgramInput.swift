import Foundation
import TrellisCore
import TrellisMatching
import Vapor

/// The program form as a browser sends it: every field text, so that a wrong number or day is
/// named and kept on the page instead of failing to decode.
struct ProgramForm: Content {
    var name: String?
    var description: String?
    var purpose: String?
    var mode: String?
    var enrolment_opens: String?
    var enrolment_closes: String?
    var starts: String?
    var ends: String?
    var exclude_same_department: String?
    var minimum_score: String?
    var allow_repeat_pairs: String?
    var maximum_open_requests: String?
    var request_expiry_days: String?
    /// Where the pairs meet: `trellis` (the default) or `outside`.
    var meetings: String?
    /// One per factor, by `MatchWeights.Factor.key`, as `weight_<key>`.
    var weight_complementarity: String?
    var weight_sharedInterests: String?
    var weight_sharedValues: String?
    var weight_timeZone: String?
    var weight_language: String?
    var weight_meetingFrequency: String?
    var weight_experience: String?

    static func weightField(_ factor: MatchWeights.Factor) -> String { "weight_\(factor.key)" }

    var weightTexts: [String: String] {
        [
            "complementarity": weight_complementarity, "sharedInterests": weight_sharedInterests, "sharedValues": weight_sharedValues,
            "timeZone": weight_timeZone, "language": weight_language, "meetingFrequency": weight_meetingFrequency, "experience": weight_experience,
        ].compactMapValues { $0 }
    }

    /// The form showing a stored program's settings.
    init(_ draft: ProgramDraft, weights: MatchWeights) {
        name = draft.name
        description = draft.description
        purpose = draft.purpose
        mode = draft.mode.rawValue
        enrolment_opens = draft.enrolmentOpens?.description
        enrolment_closes = draft.enrolmentCloses?.description
        starts = draft.starts?.description
        ends = draft.ends?.description
        exclude_same_department = draft.excludeSameDepartment ? "on" : nil
        minimum_score = Self.decimal(draft.minimumScore)
        allow_repeat_pairs = draft.allowRepeatPairs ? "on" : nil
        maximum_open_requests = String(draft.maximumOpenRequests)
        request_expiry_days = String(draft.requestExpiryDays)
        meetings = MeetingsPlace(inTrellis: draft.meetingsInTrellis).rawValue
        weight_complementarity = Self.decimal(weights.complementarity)
        weight_sharedInterests = Self.decimal(weights.sharedInterests)
        weight_sharedValues = Self.decimal(weights.sharedValues)
        weight_timeZone = Self.decimal(weights.timeZone)
        weight_language = Self.decimal(weights.language)
        weight_meetingFrequency = Self.decimal(weights.meetingFrequency)
        weight_experience = Self.decimal(weights.experience)
    }

    /// A number as the form shows it: plain decimals, no exponent ("0.35", "1").
    static func decimal(_ value: Double) -> String {
        var text = String(format: "%.6f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }

    /// The settings and weights, or every problem by field (weights by `weight_<key>`).
    func parse() -> Result<(ProgramDraft, MatchWeights), ValidationErrors> {
        var errors = ValidationErrors()
        func day(_ field: String, _ text: String?, _ label: String) -> CalendarDay? {
            switch ProgramRules.parseDay(text ?? "", label: label) {
            case .success(let day): return day
            case .failure(let problem): errors.add(field, problem.message); return nil
            }
        }
        func number(_ field: String, _ text: String?, _ rule: ProfileRules.Number, default value: Int) -> Int {
            switch rule.parse(text ?? "") {
            case .success(let parsed): return parsed ?? value
            case .failure(let problem): errors.add(field, problem.message); return value
            }
        }
        var mode = MatchingMode.bulk
        switch ProfileRules.choice(self.mode ?? "", as: MatchingMode.self) {
        case .success(let chosen): mode = chosen ?? .bulk
        case .failure(let problem): errors.add("mode", problem.message)
        }
        var meetingsInTrellis = true
        switch ProfileRules.choice(meetings ?? "", as: MeetingsPlace.self) {
        case .success(let chosen): meetingsInTrellis = (chosen ?? .trellis) == .trellis
        case .failure(let problem): errors.add("meetings", problem.message)
        }
        var minimum = 0.0
        switch ProgramRules.parseMinimumScore(minimum_score ?? "") {
        case .success(let value): minimum = value
        case .failure(let problem): errors.add("minimum_score", problem.message)
        }
        let draft = ProgramDraft(
            name: name ?? "", description: description ?? "", purpose: purpose ?? "", mode: mode,
            enrolmentOpens: day("enrolment_opens", enrolment_opens, "Enrolment opens"), enrolmentCloses: day("enrolment_closes", enrolment_closes, "Enrolment closes"),
            starts: day("starts", starts, "The program starts"), ends: day("ends", ends, "The program ends"),
            excludeSameDepartment: exclude_same_department == "on", minimumScore: minimum, allowRepeatPairs: allow_repeat_pairs == "on",
            maximumOpenRequests: number("maximum_open_requests", maximum_open_requests, ProgramRules.openRequests, default: ProgramRules.defaultOpenRequests),
            requestExpiryDays: number("request_expiry_days", request_expiry_days, ProgramRules.expiryDays, default: ProgramRules.defaultExpiryDays),
            meetingsInTrellis: meetingsInTrellis
        ).cleaned
        let checked = draft.validate()
        for field in checked.order where errors[field] == nil { errors.add(field, checked[field]!) }
        var weights = MatchWeights()
        switch MatchWeights.parse(weightTexts) {
        case .success(let parsed): weights = parsed
        case .failure(let problems):
            for field in problems.order {
                // "weights" (all zero) goes with the first factor's field, where the eye starts.
                let name = MatchWeights.factors.contains(where: { $0.key == field }) ? "weight_\(field)" : ProgramForm.weightField(MatchWeights.factors[0])
                if errors[name] == nil { errors.add(name, problems[field]!) }
            }
        }
        return errors.isEmpty ? .success((draft, weights)) : .failure(errors)
    }
}

extension ProgramForm {
    init() {}
}
