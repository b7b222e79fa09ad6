import Fluent
import Foundation
import TrellisCore
import TrellisMatching
import Vapor

/// Program managers: creating programs, their settings, their state, and their roster.
enum AdminProgramsController {
    static func register(_ routes: any RoutesBuilder) {
        routes.get("admin", "programs", "new", use: new)
        routes.post("admin", "programs", use: create)
        routes.get("admin", "programs", ":id", "edit", use: edit)
        routes.post("admin", "programs", ":id", "edit", use: update)
        routes.post("admin", "programs", ":id", "state", use: move)
        routes.get("admin", "programs", ":id", "participants", use: roster)
        routes.get("admin", "programs", ":id", "pairs", use: pairs)
        routes.post("admin", "programs", ":id", "participants", use: enrol)
        routes.post("admin", "programs", ":id", "participants", ":person", "remove", use: remove)
        routes.post("admin", "programs", ":id", "participants", "csv", use: previewCSV)
        routes.post("admin", "programs", ":id", "participants", "csv", "confirm", use: confirmCSV)
        routes.get("admin", "programs", ":id", "participants", "directory", use: previewDirectory)
        routes.post("admin", "programs", ":id", "participants", "directory", use: enrolDirectory)
    }

    struct DirectoryFilterInput: Content {
        var department: String?
        var timezone: String?
        var mentoring_role: String?
        var tag: String?
        var `as`: String?

        /// The filter, or the field that cannot be read.
        func filter() -> Result<DirectoryEnrolPages.Filter, ValidationErrors> {
            var errors = ValidationErrors()
            let role = mentoring_role ?? ""
            if !role.isEmpty, MentoringRole(rawValue: role) == nil { errors.add("mentoring_role", "Mentoring role: choose can mentor or wants a mentor.") }
            let enrolAs = (`as` ?? "").isEmpty ? ProgramRole.mentee.rawValue : `as`!
            if ProgramRole(rawValue: enrolAs) == nil { errors.add("as", "Enrol them as: choose mentor or mentee.") }
            guard errors.isEmpty else { return .failure(errors) }
            return .success(DirectoryEnrolPages.Filter(
                department: TextInput.line(department ?? "").scalarPrefix(ProfileRules.department.maximum), timezone: TextInput.line(timezone ?? "").scalarPrefix(64),
                mentoringRole: role, tag: TextInput.line(tag ?? "").scalarPrefix(Tags.maximumLength), enrolAs: enrolAs
            ))
        }
    }

    static func directoryPreview(_ req: Request, program: Program, filter: DirectoryEnrolPages.Filter, error: String? = nil, status: HTTPStatus = .ok) async throws -> Response {
        let role = ProgramRole(rawValue: filter.enrolAs) ?? .mentee
        let plan = try await DirectoryEnrolment.plan(filter.query, as: role, program: program, on: req.db)
        let departments = try await DirectoryCounts.snapshot(on: req.db).departments
        let page = DirectoryEnrolPages.preview(req.page, program: try ProgramsController.summary(program, myRole: nil, canJoin: false), filter: filter, plan: plan, departments: departments, error: error)
        return try await HTMLPage(status: status, html: page).encodeResponse(for: req)
    }

    @Sendable static func previewDirectory(_ req: Request) async throws -> Response {
        let program = try await program(req)
        if let problem = EnrolmentRules.managerEnrolProblem(state: program.programState) { throw Abort(.conflict, reason: problem) }
        switch try req.query.decode(DirectoryFilterInput.self).filter() {
        case .success(let filter): return try await directoryPreview(req, program: program, filter: filter)
        case .failure(let errors): throw Abort(.unprocessableEntity, reason: errors.summary)
        }
    }

    @Sendable static func enrolDirectory(_ req: Request) async throws -> Response {
        let admin = try req.requireUser()
        let program = try await program(req)
        let filter: DirectoryEnrolPages.Filter
        switch try req.content.decode(DirectoryFilterInput.self).filter() {
        case .success(let found): filter = found
        case .failure(let errors): throw Abort(.unprocessableEntity, reason: errors.summary)
        }
        if let problem = EnrolmentRules.managerEnrolProblem(state: program.programState) { throw Abort(.conflict, reason: problem) }
        let role = ProgramRole(rawValue: filter.enrolAs) ?? .mentee
        let (programID, db, query) = (try program.requireID(), req.application.longWorkDB, filter.query)
        do {
            // Thousands of people are one transaction of seconds: on the long-work thread.
            let enrolled = try await LongWork.run { try await DirectoryEnrolment.apply(query, as: role, programID: programID, by: admin, on: db) }
            let fresh = try await ProgramStore.find(programID, on: req.db) ?? program
            let page = try await rosterPage(req, program: fresh, notice: "Enrolled \(enrolled.grouped) \(enrolled == 1 ? "person" : "people") as \(role == .mentor ? "mentors" : "mentees"): \(filter.described).")
            return try await HTMLPage(status: .created, html: page).encodeResponse(for: req)
        } catch let refusal as ProgramStore.Refusal {
            return try await directoryPreview(req, program: program, filter: filter, error: refusal.message, status: .conflict)
        }
    }

