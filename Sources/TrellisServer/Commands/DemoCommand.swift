import Fluent
import FluentSQL
import TrellisCore
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
            var ids: [String: UUID] = [:]
            for (index, person) in people.enumerated() {
                let user = User(email: person.record.email, name: person.record.name, role: person.isAdmin ? .admin : .participant, passwordHash: hash)
                try await user.create(on: tx)
                let id = try user.requireID()
                ids[person.record.email] = id
                let profile = Profile(userID: id)
                profile.headline = person.headline
                profile.bio = person.bio
                profile.department = person.record.department
                profile.timezone = person.record.timezone
                profile.mentoringRole = person.record.role.rawValue
                profile.capacityMentees = person.record.capacity
                profile.capacityHours = person.hoursPerMonth
                profile.meetingFrequency = person.record.meetingFrequency?.rawValue
                profile.yearsExperience = person.record.yearsExperience
                profile.communicationMethods = person.communication.map(\.rawValue).joined(separator: ",")
                profile.careerGoals = person.careerGoals
                profile.location = person.location
                profile.phone = person.phone
                profile.contactPrivate = person.contactPrivate
                profile.managerID = person.record.managerEmail.flatMap { ids[$0] }
                try await profile.create(on: tx)
                var tags: [TagKind: [String]] = [:]
                for kind in TagKind.allCases { tags[kind] = person.record.tags(kind) }
                try await PeopleStore.replaceTags(of: id, with: tags, on: tx)
                progress.activity.currentProgress = Double(index + 1) / Double(people.count)
            }
            try await PeopleStore.audit("demo.load", "\(people.count) people", by: nil, on: tx)
            if let sql = tx as? any SQLDatabase { try await DirectoryCounts.rebuild(on: sql) }
            try await SearchIndex.rebuild(on: tx)
        }
        progress.succeed()
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
