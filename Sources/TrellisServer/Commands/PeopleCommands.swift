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
        var laps = Laps(logger: app.logger)
        do {
            plan = try await PeopleCSV.plan(try PeopleFile.decode(data), on: app.db, everyCore: true)
            laps.lap("the preview")
        } catch let errors as ValidationErrors {
            context.console.error(errors["file"] ?? errors.summary); throw ExitCode(1)
        }
        guard plan.isValid else {
            context.console.error("\(signature.file): \(plan.problems.count) problem\(plan.problems.count == 1 ? "" : "s"); nothing was imported.")
            for problem in plan.problems { context.console.print("  \(problem)") }
            throw ExitCode(1)
        }
        let summary = "\(plan.count(.create)) new, \(plan.count(.update)) changed, \(plan.count(.unchanged)) unchanged"
        if let warning = plan.losingRoleWarning { context.console.warning("Note: \(warning)") }
        if signature.dryRun {
            context.console.print("Dry run: \(plan.records.count) people would be imported (\(summary)). Nothing was written.")
            return
        }
        let bar = ProgressBar()
        do {
            try await PeopleImport.apply(plan, by: nil, on: app.db, progress: { staged, total in
                bar.draw("preparing \(staged) of \(total) people", total == 0 ? 1 : Double(staged) / Double(total))
            }, everyCore: true)
        } catch let errors as ValidationErrors {
            // Refusals of the whole import (someone added meanwhile, its staged rows taken): said
            // in words, not as the value that carries them.
            bar.finish()
            context.console.error(errors["file"] ?? errors.summary); throw ExitCode(1)
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

    var help: String { "Exports everyone as CSV, in the import format." }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.kind == "people" else { context.console.error("Only `export people FILE.csv` is supported."); throw ExitCode(2) }
        let app = context.application
        try await app.autoMigrate()
        // A batch at a time, as the web export does: memory stays the size of a batch.
        if signature.file == "-" || signature.file == TrellisMain.standardStream {
            let output = FileHandle.standardOutput
            try await PeopleCSV.exportStream(on: app.db) { text in output.write(Data(text.utf8)) }
            return
        }
        func fail(_ reason: String) throws -> Never {
            context.console.error("Cannot write to \(signature.file): \(reason).")
            throw ExitCode(1)
        }
        var info = stat()
        let exists = stat(signature.file, &info) == 0
        let kind = info.st_mode & S_IFMT
        if exists, kind == S_IFDIR { try fail("it is a folder") }
        if exists, kind != S_IFREG {
            // A device, a pipe or a socket (/dev/stdout, a named pipe): written to as it is.
            guard let output = FileHandle(forWritingAtPath: signature.file) else { try fail(String(cString: strerror(errno))) }
            defer { try? output.close() }
            let written = try await PeopleCSV.exportStream(on: app.db) { text in output.write(Data(text.utf8)) }
            context.console.print("Wrote \(written) people to \(signature.file).")
            return
        }
        // A file: written beside it under a temporary name, flushed to disk, and renamed over it
        // only when complete (rename(2) replaces it in one step; a failure midway leaves it as it
        // was). A link is followed, so the file it points to gets the export. The export keeps an
        // earlier export's permissions; a new one is readable by its owner only (it holds every
        // person's email and reporting line).
        var target = signature.file
        if exists, let real = realpath(signature.file, nil) {
            target = String(cString: real)
            free(real)
        }
        let targetURL = URL(fileURLWithPath: target)
        let partial = targetURL.deletingLastPathComponent().appendingPathComponent(".\(targetURL.lastPathComponent).\(UUID().uuidString).partial").path
        let mode: mode_t = exists ? info.st_mode & 0o7777 : 0o600
        let descriptor = open(partial, O_WRONLY | O_CREAT | O_EXCL, mode)
        guard descriptor >= 0 else { try fail(String(cString: strerror(errno))) }
        _ = fchmod(descriptor, mode)  // whatever the umask
        let output = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        let written: Int
        do {
            written = try await PeopleCSV.exportStream(on: app.db) { text in output.write(Data(text.utf8)) }
            try output.synchronize()
            try output.close()
        } catch {
            try? output.close()
            unlink(partial)
            throw error
        }
        guard rename(partial, target) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(partial)
            try fail(reason)
        }
        context.console.print("Wrote \(written) people to \(signature.file).")
    }
}
