import Fluent
import Foundation
import TrellisCore
import Vapor

/// Feedback, thanks and the journal in the browser. The pair only; a journal, its author only
/// (each person sees their own and no route reads another's).
enum ReflectionController {
    static func register(_ routes: any RoutesBuilder) {
        let base = routes.grouped("mentorships", ":id")
        base.get("feedback", use: feedback)
        base.post("feedback", use: send)
        base.get("journal", use: journal)
        base.post("journal", use: write)
    }

    struct FeedbackInput: Content { var kind: String?; var worked: String?; var better: String?; var message: String? }
    struct JournalInput: Content { var prompt: String?; var entry: String? }

    static func feedbackPage(_ req: Request, pair: PairView, sent: [String: String] = [:], errors: ValidationErrors = .init(), notice: String? = nil) async throws -> HTML {
        let lines = try await Reflections.feedback(of: pair, on: req.db).map { record in
            ReflectionPages.FeedbackLine(kind: FeedbackKind(rawValue: record.kind) ?? .feedback, author: pair.name(of: record.authorID),
                                         mine: record.authorID == pair.me, worked: record.worked, better: record.better, message: record.message, at: record.createdAt)
        }
        return ReflectionPages.feedback(req.page, pair: pair, lines: lines, sent: sent, errors: errors, notice: notice)
    }

    @Sendable static func feedback(_ req: Request) async throws -> HTML {
        let pair = try await Pairs.view(req)
        return try await feedbackPage(req, pair: pair, notice: req.query[String.self, at: "done"] == "sent" ? "Sent. \(pair.otherName) is told." : nil)
    }

    @Sendable static func send(_ req: Request) async throws -> Response {
        let pair = try await Pairs.view(req)
        let input = try req.content.decode(FeedbackInput.self)
        let sent = ["kind": input.kind ?? "", "worked": input.worked ?? "", "better": input.better ?? "", "message": input.message ?? ""]
        do {
            guard let kind = FeedbackKind(rawValue: input.kind ?? "") else {
                throw ValidationErrors(field: "kind", "Kind: choose feedback or a thank-you note.")
            }
            try await Reflections.send(kind: kind, worked: input.worked ?? "", better: input.better ?? "", message: input.message ?? "", pair: pair, on: req.db)
            return req.redirect(to: "\(pair.path)/feedback?done=sent", redirectType: .normal)
        } catch let errors as ValidationErrors {
            return try await req.invalidForm(try await feedbackPage(req, pair: pair, sent: sent, errors: errors))
        } catch let refusal as ProgramStore.Refusal {
            let errors = ValidationErrors(field: refusal.field == "mentorship" ? "worked" : refusal.field, refusal.message)
            return try await HTMLPage(status: .conflict, html: try await feedbackPage(req, pair: pair, sent: sent, errors: errors)).encodeResponse(for: req)
        }
    }

    static func journalPage(_ req: Request, pair: PairView, sent: [String: String] = [:], errors: ValidationErrors = .init(), notice: String? = nil) async throws -> HTML {
        let entries = try await Reflections.journal(of: pair, sealing: req.noteSealing, on: req.db).map { (prompt: $0.record.prompt, text: $0.text, at: $0.record.createdAt) }
        return ReflectionPages.journal(req.page, pair: pair, entries: entries, sent: sent, errors: errors, notice: notice)
    }

    @Sendable static func journal(_ req: Request) async throws -> HTML {
        let pair = try await Pairs.view(req)
        return try await journalPage(req, pair: pair, notice: req.query[String.self, at: "done"] == "saved" ? "Saved. Only you can read it." : nil)
    }

    @Sendable static func write(_ req: Request) async throws -> Response {
        let pair = try await Pairs.view(req)
        let input = try req.content.decode(JournalInput.self)
        let sent = ["prompt": input.prompt ?? "", "entry": input.entry ?? ""]
        do {
            try await Reflections.write(input.entry ?? "", prompt: input.prompt ?? "", pair: pair, sealing: req.noteSealing, on: req.db)
            return req.redirect(to: "\(pair.path)/journal?done=saved", redirectType: .normal)
        } catch let errors as ValidationErrors {
            return try await req.invalidForm(try await journalPage(req, pair: pair, sent: sent, errors: errors))
        } catch let refusal as ProgramStore.Refusal {
            return try await HTMLPage(status: .conflict, html: try await journalPage(req, pair: pair, sent: sent, errors: ValidationErrors(field: "entry", refusal.message))).encodeResponse(for: req)
        }
    }
}
