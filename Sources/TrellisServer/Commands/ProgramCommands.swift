import Fluent
import Foundation
import TrellisCore
import TrellisMatching
import Vapor

/// `trellis program list|create|enrol|state`: programs for managers who script.
struct ProgramCommands: AsyncCommandGroup {
    var help: String { "Lists, creates and enrols programs, and moves them through their states." }

    var commands: [String: any AnyAsyncCommand] {
        [
            "list": ProgramListCommand(), "create": ProgramCreateCommand(), "enrol": ProgramEnrolCommand(), "state": ProgramStateCommand(),
            "match": ProgramMatchCommand(), "publish": ProgramPublishCommand(),
        ]
    }

    /// A program named on the command line by its id or its exact name (refused when two share it).
    static func find(_ text: String, on db: any Database, console: any Console) async throws -> Program {
        if let id = UUID(uuidString: text), let program = try await ProgramStore.find(id, on: db) { return program }
        let named = try await Program.query(on: db).filter(\.$name == TextInput.line(text)).limit(2).all()
        if named.count == 1 { return named[0] }
        console.error(named.isEmpty
            ? "There is no program with the id or name “\(text.excerpt(80))”. `trellis program list` lists them."
            : "Two programs are named “\(text.excerpt(80))”: name one by its id (`trellis program list`).")
        throw ExitCode(1)
    }
}

/// `trellis program list`
struct ProgramListCommand: AsyncCommand {
    struct Signature: CommandSignature {}

    var help: String { "Lists every program: id, state, mode, mentors, mentees, name." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        let programs = try await Program.query(on: app.db).sort(\.$createdAt, .descending).all()
        if programs.isEmpty { context.console.print("No programs yet. Create one with `trellis program create --name NAME`."); return }
        for program in programs {
            let id = try program.requireID().uuidString
            context.console.print("\(id)  \(program.programState.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(program.matchingMode.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)) \(program.mentorCount) mentors, \(program.menteeCount) mentees  \(program.name)")
        }
    }
}

/// `trellis program create --name N [--mode M] [...]`
struct ProgramCreateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Option(name: "name", help: "The program's name (required).")
        var name: String?
        @Option(name: "purpose", help: "Why the program exists, in a sentence.")
        var purpose: String?
        @Option(name: "description", help: "What taking part involves.")
        var description: String?
        @Option(name: "mode", help: "How pairs are made: bulk (default), self-select or preference.")
        var mode: String?
        @Option(name: "enrolment-opens", help: "YYYY-MM-DD")
        var enrolmentOpens: String?
        @Option(name: "enrolment-closes", help: "YYYY-MM-DD")
        var enrolmentCloses: String?
        @Option(name: "starts", help: "YYYY-MM-DD")
        var starts: String?
        @Option(name: "ends", help: "YYYY-MM-DD")
        var ends: String?
        @Option(name: "minimum-score", help: "From 0 to 1: pairs scoring below it are never made.")
        var minimumScore: String?
        @Flag(name: "exclude-same-department", help: "Never pair two people of the same department.")
        var excludeSameDepartment: Bool
        @Flag(name: "allow-repeat-pairs", help: "Allow pairs who worked together before to be matched again.")
        var allowRepeatPairs: Bool
        @Option(name: "maximum-open-requests", help: "Self-select: requests a mentee may have waiting, 1 to 10 (default 3).")
        var maximumOpenRequests: String?
        @Option(name: "request-expiry-days", help: "Self-select: days before a request expires, 1 to 90 (default 14).")
        var requestExpiryDays: String?
        @Flag(name: "meetings-outside", help: "Pairs meet only outside Trellis: no meeting is proposed in it.")
        var meetingsOutside: Bool
    }

    var help: String { "Creates a program in draft, with the engine's default weights (change them on the program's settings page)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        var form = ProgramForm()
        form.name = signature.name
        form.purpose = signature.purpose
        form.description = signature.description
        form.mode = signature.mode
        form.enrolment_opens = signature.enrolmentOpens
        form.enrolment_closes = signature.enrolmentCloses
        form.starts = signature.starts
        form.ends = signature.ends
        form.minimum_score = signature.minimumScore
        form.exclude_same_department = signature.excludeSameDepartment ? "on" : nil
        form.allow_repeat_pairs = signature.allowRepeatPairs ? "on" : nil
        form.maximum_open_requests = signature.maximumOpenRequests
        form.request_expiry_days = signature.requestExpiryDays
        form.meetings = MeetingsPlace(inTrellis: !signature.meetingsOutside).rawValue
        switch form.parse() {
        case .failure(let errors):
            for field in errors.order { context.console.error("--\(field.replacingOccurrences(of: "_", with: "-")): \(errors[field]!)") }
            throw ExitCode(1)
        case .success(let (draft, weights)):
            let program = try await ProgramStore.create(draft, weights: weights, by: nil, on: app.db)
            context.console.output("Created program “\(program.name)” in draft: \(try program.requireID().uuidString)".consoleText(.success))
        }
    }
}

