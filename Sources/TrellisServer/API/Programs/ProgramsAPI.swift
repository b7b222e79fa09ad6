import Fluent
import Foundation
import TrellisCore
import TrellisMatching
import Vapor

/// `/api/v1/programs`: programs as the caller may see them (program managers: all; participants:
/// those open for enrolment and their own), and for program managers their settings, enrolments
/// and matching runs. The same services and rules as the web pages.
enum ProgramsAPI {
    static func register(_ api: some RoutesBuilder) {
        api.get("programs", use: list)
        api.post("programs", use: create)
        api.get("programs", ":id", use: read)
        api.patch("programs", ":id", use: update)
        api.post("programs", ":id", "state", use: move)
        api.get("programs", ":id", "enrolments", use: enrolments)
        api.post("programs", ":id", "enrolments", use: enrol)
        api.get("programs", ":id", "pairs", use: pairNumbers)
        api.get("programs", ":id", "runs", use: runs)
        api.post("programs", ":id", "runs", use: startRun)
        api.get("programs", ":id", "runs", ":number", use: run)
        api.get("programs", ":id", "runs", ":number", "pairs", use: pairs)
        api.post("programs", ":id", "runs", ":number", "publish", use: publish)
    }

    static func viewer(_ req: Request) throws -> (User, PageContext.Viewer) {
        let user = try req.requireUser()
        guard let viewer = user.viewer else { throw Abort(.unauthorized) }
        return (user, viewer)
    }

    static func requireManager(_ user: User) throws {
        guard user.isAdmin else { throw Abort(.forbidden, reason: "Only program managers can do this.") }
    }

    /// The program if the caller may see it (404 otherwise, the same as for none).
    static func visible(_ req: Request) async throws -> (Program, Enrolment?) {
        let (_, viewer) = try viewer(req)
        guard let id = req.idParameter, let program = try await ProgramStore.find(id, on: req.db) else {
            throw Abort(.notFound, reason: "There is no such program.")
        }
        let enrolment = try await ProgramStore.enrolment(of: viewer.id, in: id, on: req.db)
        guard ProgramStore.canSee(program, viewer: viewer, enrolment: enrolment) else { throw Abort(.notFound, reason: "There is no such program.") }
        return (program, enrolment)
    }

    /// A program manager's program (403 for participants, then 404 for none).
    static func managed(_ req: Request) async throws -> (User, Program) {
        let (user, _) = try viewer(req)
        try requireManager(user)
        guard let id = req.idParameter, let program = try await ProgramStore.find(id, on: req.db) else {
            throw Abort(.notFound, reason: "There is no such program.")
        }
        return (user, program)
    }

    @Sendable static func list(_ req: Request) async throws -> [ProgramDTO] {
        let (_, viewer) = try viewer(req)
        let programs = try await ProgramStore.visible(to: viewer, on: req.db)
        let ids = try programs.map { try $0.requireID() }
        let mine = ids.isEmpty ? [] : try await Enrolment.query(on: req.db).filter(\.$userID == viewer.id).filter(\.$programID ~~ ids).all()
        let roles = Dictionary(mine.map { ($0.programID, $0.programRole) }, uniquingKeysWith: { a, _ in a })
        return try programs.map { try ProgramDTO($0, myRole: roles[try $0.requireID()]) }
    }

    @Sendable static func read(_ req: Request) async throws -> ProgramDTO {
        let (program, enrolment) = try await visible(req)
        return try ProgramDTO(program, myRole: enrolment?.programRole)
    }

