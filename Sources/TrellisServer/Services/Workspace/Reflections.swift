import Fluent
import Foundation
import TrellisCore

/// Feedback and thank-you notes between the pair, and each person's private journal.
enum Reflections {
    static func feedback(of pair: PairView, on db: any Database) async throws -> [FeedbackRecord] {
        try await FeedbackRecord.query(on: db).filter(\.$mentorshipID == pair.id).sort(\.$createdAt, .descending).limit(200).all()
    }

    /// Sends a note; returns the one saved.
    @discardableResult
    static func send(kind: FeedbackKind, worked: String, better: String, message: String, pair: PairView, now: Date = Date(), on db: any Database) async throws -> FeedbackRecord {
        let parts: (worked: String, better: String, message: String)
        switch FeedbackRules.check(kind: kind, worked: worked, better: better, message: message) {
        case .success(let value): parts = value
        case .failure(let errors): throw errors
        }
        return try await DatabaseWrites.transaction(on: db) { tx in
            try Pairs.requireOpen(try await Pairs.lock(pair.id, on: tx))
            let since = now.addingTimeInterval(-86_400)
            if try await FeedbackRecord.query(on: tx).filter(\.$mentorshipID == pair.id).filter(\.$authorID == pair.me).filter(\.$createdAt > since).count() >= FeedbackRules.mostPerDay {
                throw ProgramStore.Refusal(kind == .feedback ? "worked" : "message", "You sent \(FeedbackRules.mostPerDay) notes in the last 24 hours: the next can wait a little.")
            }
            let record = FeedbackRecord()
            record.id = OrderedUUID.make(now: now)
            record.mentorshipID = pair.id
            record.authorID = pair.me
            record.kind = kind.rawValue
            record.worked = parts.worked
            record.better = parts.better
            record.message = parts.message
            record.createdAt = now
            try await record.create(on: tx)
            try await Pairs.record(kind == .feedback ? .feedbackSent : .thanksSent, in: pair.id, by: pair.me, subject: "", now: now, on: tx)
            try await Pairs.notify(pair, title: kind == .feedback ? "\(pair.myName) sent you feedback" : "\(pair.myName) sent you a thank-you note",
                                   body: "Read it in your mentorship.", link: "\(pair.path)/feedback", kind: "feedback", now: now, on: tx)
            return record
        }
    }

    /// The viewer's own journal entries, opened, newest first. Nobody else's are ever read.
    static func journal(of pair: PairView, sealing: NoteSealing, on db: any Database) async throws -> [(record: JournalEntryRecord, text: String)] {
        try await JournalEntryRecord.query(on: db).filter(\.$mentorshipID == pair.id).filter(\.$authorID == pair.me)
            .sort(\.$createdAt, .descending).limit(Journal.mostEntries).all().map { record in
                (record, (try? sealing.open(record.body, row: record.requireID(), author: record.authorID)) ?? Meetings.unreadableNote)
            }
    }

    /// Writes an entry; returns it with its text.
    @discardableResult
    static func write(_ text: String, prompt: String, pair: PairView, sealing: NoteSealing, now: Date = Date(), on db: any Database) async throws -> (record: JournalEntryRecord, text: String) {
        let clean = TextInput.paragraphs(text)
        var errors = ValidationErrors()
        if let problem = Journal.entry.problem(clean) { errors.add("entry", problem) }
        if Journal.prompt(prompt) == nil { errors.add("prompt", "Prompt: choose one of the prompts (got “\(prompt.quoted(40))”).") }
        try errors.throwIfAny()
        return try await DatabaseWrites.transaction(on: db) { tx in
            // A journal stays writable after the mentorship concludes: reflection goes on.
            _ = try await Pairs.lock(pair.id, on: tx)
            if try await JournalEntryRecord.query(on: tx).filter(\.$mentorshipID == pair.id).filter(\.$authorID == pair.me).count() >= Journal.mostEntries {
                throw ProgramStore.Refusal("entry", "Your journal for this mentorship has \(Journal.mostEntries) entries, as many as it keeps.")
            }
            let record = JournalEntryRecord()
            let id = OrderedUUID.make(now: now)
            record.id = id
            record.mentorshipID = pair.id
            record.authorID = pair.me
            record.prompt = prompt
            record.body = try sealing.seal(clean, row: id, author: pair.me)
            record.createdAt = now
            try await record.create(on: tx)
            return (record, clean)
        }
    }
}