/// `trellis program enrol PROGRAM FILE.csv [--dry-run]`
struct ProgramEnrolCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "program", help: "The program's id or exact name.")
        var program: String
        @Argument(name: "file", help: "A CSV file with the columns email,role,capacity.")
        var file: String
        @Flag(name: "dry-run", help: "Check every row and report, without enrolling anyone.")
        var dryRun: Bool
    }

    var help: String { "Enrols people from a CSV file (email,role,capacity): everyone, or nobody when any row is wrong." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        let program = try await ProgramCommands.find(signature.program, on: app.db, console: context.console)
        let path = signature.file == TrellisMain.standardStream ? "/dev/stdin" : signature.file
        guard let data = FileManager.default.contents(atPath: path) else {
            context.console.error("Cannot read \(signature.file)."); throw ExitCode(1)
        }
        let text: String
        do { text = try PeopleFile.decode(data) } catch let errors as ValidationErrors {
            context.console.error(errors["file"] ?? errors.summary); throw ExitCode(1)
        }
        func report(_ problems: [PeopleTable.Problem]) throws -> Never {
            context.console.error("\(signature.file): \(problems.count) problem\(problems.count == 1 ? "" : "s"); nobody was enrolled.")
            for problem in problems { context.console.print("  \(problem)") }
            throw ExitCode(1)
        }
        if signature.dryRun {
            let plan = try await EnrolmentCSV.plan(text, program: program, on: app.db)
            guard plan.isValid else { try report(plan.problems) }
            context.console.print("Dry run: \(plan.mentors) mentors and \(plan.mentees) mentees would be enrolled in “\(program.name)”. Nothing was written.")
            return
        }
        switch try await EnrolmentCSV.apply(text, programID: try program.requireID(), by: nil, on: app.db) {
        case .refused(let problems): try report(problems)
        case .enrolled(let enrolled, let mentors, let mentees):
            context.console.output("Enrolled \(mentors) mentors and \(mentees) mentees in “\(enrolled.name)” (now \(enrolled.mentorCount) mentors, \(enrolled.menteeCount) mentees).".consoleText(.success))
        }
    }
}

/// `trellis program state PROGRAM STATE`
struct ProgramStateCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "program", help: "The program's id or exact name.")
        var program: String
        @Argument(name: "state", help: "draft, enrolling, matching, active or concluded (one step at a time).")
        var state: String
    }

    var help: String { "Moves a program to another state, if its rules allow (a bulk program becomes active by publishing a run)." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        let program = try await ProgramCommands.find(signature.program, on: app.db, console: context.console)
        guard let next = ProgramState(rawValue: signature.state.lowercased()) else {
            context.console.error("state: choose \(ProgramState.allCases.map(\.rawValue).joined(separator: ", ")) (got “\(signature.state.quoted(40))”)."); throw ExitCode(2)
        }
        do {
            let moved = try await ProgramStore.move(try program.requireID(), to: next, by: nil, on: app.db)
            context.console.output("“\(moved.name)” is now \(next.rawValue). Next: \(next.nextStep(mode: moved.matchingMode))".consoleText(.success))
        } catch let refusal as ProgramStore.Refusal {
            context.console.error(refusal.message); throw ExitCode(1)
        }
    }
}

/// `trellis program match PROGRAM`
struct ProgramMatchCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "program", help: "The program's id or exact name (matching, in bulk or preference mode).")
        var program: String
    }

    var help: String { "Runs matching for a program now, in this process, showing progress; the result is a run like one started in the browser." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        let program = try await ProgramCommands.find(signature.program, on: app.db, console: context.console)
        let run: MatchRun
        do {
            run = try await MatchRuns.start(try program.requireID(), by: nil, on: app.db)
        } catch let refusal as ProgramStore.Refusal {
            context.console.error(refusal.message); throw ExitCode(1)
        }
        let runID = try run.requireID()
        let bar = context.console.progressBar(title: "Run \(run.number)")
        bar.start()
        let watcher = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(300))
                if let current = try? await MatchRun.find(runID, on: app.db) { bar.activity.currentProgress = current.progress }
            }
        }
        // The job queued with the run is taken here, so that no server runs it as well.
        try await JobQueue.finishQueued(subject: runID, on: app.db)
        try await withTaskExecutorPreference(LongWork.shared) { try await ProgramMatching.execute(runID: runID, on: app.db, logger: app.logger) }
        watcher.cancel()
        guard let done = try await MatchRun.find(runID, on: app.db), done.runState == .done else {
            bar.fail()
            context.console.error((try await MatchRun.find(runID, on: app.db))?.message ?? "The run failed."); throw ExitCode(1)
        }
        bar.succeed()
        context.console.print("Run \(done.number): \(done.matched) of \(done.mentees) mentees matched, average score \(String(format: "%.3f", done.matched == 0 ? 0 : ScoreUnits.value(done.totalScore) / Double(done.matched))), \(done.provenOptimal ? "proven optimal" : "not proven optimal"); greedy total \(ScoreUnits.format(done.greedyTotal)) against \(ScoreUnits.format(done.totalScore)).")
        context.console.print("Review it at /admin/programs/\(try program.requireID().uuidString)/runs/\(done.number), or publish it with `trellis program publish \(signature.program) \(done.number)`.")
    }
}

/// `trellis program publish PROGRAM RUN`
struct ProgramPublishCommand: AsyncCommand {
    struct Signature: CommandSignature {
        @Argument(name: "program", help: "The program's id or exact name.")
        var program: String
        @Argument(name: "run", help: "The run's number.")
        var run: String
    }

    var help: String { "Publishes a finished run: every pair becomes a mentorship, both people are notified, the program becomes active." }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await app.autoMigrate()
        let program = try await ProgramCommands.find(signature.program, on: app.db, console: context.console)
        guard let number = Int(signature.run), let run = try await MatchRun.query(on: app.db).filter(\.$programID == program.requireID()).filter(\.$number == number).first() else {
            context.console.error("run: “\(signature.run.excerpt(40))” is not a run of this program (`trellis program match` makes one)."); throw ExitCode(1)
        }
        do {
            let pairs = try await MatchRuns.publish(try run.requireID(), program: try program.requireID(), by: nil, on: app.db)
            context.console.output("Published \(pairs) pairs of run \(number): “\(program.name)” is active.".consoleText(.success))
        } catch let refusal as ProgramStore.Refusal {
            context.console.error(refusal.message); throw ExitCode(1)
        }
    }
}
