import Fluent
import Foundation
import TrellisCore
import Vapor

/// A pair's agreement in the browser: read it, write a version, sign, read an earlier version,
/// see what changed. The pair only: anyone else gets "There is no such mentorship." (404).
enum AgreementController {
    static func register(_ routes: any RoutesBuilder) {
        let agreement = routes.grouped("mentorships", ":id", "agreement")
        agreement.get(use: overview)
        agreement.get("edit", use: edit)
        agreement.post(use: save)
        agreement.post("sign", use: sign)
        agreement.get("versions", ":number", use: version)
        agreement.get("changes", use: changes)
    }

    struct AgreementForm: Content {
        var based_on: String?
        var meeting_frequency: String?
        var communication_methods: [String]?
        var confidentiality: String?
        var mentee_goals: String?
        var mentor_goals: String?
        var boundaries: String?
        var review_on: String?
        var ends_on: String?
    }

    struct SignForm: Content {
        var version: String?
    }

    static func overviewPage(_ req: Request, pair: PairView, notice: String? = nil, error: String? = nil) async throws -> HTML {
        let versions = try await Agreements.versions(of: pair.id, on: req.db)
        let status = AgreementRules.status(of: versions, today: pair.today)
        let next = pair.state == .concluded ? nil : AgreementRules.nextStep(for: pair.side, status: status, otherName: pair.otherName)
        return AgreementPages.overview(req.page, .init(pair: pair, versions: versions, status: status, nextStep: next, notice: notice, error: error))
    }

    @Sendable static func overview(_ req: Request) async throws -> HTML {
        let pair = try await Pairs.view(req)
        let notice: String? = switch req.query[String.self, at: "done"] {
        case "written": "Saved. \(pair.otherName) is told, and asked to read and sign it."
        case "unchanged": "Nothing changed: the agreement already says that."
        case "signed": "Signed. \(pair.otherName) is told."
        case "in-force": "Signed by both of you: the agreement is in force."
        default: nil
        }
        return try await overviewPage(req, pair: pair, notice: notice)
    }

    @Sendable static func edit(_ req: Request) async throws -> Response {
        let pair = try await Pairs.view(req)
        guard pair.state != .concluded else { return req.redirect(to: "\(pair.path)/agreement", redirectType: .normal) }
        let versions = try await Agreements.versions(of: pair.id, on: req.db)
        let terms: AgreementTerms
        if let latest = versions.last { terms = latest.terms } else { terms = try await Agreements.starting(pair, on: req.db) }
        return try await AgreementPages.editor(req.page, .init(pair: pair, terms: terms, basedOn: versions.last?.number, signed: versions.last?.hasSignature ?? false))
            .encodeResponse(for: req)
    }

