import Fluent
import FluentSQL
import TrellisCore
import TrellisFixtures
import Vapor

/// Loads Larkspur Labs, the demo organisation, in one transaction.
enum DemoLoader {
    static func load(on app: Application, console: any Console) async throws {
        let people = DemoOrganisation.people()
        console.print("Loading the demo organisation \(DemoOrganisation.name): \(people.count) people…")
        // One hash for every demo account: hashing two hundred passwords at full cost would take a minute.
        let hash = try await app.password.async(on: app.threadPool, hopTo: app.eventLoopGroup.next()).hash(DemoOrganisation.password).get()
        let progress = console.progressBar(title: "People")
        progress.start()
        try await DatabaseWrites.transaction(on: app.db) { tx in
            // Everyone first, so that every manager exists when a profile names them.
            var ids: [String: UUID] = [:]
            for person in people {
                let user = try await PeopleStore.createPerson(
                    email: person.record.email, name: person.record.name, role: person.isAdmin ? .admin : .participant, passwordHash: hash, on: tx)
                ids[person.record.email] = try user.requireID()
            }
            // Then each profile through the profile rules and the one profile write that the web
            // form and the API use (kept counts and the search index come with it).
            for (index, person) in people.enumerated() {
                let id = ids[person.record.email]!
                let draft = person.draft.normalized()
                var errors = draft.validate()
                let manager = person.record.managerEmail.flatMap { ids[$0] }
                let managerErrors = try await PeopleStore.checkManager(manager, for: id, on: tx)
                for field in managerErrors.order { errors.add(field, managerErrors[field]!) }
                guard errors.isEmpty else {
                    throw Abort(.internalServerError, reason: "The demo person \(person.record.email) breaks the profile rules: \(errors.summary)")
                }
                try await PeopleStore.save(draft, manager: .some(manager), for: id, on: tx)
                progress.activity.currentProgress = Double(index + 1) / Double(people.count)
            }
            try await PeopleStore.audit("demo.load", "\(people.count) people", by: nil, on: tx)
        }
        try await NameMarks.cutLong(on: app.db)
        progress.succeed()
        try await DemoPrograms.load(on: app, console: console)
    }

    static func printSignIn(_ console: any Console, baseURL: String) {
        console.print("")
        console.output("Trellis demo is ready at \(baseURL)".consoleText(.success))
        console.print("  Program manager: \(DemoOrganisation.adminEmail)  password: \(DemoOrganisation.password)")
        console.print("  Participant:     \(DemoOrganisation.participantEmail)  password: \(DemoOrganisation.password)")
        console.print("  (every demo account uses the same password)")
        console.print("")
    }

    /// Deletes every row, children first, in one transaction.
    static func reset(on db: any Database) async throws {
        try await DatabaseWrites.transaction(on: db) { tx in
            try await AuditEntry.query(on: tx).delete()
            try await InAppNotification.query(on: tx).delete()
            try await Job.query(on: tx).delete()
            if let sql = tx as? any SQLDatabase { try await sql.raw("DELETE FROM match_run_pairs").run() }
            try await MatchDecision.query(on: tx).delete()
            try await RankingEntry.query(on: tx).delete()
            try await WaitlistPlace.query(on: tx).delete()
            try await MentoringRequest.query(on: tx).delete()
            try await MatchRun.query(on: tx).delete()
            try await Mentorship.query(on: tx).delete()
            try await EnrolmentUpload.query(on: tx).delete()
            try await Enrolment.query(on: tx).delete()
            try await Program.query(on: tx).delete()
            try await ImportJob.query(on: tx).delete()
            try await APIToken.query(on: tx).delete()
            try await OneTimeToken.query(on: tx).delete()
            try await SignInAttempt.query(on: tx).delete()
            try await UserSession.query(on: tx).delete()
            try await ProfileTag.query(on: tx).delete()
            try await Profile.query(on: tx).delete()
            try await User.query(on: tx).delete()
            if let sql = tx as? any SQLDatabase { try await DirectoryCounts.rebuild(on: sql) }
            try await SearchIndex.rebuild(on: tx)
        }
    }
}

/// `trellis demo [--reset]`.
struct DemoCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Flag(name: "reset", help: "Delete everything in the database first.")
        var reset: Bool
    }

    var help: String { "Loads the demo organisation (about 200 people); refuses on a database that already has people unless --reset." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        if try await User.query(on: app.db).count() > 0 {
            guard signature.reset else {
                context.console.error("The database already has people. Run `trellis demo --reset` to delete everything and load the demo instead.")
                throw ExitCode(1)
            }
            try await DemoLoader.reset(on: app.db)
        }
        try await DemoLoader.load(on: app, console: context.console)
        DemoLoader.printSignIn(context.console, baseURL: app.trellisSettings.baseURL)
    }
}

struct ExitCode: Error, CustomStringConvertible {
    var code: Int32
    init(_ code: Int32) { self.code = code }
    var description: String { "exit code \(code)" }
}
