import Fluent
import Foundation
import TrellisCore
import Vapor

/// `/api/v1/mentorships/{id}/agreement`: a pair's agreement — read it, propose a version, sign.
/// The pair only; anyone else (a program manager included) gets 404 as for a mentorship that
/// does not exist.
enum AgreementAPI {
    static func register(_ api: some RoutesBuilder) {
        let agreement = api.grouped("mentorships", ":id", "agreement")
        agreement.get(use: show)
        agreement.post("versions", use: propose)
        agreement.get("versions", ":number", use: version)
        agreement.post("versions", ":number", "sign", use: sign)
    }

    static func number(_ req: Request) throws -> Int {
        guard let number = AgreementController.number(req.parameters.get("number")) else { throw Abort(.notFound, reason: "This agreement has no such version.") }
        return number
    }

    @Sendable static func show(_ req: Request) async throws -> AgreementDTO {
        let pair = try await Pairs.view(req)
        let versions = try await Agreements.versions(of: pair.id, on: req.db)
        let draft: AgreementTerms? = versions.isEmpty ? try await Agreements.starting(pair, on: req.db) : nil
        return AgreementDTO(pair: pair, versions: versions, draft: draft)
    }

    @Sendable static func version(_ req: Request) async throws -> AgreementVersionDTO {
        let pair = try await Pairs.view(req)
        let number = try number(req)
        guard let version = try await Agreements.versions(of: pair.id, on: req.db).first(where: { $0.number == number }) else {
            throw Abort(.notFound, reason: "This agreement has no version \(number).")
        }
        return AgreementVersionDTO(version)
    }

    static let fields: Set<String> = ["based_on", "meeting_frequency", "communication_methods", "confidentiality", "mentee_goals", "mentor_goals", "boundaries", "review_on", "ends_on"]

    /// Proposes a new version: fields left out keep the latest version's value (before the first,
    /// the starting draft's). 201 with the new version; 200 with the latest when nothing changed.
    @Sendable static func propose(_ req: Request) async throws -> Response {
        let pair = try await Pairs.view(req)
        _ = try ProgramsAPI.sentKeys(req, allowed: fields, what: "agreement", wholeNumbers: ["based_on": 1...1_000_000])
        let input = try req.content.decode(AgreementInputDTO.self)
        let versions = try await Agreements.versions(of: pair.id, on: req.db)
        if let latest = versions.last, input.based_on == nil {
            throw InvalidInput(message: "Nothing was saved.", errors: ValidationErrors(field: "based_on", "based_on is required: the number of the latest version you read (now \(latest.number)), so that nobody overwrites a version they have not seen."))
        }
        let base: AgreementTerms
        if let latest = versions.last { base = latest.terms } else { base = try await Agreements.starting(pair, on: req.db) }
        let parsed = AgreementInput(
            meetingFrequency: input.meeting_frequency, communicationMethods: input.communication_methods, confidentiality: input.confidentiality,
            menteeGoals: input.mentee_goals, mentorGoals: input.mentor_goals, boundaries: input.boundaries, reviewOn: input.review_on, endsOn: input.ends_on
        ).terms(over: base, startedOn: pair.startedOn, today: pair.today)
        let terms: AgreementTerms
        switch parsed {
        case .success(let value): terms = value
        case .failure(let errors): throw InvalidInput(message: "Nothing was saved: some fields are not valid.", errors: errors)
        }
        let written: Agreements.Written
        do {
            written = try await Agreements.write(terms, basedOn: input.based_on, pair: pair, on: req.db)
        } catch let errors as ValidationErrors {
            throw InvalidInput(message: "Nothing was saved: some fields are not valid.", errors: errors)
        } catch let stale as Agreements.Stale {
            throw Abort(.conflict, reason: stale.message)
        } catch let refusal as ProgramStore.Refusal {
            throw Abort(.conflict, reason: refusal.message)
        }
        let now = try await Agreements.versions(of: pair.id, on: req.db)
        switch written {
        case .version(let number):
            guard let made = now.first(where: { $0.number == number }) else { throw Abort(.internalServerError) }
            return try await AgreementVersionDTO(made).encodeResponse(status: .created, for: req)
        case .unchanged(let number):
            guard let latest = now.first(where: { $0.number == number }) else { throw Abort(.internalServerError) }
            return try await AgreementVersionDTO(latest).encodeResponse(status: .ok, for: req)
        }
    }