    @Sendable static func save(_ req: Request) async throws -> Response {
        let pair = try await Pairs.view(req)
        let form = try req.content.decode(AgreementForm.self)
        let versions = try await Agreements.versions(of: pair.id, on: req.db)
        let base: AgreementTerms
        if let latest = versions.last { base = latest.terms } else { base = try await Agreements.starting(pair, on: req.db) }
        let basedOnText = (form.based_on ?? "").trimmingCharacters(in: .whitespaces)
        let basedOn = Int(basedOnText)
        // Every field is on the form: one left out reads as empty (not "keep"), as a browser sends it.
        let input = AgreementInput(
            meetingFrequency: form.meeting_frequency ?? "", communicationMethods: form.communication_methods ?? [],
            confidentiality: form.confidentiality ?? "", menteeGoals: form.mentee_goals ?? "", mentorGoals: form.mentor_goals ?? "",
            boundaries: form.boundaries ?? "", reviewOn: form.review_on ?? "", endsOn: form.ends_on ?? ""
        )
        func again(_ errors: ValidationErrors, terms: AgreementTerms, conflict: Agreements.Stale? = nil) async throws -> Response {
            let page = AgreementPages.editor(req.page, .init(
                pair: pair, terms: terms, basedOn: conflict.map { $0.latest } ?? basedOn ?? versions.last?.number,
                signed: versions.last?.hasSignature ?? false, errors: errors, dateTexts: (form.review_on ?? "", form.ends_on ?? ""),
                conflict: conflict?.message
            ))
            return conflict == nil ? try await req.invalidForm(page) : try await HTMLPage(status: .conflict, html: page).encodeResponse(for: req)
        }
        if !basedOnText.isEmpty, basedOn == nil {
            return try await again(ValidationErrors(field: "based_on", "Based on: a version number was expected (got “\(basedOnText.quoted(20))”)."), terms: base)
        }
        let terms: AgreementTerms
        switch input.terms(over: base, startedOn: pair.startedOn, today: pair.today) {
        case .success(let parsed): terms = parsed
        case .failure(let errors):
            // The form again with what was sent (as far as it parses), each problem beside its field.
            var shown = base
            shown.confidentiality = form.confidentiality ?? ""; shown.menteeGoals = form.mentee_goals ?? ""
            shown.mentorGoals = form.mentor_goals ?? ""; shown.boundaries = form.boundaries ?? ""
            shown.communicationMethods = (form.communication_methods ?? []).compactMap(CommunicationMethod.init(rawValue:))
            if let frequency = form.meeting_frequency.flatMap(MeetingFrequency.init(rawValue:)) { shown.meetingFrequency = frequency }
            return try await again(errors, terms: shown)
        }
        do {
            switch try await Agreements.write(terms, basedOn: basedOn, pair: pair, on: req.db) {
            case .version: return req.redirect(to: "\(pair.path)/agreement?done=written", redirectType: .normal)
            case .unchanged: return req.redirect(to: "\(pair.path)/agreement?done=unchanged", redirectType: .normal)
            }
        } catch let errors as ValidationErrors {
            return try await again(errors, terms: terms)
        } catch let stale as Agreements.Stale {
            // What they typed comes back, unsaved, now based on the latest version: they read it
            // (linked) and save again, or change their text first.
            return try await again(ValidationErrors(), terms: terms, conflict: stale)
        } catch let refusal as ProgramStore.Refusal {
            return try await HTMLPage(status: .conflict, html: try await overviewPage(req, pair: pair, error: refusal.message)).encodeResponse(for: req)
        }
    }

    @Sendable static func sign(_ req: Request) async throws -> Response {
        let pair = try await Pairs.view(req)
        let form = try req.content.decode(SignForm.self)
        let text = (form.version ?? "").trimmingCharacters(in: .whitespaces)
        guard let number = Int(text), number > 0 else {
            let html = try await overviewPage(req, pair: pair, error: "Version: say which version you sign, as a number (got “\(text.quoted(20))”).")
            return try await HTMLPage(status: .unprocessableEntity, html: html).encodeResponse(for: req)
        }
        do {
            let both = try await Agreements.sign(number, pair: pair, on: req.db)
            return req.redirect(to: "\(pair.path)/agreement?done=\(both ? "in-force" : "signed")", redirectType: .normal)
        } catch let refusal as ProgramStore.Refusal {
            return try await HTMLPage(status: .conflict, html: try await overviewPage(req, pair: pair, error: refusal.message)).encodeResponse(for: req)
        }
    }

    static func number(_ text: String?) -> Int? {
        text.flatMap { Int($0) }.flatMap { (1...1_000_000).contains($0) ? $0 : nil }
    }

    @Sendable static func version(_ req: Request) async throws -> HTML {
        let pair = try await Pairs.view(req)
        let versions = try await Agreements.versions(of: pair.id, on: req.db)
        let number = number(req.parameters.get("number"))
        guard let number, let version = versions.first(where: { $0.number == number }) else {
            throw Abort(.notFound, reason: number.map { "This agreement has no version \($0)." } ?? "This agreement has no such version.")
        }
        return AgreementPages.version(req.page, pair: pair, version: version, latest: versions.last?.number ?? number)
    }

    @Sendable static func changes(_ req: Request) async throws -> HTML {
        let pair = try await Pairs.view(req)
        let versions = try await Agreements.versions(of: pair.id, on: req.db)
        guard let latest = versions.last else { throw Abort(.notFound, reason: "This agreement has no versions yet.") }
        let toNumber = number(req.query[String.self, at: "to"]) ?? latest.number
        let fromNumber = number(req.query[String.self, at: "from"]) ?? max(1, toNumber - 1)
        guard let from = versions.first(where: { $0.number == fromNumber }), let to = versions.first(where: { $0.number == toNumber }) else {
            throw Abort(.notFound, reason: "This agreement has no version \(versions.contains { $0.number == fromNumber } ? toNumber : fromNumber).")
        }
        return AgreementPages.changes(req.page, pair: pair, from: from, to: to, versions: versions.map(\.number))
    }
}