    static func program(_ req: Request) async throws -> Program {
        guard let id = req.idParameter, let program = try await ProgramStore.find(id, on: req.db) else {
            throw Abort(.notFound, reason: "There is no such program.")
        }
        return program
    }

    @Sendable static func new(_ req: Request) async throws -> HTML {
        ProgramFormPage.render(req.page, programID: nil, state: nil, form: ProgramForm(ProgramDraft(name: ""), weights: MatchWeights()), errors: ValidationErrors())
    }

    @Sendable static func create(_ req: Request) async throws -> Response {
        let admin = try req.requireUser()  // a program manager: the route group checks
        let form = try req.content.decode(ProgramForm.self)
        switch form.parse() {
        case .failure(let errors):
            return try await req.invalidForm(ProgramFormPage.render(req.page, programID: nil, state: nil, form: form, errors: errors))
        case .success(let (draft, weights)):
            let program = try await ProgramStore.create(draft, weights: weights, by: admin, on: req.db)
            return req.redirect(to: "/programs/\(try program.requireID().uuidString)", redirectType: .normal)
        }
    }

    @Sendable static func edit(_ req: Request) async throws -> HTML {
        let program = try await program(req)
        return ProgramFormPage.render(req.page, programID: program.id, state: program.programState, form: ProgramForm(program.draft, weights: program.weights), errors: ValidationErrors())
    }

    @Sendable static func update(_ req: Request) async throws -> Response {
        let admin = try req.requireUser()
        let program = try await program(req)
        var form = try req.content.decode(ProgramForm.self)
        // A radio group left unanswered keeps the stored setting (the form always sends one).
        if form.meetings == nil { form.meetings = MeetingsPlace(inTrellis: program.meetingsInTrellis).rawValue }
        var problems: ValidationErrors
        switch form.parse() {
        case .failure(let errors): problems = errors
        case .success(let (draft, weights)):
            do {
                _ = try await ProgramStore.update(try program.requireID(), draft, weights: weights, by: admin, on: req.db)
                return req.redirect(to: "/programs/\(try program.requireID().uuidString)", redirectType: .normal)
            } catch let errors as ValidationErrors {
                problems = ValidationErrors()
                for field in errors.order {
                    problems.add(field == "weights" ? ProgramForm.weightField(MatchWeights.factors[0]) : field, errors[field]!)
                }
            }
        }
        return try await req.invalidForm(ProgramFormPage.render(req.page, programID: program.id, state: program.programState, form: form, errors: problems))
    }

    struct MoveInput: Content {
        var to: String?
    }

    @Sendable static func move(_ req: Request) async throws -> Response {
        let admin = try req.requireUser()
        guard let viewer = admin.viewer else { throw Abort(.unauthorized) }
        let program = try await program(req)
        let input = try req.content.decode(MoveInput.self)
        let problem: String
        if let next = ProgramState(rawValue: input.to ?? "") {
            do {
                let moved = try await ProgramStore.move(try program.requireID(), to: next, by: admin, on: req.db)
                let enrolment = try await ProgramStore.enrolment(of: viewer.id, in: try moved.requireID(), on: req.db)
                return try await ProgramsController.page(req, viewer: viewer, program: moved, enrolment: enrolment, notice: "The program is now \(next.label.lowercased()).")
                    .encodeResponse(for: req)
            } catch let refusal as ProgramStore.Refusal {
                problem = refusal.message
            }
        } else {
            problem = "State: choose \(ProgramState.allCases.map(\.rawValue).joined(separator: ", ")) (got “\((input.to ?? "").quoted(40))”)."
        }
        let fresh = try await ProgramStore.find(try program.requireID(), on: req.db) ?? program
        let enrolment = try await ProgramStore.enrolment(of: viewer.id, in: try program.requireID(), on: req.db)
        let page = try await ProgramsController.page(req, viewer: viewer, program: fresh, enrolment: enrolment, stateError: problem)
        return try await HTMLPage(status: .conflict, html: page).encodeResponse(for: req)
    }