    @Sendable static func sign(_ req: Request) async throws -> AgreementVersionDTO {
        let pair = try await Pairs.view(req)
        let number = try number(req)
        do {
            _ = try await Agreements.sign(number, pair: pair, on: req.db)
        } catch let refusal as ProgramStore.Refusal {
            let missing = try await Agreements.versions(of: pair.id, on: req.db).allSatisfy { $0.number != number }
            throw Abort(missing ? .notFound : .conflict, reason: refusal.message)
        }
        guard let signed = try await Agreements.versions(of: pair.id, on: req.db).first(where: { $0.number == number }) else { throw Abort(.internalServerError) }
        return AgreementVersionDTO(signed)
    }
}

/// `AgreementTerms` in the document.
struct AgreementTermsDTO: Content {
    var meeting_frequency: String
    var communication_methods: [String]
    var confidentiality: String
    var mentee_goals: String
    var mentor_goals: String
    var boundaries: String
    var review_on: String
    var ends_on: String

    init(_ terms: AgreementTerms) {
        meeting_frequency = terms.meetingFrequency.rawValue
        communication_methods = terms.communicationMethods.map(\.rawValue)
        confidentiality = terms.confidentiality
        mentee_goals = terms.menteeGoals
        mentor_goals = terms.mentorGoals
        boundaries = terms.boundaries
        review_on = terms.reviewOn.description
        ends_on = terms.endsOn.description
    }
}

/// `AgreementVersion` in the document.
struct AgreementVersionDTO: Content {
    var number: Int
    var terms: AgreementTermsDTO
    var written_by: String
    var written_at: String
    /// Signatures not yet made are sent as null, not left out.
    @Null var mentor_signed_at: String?
    @Null var mentee_signed_at: String?
    var signed_by_both: Bool

    init(_ version: AgreementVersion) {
        number = version.number
        terms = AgreementTermsDTO(version.terms)
        written_by = version.writtenBy.rawValue
        written_at = APITime.text(version.writtenAt) ?? ""
        mentor_signed_at = version.mentorSignedAt.flatMap(APITime.text)
        mentee_signed_at = version.menteeSignedAt.flatMap(APITime.text)
        signed_by_both = version.isSigned
    }
}

/// `Agreement` in the document.
struct AgreementDTO: Content {
    var status: String
    var waiting_for: [String]
    var my_side: String
    @Null var next_step: String?
    @Null var latest: AgreementVersionDTO?
    var versions: [AgreementVersionDTO]
    /// Before the first version: the starting draft Trellis proposes.
    @Null var draft: AgreementTermsDTO?

    init(pair: PairView, versions: [AgreementVersion], draft: AgreementTerms?) {
        let status = AgreementRules.status(of: versions, today: pair.today)
        switch status {
        case .unwritten: self.status = "unwritten"; waiting_for = []
        case .awaiting(let sides): self.status = "awaiting-signatures"; waiting_for = sides.map(\.rawValue)
        case .signed: self.status = "signed"; waiting_for = []
        case .reviewDue: self.status = "review-due"; waiting_for = []
        }
        my_side = pair.side.rawValue
        next_step = pair.state == .concluded ? nil : AgreementRules.nextStep(for: pair.side, status: status, otherName: pair.otherName)
        self.versions = versions.map(AgreementVersionDTO.init)
        latest = self.versions.last
        self.draft = draft.map(AgreementTermsDTO.init)
    }
}

/// `AgreementInput` in the document.
struct AgreementInputDTO: Content {
    var based_on: Int?
    var meeting_frequency: String?
    var communication_methods: [String]?
    var confidentiality: String?
    var mentee_goals: String?
    var mentor_goals: String?
    var boundaries: String?
    var review_on: String?
    var ends_on: String?
}
