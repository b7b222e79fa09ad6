import Fluent
import Foundation
import TrellisCore

/// A pair's agreement (PRODUCT.md §2): reading its versions, writing a new one, signing. Every
/// change runs in one transaction that holds the mentorship's row and asks `AgreementRules`
/// there, so that a check and its write see the same versions (two people writing at once make
/// versions 2 and 3, never two version 2s; a signature lands only on the latest version).
enum Agreements {
    /// Every version, oldest first (a pair writes a handful, not thousands; the page shows them
    /// all).
    static func records(of mentorship: UUID, on db: any Database) async throws -> [AgreementRecord] {
        try await AgreementRecord.query(on: db).filter(\.$mentorshipID == mentorship).sort(\.$number).limit(500).all()
    }

    static func versions(of mentorship: UUID, on db: any Database) async throws -> [AgreementVersion] {
        try await records(of: mentorship, on: db).map(\.version)
    }

    /// A sensible first draft from the program and both profiles.
    static func starting(_ pair: PairView, today: CalendarDay? = nil, on db: any Database) async throws -> AgreementTerms {
        let profiles = try await Profile.query(on: db).filter(\.$id ~~ [pair.mentorID, pair.menteeID]).all()
        let mentee = profiles.first { $0.id == pair.menteeID }, mentor = profiles.first { $0.id == pair.mentorID }
        let tags = try await PeopleStore.tags(of: [pair.menteeID], on: db)[pair.menteeID] ?? [:]
        return AgreementRules.starting(AgreementRules.Start(
            programPurpose: pair.programPurpose, programEnds: pair.programEnds, startedOn: pair.startedOn, today: today ?? pair.today,
            menteeFrequency: mentee?.frequency, mentorFrequency: mentor?.frequency, menteeMethods: mentee?.methods ?? [], mentorMethods: mentor?.methods ?? [],
            menteeDevelopment: tags[.development] ?? [], menteeCareerGoals: mentee?.careerGoals ?? "",
            mentorName: pair.mentorName, menteeName: pair.menteeName
        ))
    }

    /// A write based on a version that is no longer the latest (someone wrote one since): nothing
    /// was saved; `message` says what to read first.
    struct Stale: Error {
        var message: String
        var latest: Int?
    }

    /// What a write did.
    enum Written: Sendable, Equatable {
        case version(Int)
        case unchanged(Int)
    }

    /// Writes `terms` as the next version. `basedOn` is the latest version the writer read (nil
    /// for the first): when someone wrote another one meanwhile, nothing changes and the writer
    /// is asked to read it first, so that nobody overwrites what they have not seen.
    /// Throws `ValidationErrors` (by field) for terms that break a rule, `ProgramStore.Refusal`
    /// for a write that cannot happen now.
    /// `today` is the writer's day (the demo's history writes as of earlier days).
    static func write(_ sent: AgreementTerms, basedOn: Int?, pair: PairView, now: Date = Date(), today: CalendarDay? = nil, on db: any Database) async throws -> Written {
        let terms = sent.normalized()
        try AgreementRules.problems(terms, startedOn: pair.startedOn, today: today ?? pair.today).throwIfAny()
        return try await DatabaseWrites.transaction(on: db) { tx in
            try Pairs.requireOpen(try await Pairs.lock(pair.id, on: tx))
            let versions = try await versions(of: pair.id, on: tx)
            let latest = versions.last?.number
            if let problem = AgreementRules.basedOnProblem(basedOn, latest: latest) { throw Stale(message: problem, latest: latest) }
            switch AgreementRules.writing(terms, over: versions) {
            case .unchanged:
                return .unchanged(latest ?? 0)
            case .newVersion(let number):
                if number > AgreementRules.mostVersions {
                    throw ProgramStore.Refusal("agreement", "This agreement has \(AgreementRules.mostVersions) versions, the most Trellis keeps for one mentorship: talk it through together and sign the latest.")
                }
                // The other person's older "new version" notices point at versions that can no
                // longer be signed: they are marked read, so the newest is the one they see.
                try await InAppNotification.query(on: tx).filter(\.$userID == pair.otherID).filter(\.$link == "\(pair.path)/agreement")
                    .filter(\.$readAt == nil).set(\.$readAt, to: now).update()
                try await AgreementRecord(mentorshipID: pair.id, number: number, terms: terms, writtenBy: pair.me, side: pair.side, now: now).create(on: tx)
                try await Pairs.record(.agreementWritten, in: pair.id, by: pair.me, subject: "version \(number)", now: now, on: tx)
                let link = "\(pair.path)/agreement"
                try await Pairs.notify(
                    pair, title: number == 1 ? "\(pair.myName) wrote your agreement" : "\(pair.myName) proposed version \(number) of your agreement",
                    body: "Read it, change what you would like to, and sign it when it says what you both expect.", link: link,
                    kind: "agreement-written", now: now, on: tx
                )
                return .version(number)
            }
        }
    }

    /// Signs version `number` as the viewer. Returns whether the agreement is now signed by both.
    static func sign(_ number: Int, pair: PairView, now: Date = Date(), on db: any Database) async throws -> Bool {
        try await DatabaseWrites.transaction(on: db) { tx in
            try Pairs.requireOpen(try await Pairs.lock(pair.id, on: tx))
            let records = try await records(of: pair.id, on: tx)
            if let problem = AgreementRules.signingProblem(number: number, by: pair.side, versions: records.map(\.version)) {
                throw ProgramStore.Refusal("version", problem)
            }
            guard let record = records.first(where: { $0.number == number }) else { throw ProgramStore.Refusal("version", "There is no version \(number) of this agreement.") }
            // Only where this side has not signed: a signature is never written twice.
            let recordID = try record.requireID()
            let query = AgreementRecord.query(on: tx).filter(\.$id == recordID)
            if pair.side == .mentor {
                try await query.filter(\.$mentorSignedAt == nil).set(\.$mentorSignedAt, to: now).update()
            } else {
                try await query.filter(\.$menteeSignedAt == nil).set(\.$menteeSignedAt, to: now).update()
            }
            if pair.side == .mentor { record.mentorSignedAt = now } else { record.menteeSignedAt = now }
            let both = record.version.isSigned
            try await InAppNotification.query(on: tx).filter(\.$userID == pair.otherID).filter(\.$link == "\(pair.path)/agreement")
                .filter(\.$readAt == nil).set(\.$readAt, to: now).update()
            try await Pairs.record(.agreementSigned, in: pair.id, by: pair.me, subject: "version \(number)", now: now, on: tx)
            if both { try await Pairs.record(.agreementInForce, in: pair.id, by: nil, subject: "version \(number)", now: now, on: tx) }
            try await Pairs.notify(
                pair, title: both ? "Your agreement is signed by both of you" : "\(pair.myName) signed your agreement",
                body: both ? "Version \(number) is in force. You can change it any time; both sign again." : "Version \(number) is waiting for your signature.",
                link: "\(pair.path)/agreement", kind: "agreement-signed", now: now, on: tx
            )
            return both
        }
    }
}