    /// The JSON object's keys, refusing any the input does not have (a misspelt field would
    /// otherwise be dropped silently).
    /// `wholeNumbers`: fields that must be whole numbers in a range, named with it when they are
    /// not (a decoder would only say the body cannot be read).
    static func sentKeys(_ req: Request, allowed: Set<String>, what: String, wholeNumbers: [String: ClosedRange<Int>] = [:]) throws -> Set<String> {
        guard req.headers.contentType == .json else {
            throw Abort(.unsupportedMediaType, reason: "Send the \(what) as JSON, with the header “Content-Type: application/json”.")
        }
        guard let data = req.body.data, let object = try? JSONSerialization.jsonObject(with: Data(buffer: data)) as? [String: Any] else {
            throw Abort(.badRequest, reason: "The body must be a JSON object.")
        }
        if let twice = JSONDuplicateKeys.first(in: Data(buffer: data)) {
            throw Abort(.badRequest, reason: "The body names “\(twice.excerpt(60))” twice: send each field once.")
        }
        let unknown = object.keys.filter { !allowed.contains($0) }.sorted()
        if !unknown.isEmpty {
            var errors = ValidationErrors()
            for field in unknown.prefix(20) { errors.add(field.excerpt(100), "Unknown field. Allowed fields: \(allowed.sorted().joined(separator: ", ")).") }
            throw InvalidInput(message: "Nothing was saved: the body has fields the \(what) does not have.", errors: errors)
        }
        var errors = ValidationErrors()
        // Texts as the document limits them, counted as sent (see `APIBodyRules`).
        for (field, maximum) in APIBodyRules.maxLengths(for: req.method, path: req.url.path).sorted(by: { $0.key < $1.key }) {
            guard let text = object[field] as? String else { continue }
            let count = text.unicodeScalars.count
            if count > maximum { errors.add(field, "\(field) must be at most \(maximum) characters (got \(count)).") }
        }
        for (field, range) in wholeNumbers.sorted(by: { $0.key < $1.key }) {
            guard let value = object[field], !(value is NSNull) else { continue }
            // Other kinds of value (text, true/false) are the decoder's: a 400 naming the field.
            guard let number = value as? NSNumber, !(value is String) else { continue }
            let double = number.doubleValue
            if double.rounded() == double, abs(double) < 1e15, range.contains(Int(double)) { continue }
            errors.add(field, "\(field) must be a whole number from \(range.lowerBound) to \(range.upperBound).")
        }
        guard errors.isEmpty else { throw InvalidInput(message: "Nothing was saved: some fields are not valid.", errors: errors) }
        return Set(object.keys)
    }

    /// Checks the input over `base` by the program form's rules, naming fields as the API does.
    static func settings(_ input: ProgramInputDTO, over base: ProgramForm, sentKeys: Set<String>) throws -> (ProgramDraft, MatchWeights) {
        var errors = ValidationErrors()
        let factorKeys = Set(MatchWeights.factors.map(\.key))
        for key in (input.weights ?? [:]).keys.sorted() where !factorKeys.contains(key) {
            errors.add("weights.\(key.excerpt(60))", "Unknown factor. The factors are: \(MatchWeights.factors.map(\.key).joined(separator: ", ")).")
        }
        if let name = input.name, name.isEmpty { errors.add("name", "Name is required.") }
        switch input.over(base, sentKeys: sentKeys).parse() {
        case .failure(let problems):
            for field in problems.order { errors.add(ProgramInputDTO.apiField(field), problems[field]!) }
            throw InvalidInput(message: "Nothing was saved: some fields are not valid.", errors: errors)
        case .success(let parsed):
            guard errors.isEmpty else { throw InvalidInput(message: "Nothing was saved: some fields are not valid.", errors: errors) }
            return parsed
        }
    }

    @Sendable static func create(_ req: Request) async throws -> Response {
        let (user, _) = try viewer(req)
        try requireManager(user)
        let keys = try sentKeys(req, allowed: ProgramInputDTO.fieldNames, what: "program", wholeNumbers: ProgramInputDTO.wholeNumbers)
        let input = try req.content.decode(ProgramInputDTO.self)
        let base = ProgramForm(ProgramDraft(name: ""), weights: MatchWeights())
        let (draft, weights) = try settings(input, over: base, sentKeys: keys)
        let program = try await ProgramStore.create(draft, weights: weights, by: user, on: req.db)
        let response = try await ProgramDTO(program, myRole: nil).encodeResponse(status: .created, for: req)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/programs/\(try program.requireID().uuidString)")
        return response
    }

