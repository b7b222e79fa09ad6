import Fluent
import TrellisCore
import Vapor

/// `trellis create-admin --email E --name N [--password P]`.
struct CreateAdminCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "email", help: "The program manager's email.")
        var email: String?
        @Option(name: "name", help: "The program manager's name.")
        var name: String?
        @Option(name: "password", help: "A password; asked for when absent (leave the answer empty to generate one).")
        var password: String?
    }

    var help: String { "Creates a program manager (admin) account; asks for the password or generates one." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        let email = EmailAddress.normalize(signature.email ?? context.console.ask("Email:"))
        let name = Tags.clean(signature.name ?? context.console.ask("Name:"))
        if let problem = ProfileRules.emailProblem(email) { context.console.error("--email: \(problem)"); throw ExitCode(1) }
        if let problem = ProfileRules.name.problem(name) { context.console.error("--name: \(problem)"); throw ExitCode(1) }
        if try await User.query(on: app.db).filter(\.$email == email).first() != nil {
            context.console.error("--email: someone with \(email) already exists."); throw ExitCode(1)
        }
        var password = signature.password ?? context.console.ask("Password (empty to generate one):", isSecure: true)
        var generated = false
        if password.isEmpty {
            password = String(SecretToken.generate().prefix(20))
            generated = true
        }
        let problems = PasswordRules.check(password, confirmation: password)
        guard problems.isEmpty else { context.console.error("--password: \(problems.summary)"); throw ExitCode(1) }
        let hash = try await app.password.async(on: app.threadPool, hopTo: app.eventLoopGroup.next()).hash(password).get()
        _ = try await PeopleStore.createPerson(email: email, name: name, role: .admin, passwordHash: hash, on: app.db)
        try await PeopleStore.audit("admin.create", email, by: nil, on: app.db)
        context.console.output("Created program manager \(name) <\(email)>.".consoleText(.success))
        if generated { context.console.print("Generated password: \(password)") }
    }
}

/// `trellis import people FILE.csv [--dry-run]`.
struct ImportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "kind", help: "What to import: people.")
        var kind: String
        @Argument(name: "file", help: "The CSV file.")
        var file: String
        @Flag(name: "dry-run", help: "Check the file and report what would change, without writing.")
        var dryRun: Bool
    }

    var help: String { "Imports people from a CSV file, all or nothing (--dry-run only checks)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.kind == "people" else { context.console.error("Only `import people FILE.csv` is supported."); throw ExitCode(2) }
        let app = context.application
        try await app.autoMigrate()
        guard let data = FileManager.default.contents(atPath: signature.file) else {
            context.console.error("Cannot read \(signature.file)."); throw ExitCode(1)
        }
        let plan: PeopleCSV.Plan
        do {
            plan = try await PeopleCSV.plan(try PeopleFile.decode(data), on: app.db)
        } catch let errors as ValidationErrors {
            context.console.error(errors["file"] ?? errors.summary); throw ExitCode(1)
        }
        guard plan.isValid else {
            context.console.error("\(signature.file): \(plan.problems.count) problem\(plan.problems.count == 1 ? "" : "s"); nothing was imported.")
            for problem in plan.problems { context.console.print("  \(problem)") }
            throw ExitCode(1)
        }
        let summary = "\(plan.count(.create)) new, \(plan.count(.update)) changed, \(plan.count(.unchanged)) unchanged"
        if signature.dryRun {
            context.console.print("Dry run: \(plan.records.count) people would be imported (\(summary)). Nothing was written.")
            return
        }
        let bar = ProgressBar()
        try await PeopleImport.apply(plan, by: nil, on: app.db) { staged, total in
            bar.draw("preparing \(staged) of \(total) people", total == 0 ? 1 : Double(staged) / Double(total))
        }
        bar.finish()
        context.console.output("Imported \(plan.records.count) people: \(summary).".consoleText(.success))
    }
}

/// `trellis export people FILE.csv`.
struct ExportCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "kind", help: "What to export: people.")
        var kind: String
        @Argument(name: "file", help: "The CSV file to write (- for standard output).")
        var file: String
    }

    var help: String { "Exports every person with a mentoring role as CSV, in the import format." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.kind == "people" else { context.console.error("Only `export people FILE.csv` is supported."); throw ExitCode(2) }
        let app = context.application
        try await app.autoMigrate()
        // A batch at a time, as the web export does: memory stays the size of a batch.
        if signature.file == "-" {
            let output = FileHandle.standardOutput
            try await PeopleCSV.exportStream(on: app.db) { text in output.write(Data(text.utf8)) }
            return
        }
        // Into a file beside the target, renamed over it only when complete: a failure midway
        // leaves no half-written export behind.
        let target = URL(fileURLWithPath: signature.file)
        let partial = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString).partial")
        guard FileManager.default.createFile(atPath: partial.path, contents: nil), let output = FileHandle(forWritingAtPath: partial.path) else {
            context.console.error("Cannot write to \(signature.file).")
            throw ExitCode(1)
        }
        let written: Int
        do {
            defer { try? output.close() }
            written = try await PeopleCSV.exportStream(on: app.db) { text in output.write(Data(text.utf8)) }
        } catch {
            try? FileManager.default.removeItem(at: partial)
            throw error
        }
        // rename(2) replaces an earlier export in one step (Foundation's replaceItemAt deleted the
        // earlier file here and then failed, leaving only the partial one).
        guard rename(partial.path, target.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: partial)
            context.console.error("Cannot write to \(signature.file): \(reason).")
            throw ExitCode(1)
        }
        context.console.print("Wrote \(written) people to \(signature.file).")
    }
}