    struct EnrolInput: Content {
        var email: String?
        var role: String?
        var capacity: String?
    }

    /// The roster page, from the query's page position, with the enrol form's input and problems.
    static func rosterPage(
        _ req: Request, program: Program, input: EnrolInput = EnrolInput(), errors: ValidationErrors = ValidationErrors(), notice: String? = nil, csvError: String? = nil,
        errorHeading: String = "Please correct the highlighted fields."
    ) async throws -> HTML {
        let role = (try? req.query.get(String.self, at: "role")).flatMap(ProgramRole.init(rawValue:))
        let after = (try? req.query.get(String.self, at: "after")).flatMap(UUID.init(uuidString:))
        let before = after == nil ? (try? req.query.get(String.self, at: "before")).flatMap(UUID.init(uuidString:)) : nil
        let page = try await ProgramRoster.page(program: try program.requireID(), role: role, after: after, before: before, on: req.db)
        let summary = try ProgramsController.summary(program, myRole: nil, canJoin: false)
        return RosterPage.render(req.page, RosterView(
            program: summary, page: page, input: input, errors: errors, notice: notice,
            enrolProblem: EnrolmentRules.managerEnrolProblem(state: program.programState), csvError: csvError, errorHeading: errorHeading,
            departments: try await DirectoryCounts.snapshot(on: req.db).departments
        ))
    }

    /// The program's pairs in numbers and dates (`ProgramPairs`), fifty to a page.
    @Sendable static func pairs(_ req: Request) async throws -> HTML {
        let program = try await program(req)
        let viewer = try req.requireUser()
        let zone = try await Profile.timeZone(of: viewer.requireID(), on: req.db)
        let after = (try? req.query.get(String.self, at: "after")).flatMap(UUID.parse)
        let before = after == nil ? (try? req.query.get(String.self, at: "before")).flatMap(UUID.parse) : nil
        let page = try await ProgramPairs.page(program: program, after: after, before: before, today: CalendarDay(Date(), in: zone), on: req.db)
        return PairsPage.render(req.page, PairsView(
            program: try ProgramsController.summary(program, myRole: nil, canJoin: false), meetingsInTrellis: program.meetingsInTrellis, page: page, timeZone: zone,
            beyondEnd: after != nil || before != nil
        ))
    }

    @Sendable static func roster(_ req: Request) async throws -> HTML {
        try await rosterPage(req, program: try await program(req))
    }

    @Sendable static func enrol(_ req: Request) async throws -> Response {
        let admin = try req.requireUser()
        let program = try await program(req)
        let input = try req.content.decode(EnrolInput.self)
        var errors = ValidationErrors()
        var person: User?
        switch try await ProgramStore.enrollee(email: input.email, on: req.db) {
        case .success(let found): person = found
        case .failure(let refusal): errors.add(refusal.field, refusal.message)
        }
        var role: ProgramRole?
        switch ProfileRules.choice(input.role ?? "", as: ProgramRole.self) {
        case .success(let chosen):
            role = chosen
            if chosen == nil { errors.add("role", "Choose mentor or mentee.") }
        case .failure(let problem): errors.add("role", problem.message)
        }
        var capacity: Int?
        switch EnrolmentRules.capacity.parse(input.capacity ?? "") {
        case .success(let value): capacity = value
        case .failure(let problem): errors.add("capacity", problem.message)
        }
        if errors.isEmpty, let person, let role {
            do {
                try await ProgramStore.enrol([.init(userID: try person.requireID(), role: role, capacity: capacity, statement: "")], in: try program.requireID(), selfJoined: false, by: admin, on: req.db)
                let fresh = try await ProgramStore.find(try program.requireID(), on: req.db) ?? program
                let page = try await rosterPage(req, program: fresh, notice: "\(person.name) is enrolled as a \(role.rawValue).")
                return try await HTMLPage(status: .created, html: page).encodeResponse(for: req)
            } catch let refusal as ProgramStore.Refusal {
                errors.add(refusal.enrolmentField, refusal.message)
            }
        }
        return try await req.invalidForm(try await rosterPage(req, program: program, input: input, errors: errors))
    }