    @Sendable static func update(_ req: Request) async throws -> ProgramDTO {
        let (user, program) = try await managed(req)
        let keys = try sentKeys(req, allowed: ProgramInputDTO.fieldNames, what: "program", wholeNumbers: ProgramInputDTO.wholeNumbers)
        let input = try req.content.decode(ProgramInputDTO.self)
        let (draft, weights) = try settings(input, over: ProgramForm(program.draft, weights: program.weights), sentKeys: keys)
        do {
            let saved = try await ProgramStore.update(try program.requireID(), draft, weights: weights, by: user, on: req.db)
            return try ProgramDTO(saved, myRole: try await ProgramStore.enrolment(of: user.requireID(), in: saved.requireID(), on: req.db)?.programRole)
        } catch let errors as ValidationErrors {
            // What may not change in the program's state (its mode once matching, its rules once
            // active): the program is in the way, not the input's form.
            throw Abort(.conflict, reason: "Nothing was saved: " + errors.order.compactMap { errors[$0] }.joined(separator: " "))
        }
    }

    struct MoveInputDTO: Content {
        var to: String?
    }

    /// Moves the program to another state, if its rules allow (409 with the reason otherwise).
    @Sendable static func move(_ req: Request) async throws -> ProgramDTO {
        let (user, program) = try await managed(req)
        _ = try sentKeys(req, allowed: ["to"], what: "state change")
        let input = try req.content.decode(MoveInputDTO.self)
        guard let next = input.to.flatMap(ProgramState.init(rawValue:)) else {
            throw InvalidInput(message: "The program stays \(program.programState.rawValue).", errors: ValidationErrors(
                field: "to", "State: choose \(ProgramState.allCases.map(\.rawValue).joined(separator: ", "))."
            ))
        }
        do {
            return try ProgramDTO(try await ProgramStore.move(try program.requireID(), to: next, by: user, on: req.db), myRole: nil)
        } catch let refusal as ProgramStore.Refusal {
            throw Abort(.conflict, reason: refusal.message)
        }
    }

    @Sendable static func enrolments(_ req: Request) async throws -> EnrolmentPageDTO {
        let (_, program) = try await managed(req)
        let after = try cursor(req, "after")
        var role: ProgramRole?
        if let text = try? req.query.get(String.self, at: "role") {
            guard let chosen = ProgramRole(rawValue: text) else {
                throw InvalidInput(message: "The query is not valid.", errors: ValidationErrors(field: "role", "Role: choose mentor or mentee."))
            }
            role = chosen
        }
        let page = try await ProgramRoster.page(program: try program.requireID(), role: role, after: after, before: nil, on: req.db)
        return EnrolmentPageDTO(items: page.rows.map(EnrolmentDTO.init), next_after: page.hasNext ? page.rows.last?.enrolmentID : nil)
    }

    /// The program's pairs in counts and dates (`ProgramPairs`), fifty at a time; days are UTC.
    @Sendable static func pairNumbers(_ req: Request) async throws -> PairNumbersPageDTO {
        let (_, program) = try await managed(req)
        let after = try cursor(req, "after")
        let page = try await ProgramPairs.page(program: program, after: after, before: nil, today: CalendarDay(Date(), in: TimeZone(identifier: "UTC")!), on: req.db)
        return PairNumbersPageDTO(items: page.rows.map(PairNumbersDTO.init), next_after: page.hasNext ? page.rows.last?.mentorshipID : nil)
    }

    /// A uuid query parameter (nil when absent; 422 naming it when it is not a uuid).
    static func cursor(_ req: Request, _ name: String) throws -> UUID? {
        guard let text = try? req.query.get(String.self, at: name) else { return nil }
        guard let id = UUID(uuidString: text) else {
            throw InvalidInput(message: "The query is not valid.", errors: ValidationErrors(field: name, "\(name) must be an id from a previous page."))
        }
        return id
    }

    @Sendable static func enrol(_ req: Request) async throws -> Response {
        let (user, program) = try await managed(req)
        _ = try sentKeys(req, allowed: ["email", "role", "capacity"], what: "enrolment", wholeNumbers: ["capacity": EnrolmentRules.capacity.range])
        let input = try req.content.decode(EnrolmentInputDTO.self)
        var errors = ValidationErrors()
        var person: User?
        switch try await ProgramStore.enrollee(email: input.email, on: req.db) {
        case .success(let found): person = found
        case .failure(let refusal): errors.add(refusal.field, refusal.message)
        }
        let role = input.role.flatMap(ProgramRole.init(rawValue:))
        if role == nil { errors.add("role", "Role: choose mentor or mentee.") }
        if let capacity = input.capacity, let problem = EnrolmentRules.capacity.problem(capacity) { errors.add("capacity", problem) }
        guard errors.isEmpty, let person, let role else { throw InvalidInput(message: "Nobody was enrolled: some fields are not valid.", errors: errors) }
        let programID = try program.requireID()
        do {
            try await ProgramStore.enrol([.init(userID: try person.requireID(), role: role, capacity: input.capacity, statement: "")], in: programID, selfJoined: false, by: user, on: req.db)
        } catch let refusal as ProgramStore.Refusal {
            throw InvalidInput(message: "Nobody was enrolled.", errors: ValidationErrors(field: refusal.enrolmentField, refusal.message))
        }
        let page = try await ProgramRoster.page(program: programID, role: nil, after: nil, before: nil, only: try person.requireID(), on: req.db)
        guard let row = page.rows.first else { throw Abort(.internalServerError) }
        let dto = EnrolmentDTO(row)
        return try await dto.encodeResponse(status: .created, for: req)
    }

