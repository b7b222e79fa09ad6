import Fluent
import FluentSQL
import Foundation
import TrellisCore

/// Full-text search over people: their name and their tags, kept up to date on every write, so
/// that a search reads an index instead of every person (FTS5 on SQLite, a `tsvector` with a GIN
/// index on PostgreSQL). Words match at their start ("kube" finds Kubernetes), case and accents
/// do not matter, and every word typed must match (in the name or a tag).
///
/// Each person's document has four parts, so that a search can look only where it should: the
/// name, their expertise (what they can teach), their development areas (what they want to
/// learn), and the rest (interests, values, languages).
enum SearchIndex {
    struct Document: Sendable {
        var name: String
        var expertise: String
        var development: String
        var other: String

        init(name: String, tags: [TagKind: [String]]) {
            self.name = SearchIndex.fold(name)
            expertise = SearchIndex.fold((tags[.expertise] ?? []).joined(separator: " "))
            development = SearchIndex.fold((tags[.development] ?? []).joined(separator: " "))
            other = SearchIndex.fold([TagKind.interest, .value, .language].flatMap { tags[$0] ?? [] }.joined(separator: " "))
        }
    }

    /// Lower case without accents, the same on both databases.
    static func fold(_ text: String) -> String {
        let folded = text.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil).lowercased()
        guard folded.unicodeScalars.contains(where: { $0.value >= 0x80 }) else { return folded }
        // Letters that are not a base letter plus an accent, so folding keeps them.
        var result = ""
        for character in folded {
            result += letters[character] ?? String(character)
        }
        return result
    }

    static let letters: [Character: String] = [
        "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h", "ŧ": "t",
    ]

    /// The words of a search, folded; at most eight, each at most 40 characters.
    static func words(_ query: String) -> [String] {
        fold(query).split { !($0.isLetter || $0.isNumber) }.prefix(8).map { String($0.prefix(40)) }
    }

    /// Where a search looks.
    enum Scope { case everything, nameAndExpertise, nameAndDevelopment, name }

    static func isPostgres(_ sql: any SQLDatabase) -> Bool { sql.dialect.name == "postgresql" }

    // MARK: Schema

    static func create(on sql: any SQLDatabase) async throws {
        if isPostgres(sql) {
            try await sql.raw("CREATE TABLE people_search (person_id UUID PRIMARY KEY, document TSVECTOR NOT NULL)").run()
            try await sql.raw("CREATE INDEX idx_people_search_document ON people_search USING GIN (document)").run()
        } else {
            try await sql.raw("CREATE TABLE people_search_ids (rowid INTEGER PRIMARY KEY, person_id UUID NOT NULL)").run()
            try await sql.raw("CREATE UNIQUE INDEX idx_people_search_person ON people_search_ids (person_id)").run()
            try await sql.raw("CREATE VIRTUAL TABLE people_search USING fts5(name, expertise, development, other, tokenize = 'unicode61 remove_diacritics 2')").run()
        }
    }

    static func drop(on sql: any SQLDatabase) async throws {
        try await sql.raw("DROP TABLE people_search").run()
        if !isPostgres(sql) { try await sql.raw("DROP TABLE people_search_ids").run() }
    }

    // MARK: Writing

    /// Stores one person's document (call inside the transaction that changed them).
    static func update(_ personID: UUID, _ document: Document, on sql: any SQLDatabase) async throws {
        if isPostgres(sql) {
            try await sql.raw("""
                INSERT INTO people_search (person_id, document) VALUES (\(bind: personID), \(vector(document)))
                ON CONFLICT (person_id) DO UPDATE SET document = excluded.document
                """).run()
        } else {
            try await sql.raw("INSERT INTO people_search_ids (person_id) VALUES (\(bind: personID)) ON CONFLICT (person_id) DO NOTHING").run()
            guard let row = try await sql.raw("SELECT rowid FROM people_search_ids WHERE person_id = \(bind: personID)").first() else { return }
            let rowid = try row.decode(column: "rowid", as: Int.self)
            try await sql.raw("DELETE FROM people_search WHERE rowid = \(bind: rowid)").run()
            try await sql.raw("""
                INSERT INTO people_search (rowid, name, expertise, development, other)
                VALUES (\(bind: rowid), \(bind: document.name), \(bind: document.expertise), \(bind: document.development), \(bind: document.other))
                """).run()
        }
    }

    static func vector(_ document: Document) -> SQLQueryString {
        """
        setweight(to_tsvector('simple', \(bind: document.name)), 'A') || setweight(to_tsvector('simple', \(bind: document.expertise)), 'B') \
        || setweight(to_tsvector('simple', \(bind: document.development)), 'C') || setweight(to_tsvector('simple', \(bind: document.other)), 'D')
        """
    }

    /// The documents of everyone staged by an import (`import_people`'s `doc_` columns), in a few
    /// set-based statements.
    static func updateStaged(jobID: UUID, on sql: any SQLDatabase) async throws {
        if isPostgres(sql) {
            try await sql.raw("""
                INSERT INTO people_search (person_id, document)
                SELECT ip.user_id, setweight(to_tsvector('simple', ip.doc_name), 'A') || setweight(to_tsvector('simple', ip.doc_expertise), 'B')
                    || setweight(to_tsvector('simple', ip.doc_development), 'C') || setweight(to_tsvector('simple', ip.doc_other), 'D')
                FROM import_people ip WHERE ip.job_id = \(bind: jobID)
                ON CONFLICT (person_id) DO UPDATE SET document = excluded.document
                """).run()
        } else {
            try await sql.raw("""
                INSERT INTO people_search_ids (person_id) SELECT ip.user_id FROM import_people ip WHERE ip.job_id = \(bind: jobID)
                ON CONFLICT (person_id) DO NOTHING
                """).run()
            // Driven from the staged rows, each looked up through the person_id index, named so that
            // stale statistics cannot talk the planner into a scan per row (the column is declared
            // UUID like users.id: with another type the affinities differ and the index is unusable).
            try await sql.raw("""
                DELETE FROM people_search WHERE rowid IN
                    (SELECT s.rowid FROM import_people ip CROSS JOIN people_search_ids s INDEXED BY idx_people_search_person ON s.person_id = ip.user_id WHERE ip.job_id = \(bind: jobID))
                """).run()
            try await sql.raw("""
                INSERT INTO people_search (rowid, name, expertise, development, other)
                SELECT s.rowid, ip.doc_name, ip.doc_expertise, ip.doc_development, ip.doc_other
                FROM import_people ip CROSS JOIN people_search_ids s INDEXED BY idx_people_search_person ON s.person_id = ip.user_id WHERE ip.job_id = \(bind: jobID)
                """).run()
        }
    }

    /// Every person's document again, read in Swift (the migration, the demo).
    static func rebuild(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        if isPostgres(sql) {
            try await sql.raw("DELETE FROM people_search").run()
        } else {
            try await sql.raw("DELETE FROM people_search").run()
            try await sql.raw("DELETE FROM people_search_ids").run()
        }
        let users = try await User.query(on: db).field(\.$id).field(\.$name).all()
        for chunk in users.chunked(into: 500) {
            let tags = try await PeopleStore.tags(of: chunk.compactMap(\.id), on: db)
            for user in chunk {
                guard let id = user.id else { continue }
                try await update(id, Document(name: user.name, tags: tags[id] ?? [:]), on: sql)
            }
        }
    }

    // MARK: Searching

    /// A condition on `users.id`: the people whose document matches every word. Nil when there
    /// is no word to search for.
    /// A query for the ids of the people whose name or tags (in `scope`) have every word of
    /// `query` at the start of one of their words; nil when `query` has no words.
    static func matchingIDs(_ query: String, scope: Scope, on sql: any SQLDatabase) -> SQLQueryString? {
        let words = words(query)
        guard !words.isEmpty else { return nil }
        if isPostgres(sql) {
            let weights = switch scope {
            case .everything: ""
            case .nameAndExpertise: "AB"
            case .nameAndDevelopment: "AC"
            case .name: "A"
            }
            let expression = words.map { "\($0):*\(weights)" }.joined(separator: " & ")
            return "SELECT ps.person_id FROM people_search ps WHERE ps.document @@ to_tsquery('simple', \(bind: expression))"
        }
        let columns = switch scope {
        case .everything: "{name expertise development other}"
        case .nameAndExpertise: "{name expertise}"
        case .nameAndDevelopment: "{name development}"
        case .name: "{name}"
        }
        let expression = columns + " : " + words.map { "\"\($0)\"*" }.joined(separator: " AND ")
        return """
            SELECT s.person_id FROM people_search_ids s WHERE s.rowid IN (SELECT rowid FROM people_search WHERE people_search MATCH \(bind: expression))
            """
    }
}