    @Sendable static func remove(_ req: Request) async throws -> Response {
        let admin = try req.requireUser()
        let program = try await program(req)
        guard let person = req.parameters.get("person").flatMap(UUID.init(uuidString:)), let user = try await User.find(person, on: req.db) else {
            throw Abort(.notFound, reason: "There is no such person.")
        }
        do {
            try await ProgramStore.withdraw(person, from: try program.requireID(), by: admin, on: req.db)
        } catch let refusal as ProgramStore.Refusal {
            let page = try await rosterPage(req, program: program, errors: ValidationErrors(field: "email", refusal.message), errorHeading: "Nothing was changed.")
            return try await HTMLPage(status: .conflict, html: page).encodeResponse(for: req)
        }
        let fresh = try await ProgramStore.find(try program.requireID(), on: req.db) ?? program
        return try await rosterPage(req, program: fresh, notice: "\(user.name) is no longer in the program.").encodeResponse(for: req)
    }

    /// Checks an enrolment CSV and shows every problem, or what confirming will do. A valid file
    /// is kept on the server for this program manager for an hour.
    @Sendable static func previewCSV(_ req: Request) async throws -> Response {
        let admin = try req.requireUser()
        let program = try await program(req)
        let input = try req.content.decode(ImportController.UploadInput.self)
        let text: String, filename: String
        do {
            (text, filename) = try ImportController.text(of: input)
        } catch let errors as ValidationErrors {
            return try await req.invalidForm(try await rosterPage(req, program: program, csvError: errors["file"] ?? errors.summary))
        }
        let db = req.db
        let plan = try await LongWork.run { try await EnrolmentCSV.plan(text, program: program, on: db) }
        let summary = try ProgramsController.summary(program, myRole: nil, canJoin: false)
        guard plan.isValid else {
            return try await req.invalidForm(EnrolmentCSVPages.preview(req.page, program: summary, plan: plan, uploadID: nil))
        }
        let upload = EnrolmentUpload(programID: try program.requireID(), adminID: try admin.requireID(), filename: filename.scalarPrefix(200), csv: text)
        try await DatabaseWrites.transaction(on: req.db) { tx in
            // Uploads nobody confirmed in time are not kept.
            try await EnrolmentUpload.query(on: tx).filter(\.$expiresAt < Date()).delete()
            try await upload.create(on: tx)
        }
        return try await EnrolmentCSVPages.preview(req.page, program: summary, plan: plan, uploadID: try upload.requireID()).encodeResponse(for: req)
    }

    struct ConfirmInput: Content {
        var upload: String?
    }

    /// Enrols everyone in a previewed file, or nobody, and shows the roster.
    @Sendable static func confirmCSV(_ req: Request) async throws -> Response {
        let admin = try req.requireUser()
        let program = try await program(req)
        let input = try req.content.decode(ConfirmInput.self)
        guard let id = input.upload.flatMap(UUID.init(uuidString:)), let upload = try await EnrolmentUpload.find(id, on: req.db),
              upload.adminID == admin.id, upload.programID == program.id
        else {
            // Another manager's upload, or another program's, answers like a missing one.
            throw Abort(.notFound, reason: "There is no such upload. Upload the file again.")
        }
        guard upload.expiresAt > Date() else {
            throw Abort(.gone, reason: "This preview has expired. Upload the file again to see a fresh preview.")
        }
        let db = req.application.longWorkDB
        let csv = upload.csv
        let programID = try program.requireID()
        let outcome = try await LongWork.run { try await EnrolmentCSV.apply(csv, programID: programID, by: admin, on: db) }
        switch outcome {
        case .refused(let problems):
            let fresh = try await ProgramStore.find(programID, on: req.db) ?? program
            let plan = EnrolmentCSV.Plan(joiners: [], rows: [], mentors: 0, mentees: 0, problems: problems)
            return try await req.invalidForm(EnrolmentCSVPages.preview(req.page, program: try ProgramsController.summary(fresh, myRole: nil, canJoin: false), plan: plan, uploadID: nil))
        case .enrolled(let enrolled, let mentors, let mentees):
            try await DatabaseWrites.transaction(on: req.db) { tx in try await upload.delete(on: tx) }
            let page = try await rosterPage(req, program: enrolled, notice: "Enrolled \(mentors.grouped) mentor\(mentors == 1 ? "" : "s") and \(mentees.grouped) mentee\(mentees == 1 ? "" : "s") from \(upload.filename).")
            return try await page.encodeResponse(for: req)
        }
    }
}