    @Sendable static func runs(_ req: Request) async throws -> [MatchRunDTO] {
        let (_, program) = try await managed(req)
        return try await MatchRun.query(on: req.db).filter(\.$programID == program.requireID()).sort(\.$number, .descending).limit(100).all()
            .map { MatchRunDTO($0, program: program) }
    }

    @Sendable static func startRun(_ req: Request) async throws -> Response {
        let (user, program) = try await managed(req)
        do {
            let run = try await MatchRuns.start(try program.requireID(), by: user, on: req.db)
            let response = try await MatchRunDTO(run, program: program).encodeResponse(status: .accepted, for: req)
            response.headers.replaceOrAdd(name: .location, value: "/api/v1/programs/\(try program.requireID().uuidString)/runs/\(run.number)")
            return response
        } catch let refusal as ProgramStore.Refusal {
            throw Abort(.conflict, reason: refusal.message)
        }
    }

    static func run(_ req: Request, program: Program) async throws -> MatchRun {
        guard let text = req.parameters.get("number"), let number = Int(text), number > 0, number < 1_000_000,
              let run = try await MatchRun.query(on: req.db).filter(\.$programID == program.requireID()).filter(\.$number == number).first()
        else { throw Abort(.notFound, reason: "This program has no run with that number.") }
        return run
    }

    @Sendable static func run(_ req: Request) async throws -> MatchRunDTO {
        let (_, program) = try await managed(req)
        return MatchRunDTO(try await run(req, program: program), program: program)
    }

    @Sendable static func pairs(_ req: Request) async throws -> RunPairPageDTO {
        let (_, program) = try await managed(req)
        let run = try await run(req, program: program)
        guard run.runState == .done else { throw Abort(.conflict, reason: "This run has no result yet (it is \(run.runState.rawValue)).") }
        var filter = RunResults.Filter()
        if let show = try? req.query.get(String.self, at: "show") {
            guard let value = RunResults.Show(rawValue: show) else {
                throw InvalidInput(message: "The query is not valid.", errors: ValidationErrors(field: "show", "Show: choose pairs or unmatched."))
            }
            filter.show = value
        }
        var after: Int?
        if let text = try? req.query.get(String.self, at: "after") {
            guard let value = Int(text), value >= 0, value < Int(Int32.max) else {
                throw InvalidInput(message: "The query is not valid.", errors: ValidationErrors(field: "after", "after must be a position from a previous page."))
            }
            after = value
        }
        let page = try await RunResults.page(run: try run.requireID(), filter: filter, after: after, before: nil, on: req.db)
        return RunPairPageDTO(items: page.rows.map(RunPairDTO.init), next_after: page.hasNext ? page.rows.last?.position : nil)
    }

    @Sendable static func publish(_ req: Request) async throws -> MatchRunDTO {
        let (user, program) = try await managed(req)
        let run = try await run(req, program: program)
        do {
            let (runID, programID, db) = (try run.requireID(), try program.requireID(), req.application.longWorkDB)
            _ = try await LongWork.run { try await MatchRuns.publish(runID, program: programID, by: user, on: db) }
        } catch let refusal as ProgramStore.Refusal {
            throw Abort(.conflict, reason: refusal.message)
        }
        let fresh = try await ProgramStore.find(try program.requireID(), on: req.db) ?? program
        return MatchRunDTO(try await MatchRun.find(run.requireID(), on: req.db) ?? run, program: fresh)
    }
}
