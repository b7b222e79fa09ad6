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
///
/// Two more structures serve the order of results (`DirectorySearch`) without reading every
/// match: the names alone in their own index (`people_search_names` on SQLite, `name_document`
/// on PostgreSQL), so that finding the people whose name matches does not wade through every tag
/// with a common word; and each tag's key beside its holder's sorting name
/// (`people_search_tags`), so that the people with a tag are read in name order from an index.
enum SearchIndex {
    struct Document: Sendable {
        var name: String
        var expertise: String
        var development: String
        var other: String
        /// The name as given and the normalised tags, for what only a single save needs
        /// (`sortName`, `tagKeys`): an import works both out for itself, and worked out here for
        /// every person they cost it more than the rest of the document (hashing non-ASCII keys).
        private let givenName: String
        private let texts: [TagKind: [TagText]]

        /// A person's document from their name and their tags (normalised, `Tags.normalize`).
        init(name: String, tags: [TagKind: [String]]) {
            self.init(name: name, texts: tags.mapValues { $0.map(TagText.init) })
        }

        /// From tags already worked out (`TagTexts`, which an import keeps for every spelling it
        /// meets). Each document part is its tags' words one tag after another.
        init(name: String, texts: [TagKind: [TagText]]) {
            self.name = SearchIndex.indexed(name)
            func words(_ kinds: [TagKind]) -> String {
                kinds.flatMap { texts[$0] ?? [] }.lazy.map(\.indexed).filter { !$0.isEmpty }.joined(separator: " ")
            }
            expertise = words([.expertise])
            development = words([.development])
            other = words([.interest, .value, .language])
            givenName = name
            self.texts = texts
        }

        /// The name as the directory sorts it (`users.search_name`).
        var sortName: String { User.searchName(givenName) }

        /// Every tag's kind and key, each once.
        var tagKeys: [(kind: TagKind, key: String)] {
            var seen = Set<String>()
            return TagKind.allCases.flatMap { kind in
                (texts[kind] ?? []).map { (kind: kind, key: $0.key) }.filter { !$0.key.isEmpty && seen.insert(kind.rawValue + "\u{0}" + $0.key).inserted }
            }
        }
    }

    /// What the index and the tag tables make of one tag: its spelling as stored
    /// (`Tags.clean`), its key (`Tags.key`) and its words as a document holds them (`indexed`).
    struct TagText: Sendable, Equatable {
        var name: String
        var key: String
        var indexed: String

        init(_ raw: String) {
            name = Tags.clean(raw)
            key = TextInput.lowercased(name)  // `Tags.key` of a cleaned text
            indexed = SearchIndex.indexed(name)
        }
    }

    /// The `TagText` of every spelling seen so far, for work over many people who share their
    /// tags (an import of 100,000 people with 2 million tags among a few hundred spellings spent
    /// most of its preparation cleaning, lowering and folding the same few hundred texts).
    /// Holds at most `capacity` spellings; one import's, used by one task at a time (an import
    /// works out its batches one after another, on a thread beside the one that writes them).
    final class TagTexts: @unchecked Sendable {
        private var known: [String: TagText] = [:]
        static let capacity = 100_000

        func text(_ raw: String) -> TagText {
            if let text = known[raw] { return text }
            let text = TagText(raw)
            if known.count < Self.capacity { known[raw] = text }
            return text
        }

        /// A list normalised as `Tags.normalize` does it: empty entries dropped, the first
        /// spelling of each key kept.
        func normalize(_ tags: [String]) -> [TagText] {
            var seen = Set<String>()
            var result: [TagText] = []
            for raw in tags {
                let text = text(raw)
                if !text.name.isEmpty && seen.insert(text.key).inserted { result.append(text) }
            }
            return result
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

    /// The words of a text, folded: the runs of letters and digits. One definition for documents
    /// and searches. SQLite's index takes the words as they are (its `ascii` tokenizer splits only
    /// at the spaces between them), so what it holds is exactly these words, and a search can also
    /// check one person's stored document with LIKE instead of the index.
    ///
    /// "+" and "#" that end a word are spelled out as part of it ("C++" is the word "cplusplus",
    /// "C#" "csharp", "Notepad++" "notepadplusplus"), so that a search for C++ finds C++ rather
    /// than every word that starts with c, and "c" still finds both by their beginning. Elsewhere
    /// ("a+b", "#1") they separate words as any other sign does.
    static func tokens(_ text: String) -> [Substring] {
        let folded = fold(text)
        let signed = folded.utf8.contains { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "#") } ? spellingOutSigns(folded) : folded
        return signed.split { !($0.isLetter || $0.isNumber) }
    }

    /// `tokens`' spelling out of a run of "+" and "#" after a letter or digit and before the end
    /// of the word.
    static func spellingOutSigns(_ text: String) -> String {
        let characters = Array(text)
        func isWord(_ character: Character) -> Bool { character.isLetter || character.isNumber }
        func isSign(_ character: Character) -> Bool { character == "+" || character == "#" }
        var result = ""
        var index = 0
        while index < characters.count {
            let character = characters[index]
            guard isSign(character), index > 0, isWord(characters[index - 1]) else {
                result.append(character)
                index += 1
                continue
            }
            var end = index
            while end < characters.count && isSign(characters[end]) { end += 1 }
            if end < characters.count && isWord(characters[end]) {
                result += String(characters[index..<end])  // inside a word: separators, as before
            } else {
                for sign in characters[index..<end] { result += sign == "+" ? "plus" : "sharp" }
            }
            index = end
        }
        return result
    }

    /// A document part as stored: its words, separated by single spaces.
    static func indexed(_ text: String) -> String { tokens(text).joined(separator: " ") }

    /// The words of a search, folded, every one of them (a search is at most
    /// `DirectoryQuery.maximumSearchLength` characters).
    static func words(_ query: String) -> [String] {
        tokens(query).map(String.init)
    }

    /// Where a search looks.
    enum Scope { case everything, nameAndExpertise, nameAndDevelopment, name }

    static func isPostgres(_ sql: any SQLDatabase) -> Bool { sql.dialect.name == "postgresql" }

    /// `FROM … WHERE …` of the holders of the tag `key` among `kinds` (`people_search_tags`), each
    /// joined to `from` (`users`, and `profiles` if `filter` needs it) and checked against
    /// `filter`: read in name order by `t.sort_name, t.person_id` (grouped by them, as a person
    /// with the tag in two kinds has two rows). On PostgreSQL each holder is looked up by id in a
    /// subquery with a LIMIT, which is never merged into a join: as a join, a plan made once for
    /// every value (a kept statement's) merged the holders of a common tag with everyone in id
    /// order, 8 ms instead of 0.3.
    static func tagHolders(
        key: String, kinds: [any Encodable & Sendable], from: SQLQueryString, filter: SQLQueryString, on sql: any SQLDatabase
    ) -> SQLQueryString {
        isPostgres(sql) ? """
            FROM people_search_tags t CROSS JOIN LATERAL (
                SELECT users.id FROM \(from) WHERE users.id = t.person_id AND \(filter) LIMIT 1
            ) holder WHERE t.key = \(bind: key) AND t.kind IN (\(binds: kinds))
            """ : """
            FROM people_search_tags t CROSS JOIN \(from) WHERE users.id = t.person_id AND t.key = \(bind: key) AND t.kind IN (\(binds: kinds))
                AND \(filter)
            """
    }

    // MARK: Schema

    static func create(on sql: any SQLDatabase) async throws {
        if isPostgres(sql) {
            try await sql.raw("CREATE TABLE people_search (person_id UUID PRIMARY KEY, document TSVECTOR NOT NULL)").run()
            try await sql.raw("CREATE INDEX idx_people_search_document ON people_search USING GIN (document)").run()
        } else {
            try await sql.raw("CREATE TABLE people_search_ids (rowid INTEGER PRIMARY KEY, person_id UUID NOT NULL)").run()
            try await sql.raw("CREATE UNIQUE INDEX idx_people_search_person ON people_search_ids (person_id)").run()
            try await sql.raw("CREATE VIRTUAL TABLE people_search USING fts5(name, expertise, development, other, tokenize = 'ascii')").run()
        }
        try await createOrderStructures(on: sql)
    }

    /// The names' own index and the tags in name order (see the type's comment); nothing if they
    /// exist already.
    static func createOrderStructures(on sql: any SQLDatabase) async throws {
        if isPostgres(sql) {
            try await sql.raw("ALTER TABLE people_search ADD COLUMN IF NOT EXISTS name_document TSVECTOR NOT NULL DEFAULT ''::tsvector").run()
            try await sql.raw("CREATE INDEX IF NOT EXISTS idx_people_search_name_document ON people_search USING GIN (name_document)").run()
        } else {
            try await sql.raw("CREATE VIRTUAL TABLE IF NOT EXISTS people_search_names USING fts5(name, tokenize = 'ascii')").run()
        }
        let withoutRowID = isPostgres(sql) ? "" : " WITHOUT ROWID"
        try await sql.raw("""
            CREATE TABLE IF NOT EXISTS people_search_tags (key TEXT NOT NULL, sort_name TEXT NOT NULL, person_id UUID NOT NULL, kind TEXT NOT NULL,
                PRIMARY KEY (key, sort_name, person_id, kind))\(unsafeRaw: withoutRowID)
            """).run()
        try await createTagsByPersonIndex(on: sql)
    }

    /// SQLite's index as `create` makes it now (documents stored as their words, the `ascii`
    /// tokenizer), from one made before (folded text, the `unicode61` tokenizer): a thousand
    /// documents at a time, rewritten as their words. Nothing to do on PostgreSQL.
    static func storeDocumentsAsWords(on sql: any SQLDatabase) async throws {
        guard !isPostgres(sql) else { return }
        try await sql.raw("ALTER TABLE people_search RENAME TO people_search_before").run()
        try await sql.raw("CREATE VIRTUAL TABLE people_search USING fts5(name, expertise, development, other, tokenize = 'ascii')").run()
        var last = Int.min
        while true {
            let rows = try await sql.raw("""
                SELECT rowid, name, expertise, development, other FROM people_search_before WHERE rowid > \(bind: last) ORDER BY rowid LIMIT 1000
                """).all()
            guard !rows.isEmpty else { break }
            let insert = sql.insert(into: "people_search").columns("rowid", "name", "expertise", "development", "other")
            for row in rows {
                last = try row.decode(column: "rowid", as: Int.self)
                var values: [any SQLExpression] = [SQLBind(last)]
                for column in ["name", "expertise", "development", "other"] { values.append(SQLBind(indexed(try row.decode(column: column, as: String.self)))) }
                insert.values(values)
            }
            try await insert.run()
        }
        try await sql.raw("DROP TABLE people_search_before").run()
        // Databases made by an early version of M0005 declared person_id as TEXT, whose affinity
        // differs from users.id's: comparing the two could not use the index, and checking one
        // person's document read every row. Declared as users.id is, with the same values.
        try await sql.raw("CREATE TABLE people_search_ids_new (rowid INTEGER PRIMARY KEY, person_id UUID NOT NULL)").run()
        try await sql.raw("INSERT INTO people_search_ids_new (rowid, person_id) SELECT rowid, person_id FROM people_search_ids").run()
        try await sql.raw("DROP TABLE people_search_ids").run()
        try await sql.raw("ALTER TABLE people_search_ids_new RENAME TO people_search_ids").run()
        try await sql.raw("CREATE UNIQUE INDEX idx_people_search_person ON people_search_ids (person_id)").run()
    }

    /// Fills the order structures from what is stored, in a few set-based statements.
    static func fillOrderStructures(on sql: any SQLDatabase) async throws {
        try await sql.raw("DELETE FROM people_search_tags").run()
        try await sql.raw("""
            INSERT INTO people_search_tags (key, sort_name, person_id, kind)
            SELECT DISTINCT pt.key, u.search_name, pt.profile_id, pt.kind FROM profile_tags pt JOIN users u ON u.id = pt.profile_id WHERE pt.key <> ''
            """).run()
        if isPostgres(sql) {
            try await sql.raw("UPDATE people_search SET name_document = ts_filter(document, '{a}')").run()
            try await cleanPendingEntries(on: sql)
        } else {
            try await sql.raw("DELETE FROM people_search_names").run()
            try await sql.raw("INSERT INTO people_search_names (rowid, name) SELECT rowid, name FROM people_search").run()
        }
    }

    /// PostgreSQL keeps entries written to a GIN index in a pending list that every search reads
    /// through until a vacuum merges it; after tens of thousands of writes at once (an import), a
    /// search of the names took 3 ms instead of 0.1. Merged at once instead.
    static func cleanPendingEntries(on sql: any SQLDatabase) async throws {
        guard isPostgres(sql) else { return }
        for index in ["idx_people_search_document", "idx_people_search_name_document"] {
            try await sql.raw("SELECT gin_clean_pending_list(\(bind: index)::regclass)").run()
        }
    }

    static func dropOrderStructures(on sql: any SQLDatabase) async throws {
        try await sql.raw("DROP TABLE IF EXISTS people_search_tags").run()
        if isPostgres(sql) {
            try await sql.raw("DROP INDEX IF EXISTS idx_people_search_name_document").run()
            try await sql.raw("ALTER TABLE people_search DROP COLUMN IF EXISTS name_document").run()
        } else {
            try await sql.raw("DROP TABLE IF EXISTS people_search_names").run()
        }
    }

    static func drop(on sql: any SQLDatabase) async throws {
        try await dropOrderStructures(on: sql)
        try await sql.raw("DROP TABLE people_search").run()
        if !isPostgres(sql) { try await sql.raw("DROP TABLE people_search_ids").run() }
    }

    // MARK: Writing

    /// Stores one person's document (call inside the transaction that changed them).
    static func update(_ personID: UUID, _ document: Document, on sql: any SQLDatabase) async throws {
        if isPostgres(sql) {
            try await sql.raw("""
                INSERT INTO people_search (person_id, document, name_document) VALUES (\(bind: personID), \(vector(document)), to_tsvector('simple', \(bind: document.name)))
                ON CONFLICT (person_id) DO UPDATE SET document = excluded.document, name_document = excluded.name_document
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
            try await sql.raw("DELETE FROM people_search_names WHERE rowid = \(bind: rowid)").run()
            try await sql.raw("INSERT INTO people_search_names (rowid, name) VALUES (\(bind: rowid), \(bind: document.name))").run()
        }
        try await sql.raw("DELETE FROM people_search_tags WHERE person_id = \(bind: personID)").run()
        // 4 parameters a row: 30 tags of each of five kinds stays far below either database's limit.
        let (tagKeys, sortName) = (document.tagKeys, document.sortName)
        if !tagKeys.isEmpty {
            let insert = sql.insert(into: "people_search_tags").columns("key", "sort_name", "person_id", "kind")
            for tag in tagKeys { insert.values(SQLBind(tag.key), SQLBind(sortName), SQLBind(personID), SQLBind(tag.kind.rawValue)) }
            try await insert.run()
        }
    }

    static func vector(_ document: Document) -> SQLQueryString {
        """
        setweight(to_tsvector('simple', \(bind: document.name)), 'A') || setweight(to_tsvector('simple', \(bind: document.expertise)), 'B') \
        || setweight(to_tsvector('simple', \(bind: document.development)), 'C') || setweight(to_tsvector('simple', \(bind: document.other)), 'D')
        """
    }

    /// The documents of everyone staged by an import (`import_people`'s `doc_` columns) whose name
    /// or tags change (not `keeps_tags`), in a few set-based statements.
    /// `remakesIndex`: whether the import is large enough to make the index by person again rather
    /// than keep it up row by row (`PeopleImport.Scale.isLarge`); SQLite only, as on PostgreSQL
    /// dropping an index would make readers wait for the import's commit.
    static func updateStaged(jobID: UUID, remakesIndex: Bool, on sql: any SQLDatabase) async throws {
        // The staged people whose documents and tag rows are written again.
        let rewritten: SQLQueryString = "ip.job_id = \(bind: jobID) AND ip.keeps_tags = \(bind: false)"
        if isPostgres(sql) {
            try await sql.raw("""
                INSERT INTO people_search (person_id, document, name_document)
                SELECT ip.user_id, setweight(to_tsvector('simple', ip.doc_name), 'A') || setweight(to_tsvector('simple', ip.doc_expertise), 'B')
                    || setweight(to_tsvector('simple', ip.doc_development), 'C') || setweight(to_tsvector('simple', ip.doc_other), 'D'),
                    to_tsvector('simple', ip.doc_name)
                FROM import_people ip WHERE \(rewritten)
                ON CONFLICT (person_id) DO UPDATE SET document = excluded.document, name_document = excluded.name_document
                """).run()
            try await cleanPendingEntries(on: sql)
        } else {
            try await sql.raw("""
                INSERT INTO people_search_ids (person_id) SELECT ip.user_id FROM import_people ip WHERE \(rewritten)
                ON CONFLICT (person_id) DO NOTHING
                """).run()
            // Driven from the staged rows, each looked up through the person_id index, named so that
            // stale statistics cannot talk the planner into a scan per row (the column is declared
            // UUID like users.id: with another type the affinities differ and the index is unusable).
            let entries: SQLQueryString = "FROM import_people ip CROSS JOIN people_search_ids s INDEXED BY idx_people_search_person ON s.person_id = ip.user_id WHERE \(rewritten)"
            try await sql.raw("""
                DELETE FROM people_search WHERE rowid IN
                    (SELECT s.rowid \(entries))
                """).run()
            try await sql.raw("""
                INSERT INTO people_search (rowid, name, expertise, development, other)
                SELECT s.rowid, ip.doc_name, ip.doc_expertise, ip.doc_development, ip.doc_other
                \(entries)
                """).run()
            try await sql.raw("""
                DELETE FROM people_search_names WHERE rowid IN
                    (SELECT s.rowid \(entries))
                """).run()
            try await sql.raw("""
                INSERT INTO people_search_names (rowid, name)
                SELECT s.rowid, ip.doc_name
                \(entries)
                """).run()
        }
        // On SQLite, when the file holds a good part of the organisation, the index by person is
        // dropped before their old rows go and made again after the new ones are in, rather than
        // kept up row by row: 1.4 million rows in the order of the table's key are in the order
        // of no other index, and inserting each into that one cost 10 s of an import of 100,000
        // people (pages read back from the log at random); deleting them along it, 13 s, against
        // 3 s for one pass over the table. Readers keep reading the index as it was until the
        // import commits.
        let rebuildIndex = remakesIndex && !isPostgres(sql)
        if rebuildIndex { try await sql.raw("DROP INDEX IF EXISTS \(ident: tagsByPersonIndex)").run() }
        // The tags of everyone in the file whose name or tags change replace theirs, beside the
        // name they sort by. On PostgreSQL rows that stand as staged (same key, kind and name)
        // stay, as with `profile_tags` (`PeopleImport.applyStaged` says why SQLite writes all).
        let staged: SQLQueryString = "FROM import_tags it JOIN import_people ip ON ip.job_id = it.job_id AND ip.user_id = it.profile_id WHERE it.job_id = \(bind: jobID)"
        let keepsStanding = isPostgres(sql)
        let standing: SQLQueryString = keepsStanding ? """
             AND NOT EXISTS (SELECT 1 \(staged) AND it.profile_id = people_search_tags.person_id AND it.key = people_search_tags.key
                AND it.kind = people_search_tags.kind AND ip.search_name = people_search_tags.sort_name)
            """ : ""
        try await sql.raw("""
            DELETE FROM people_search_tags WHERE person_id IN (SELECT ip.user_id FROM import_people ip WHERE \(rewritten))\(standing)
            """).run()
        // A plain NOT EXISTS, which PostgreSQL runs as one hash anti-join: with `is_new OR` before
        // it, it looked each staged tag up in the table's key instead (1.7 million lookups, 8 s
        // against 3). New people have no rows there, so the check finds nothing of theirs.
        let missing: SQLQueryString = keepsStanding ? """
             AND NOT EXISTS (SELECT 1 FROM people_search_tags st
                WHERE st.key = it.key AND st.sort_name = ip.search_name AND st.person_id = it.profile_id AND st.kind = it.kind)
            """ : ""
        // In the order of the table's key, so that its pages fill in turn. Without DISTINCT (on
        // SQLite it was a second sort of every row: 6.0 -> 2.3 s for 2 million tags): a staged
        // list holds each key once (`TagTexts.normalize` drops a key seen before by Swift's
        // equality, which takes for one every pair the databases' byte comparison does, and
        // canonically equivalent spellings besides), and a job stages one
        // row a person (the plan refuses an email twice, and an email is one account).
        try await sql.raw("""
            INSERT INTO people_search_tags (key, sort_name, person_id, kind)
            SELECT it.key, ip.search_name, it.profile_id, it.kind \(staged) AND it.key <> ''\(missing)
            ORDER BY it.key, ip.search_name, it.profile_id, it.kind
            """).run()
        if rebuildIndex { try await createTagsByPersonIndex(on: sql) }
    }

    /// `people_search_tags` by person (M0027): how a person's rows are found to be replaced. (Whether
    /// a person holds a tag that is exactly the search is read from `profile_tags`' own index by
    /// person, kind and key, which holds the same keys.) It was by person, key and kind
    /// (M0011), which repeated that index and cost PostgreSQL 3.8 s of each import of 1.4 million
    /// tags, against 2.3 s by person alone.
    static let tagsByPersonIndex = "idx_people_search_tags_person"

    static func createTagsByPersonIndex(on sql: any SQLDatabase) async throws {
        try await sql.raw("CREATE INDEX IF NOT EXISTS \(ident: tagsByPersonIndex) ON people_search_tags (person_id)").run()
    }

    /// Every person's document again, read in Swift (the migration, the demo).
    static func rebuild(on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("DELETE FROM people_search").run()
        try await sql.raw("DELETE FROM people_search_tags").run()
        if !isPostgres(sql) {
            try await sql.raw("DELETE FROM people_search_ids").run()
            try await sql.raw("DELETE FROM people_search_names").run()
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

    /// A condition on `users.id`: this person's stored document has every word of `query` (in
    /// `scope`), checked on their document alone rather than through the index, for reading people
    /// in name order and keeping those who match. Nil when `query` has no words.
    static func documentMatches(_ query: String, scope: Scope, on sql: any SQLDatabase) -> SQLQueryString? {
        let words = words(query)
        guard !words.isEmpty else { return nil }
        if isPostgres(sql) {
            let expression = words.map { "\($0):*\(weights(scope))" }.joined(separator: " & ")
            // A value read for each person, not a condition the planner may turn into a join: as a
            // join, a plan made once for every search (a prepared statement's) read every match of
            // a common word through the index (14 ms instead of 0.2).
            return "(SELECT ps.document FROM people_search ps WHERE ps.person_id = users.id) @@ to_tsquery('simple', \(bind: expression))"
        }
        // The words are letters and digits only, so they hold no LIKE wildcard.
        let columns = switch scope {
        case .everything: "' ' || ps.name || ' ' || ps.expertise || ' ' || ps.development || ' ' || ps.other"
        case .nameAndExpertise: "' ' || ps.name || ' ' || ps.expertise"
        case .nameAndDevelopment: "' ' || ps.name || ' ' || ps.development"
        case .name: "' ' || ps.name"
        }
        let conditions = words.map { word -> SQLQueryString in "(\(unsafeRaw: columns)) LIKE \(bind: "% " + word + "%")" }.joined(separator: " AND ")
        return """
            EXISTS (SELECT 1 FROM people_search_ids s CROSS JOIN people_search ps WHERE s.person_id = users.id AND ps.rowid = s.rowid AND \(conditions))
            """
    }

    /// SQLite's full-text query for every word at the start of a word in the scope's columns.
    static func ftsExpression(_ words: [String], scope: Scope) -> String {
        let columns = switch scope {
        case .everything: "{name expertise development other}"
        case .nameAndExpertise: "{name expertise}"
        case .nameAndDevelopment: "{name development}"
        case .name: "{name}"
        }
        // The column filter in front of the brackets holds for every word (without them, only for the first).
        return columns + " : (" + words.map { "\"\($0)\"*" }.joined(separator: " AND ") + ")"
    }

    /// PostgreSQL's weights for the parts of a document a scope looks at (`""` for all).
    static func weights(_ scope: Scope) -> String {
        switch scope {
        case .everything: ""
        case .nameAndExpertise: "AB"
        case .nameAndDevelopment: "AC"
        case .name: "A"
        }
    }

    /// A query for `person_id`: people whose name or tags (in `scope`) have every word of `query`
    /// at the start of one of their words, at most `limit` of them in no particular order (the
    /// name alone from the names' own index). SQLite's stops at the limit instead of listing every
    /// match first; PostgreSQL's index still finds every match before the first is read.
    static func matchingIDs(_ query: String, scope: Scope, upTo limit: Int, on sql: any SQLDatabase) -> SQLQueryString {
        let words = words(query)
        if isPostgres(sql) {
            let expression = words.map { "\($0):*\(scope == .name ? "" : weights(scope))" }.joined(separator: " & ")
            let column = scope == .name ? "name_document" : "document"
            return "SELECT ps.person_id FROM people_search ps WHERE ps.\(unsafeRaw: column) @@ to_tsquery('simple', \(bind: expression)) LIMIT \(literal: limit)"
        }
        let (table, expression) = scope == .name
            ? ("people_search_names", words.map { "\"\($0)\"*" }.joined(separator: " AND "))
            : ("people_search", ftsExpression(words, scope: scope))
        return """
            SELECT s.person_id FROM (SELECT rowid FROM \(unsafeRaw: table) WHERE \(unsafeRaw: table) MATCH \(bind: expression) LIMIT \(literal: limit)) n
            CROSS JOIN people_search_ids s WHERE s.rowid = n.rowid
            """
    }

    /// A query for the ids of the people whose name or tags (in `scope`) have every word of
    /// `query` at the start of one of their words; nil when `query` has no words. The name alone
    /// is looked up in the names' own index.
    static func matchingIDs(_ query: String, scope: Scope, on sql: any SQLDatabase) -> SQLQueryString? {
        let words = words(query)
        guard !words.isEmpty else { return nil }
        if scope == .name {
            if isPostgres(sql) {
                let expression = words.map { "\($0):*" }.joined(separator: " & ")
                return "SELECT ps.person_id FROM people_search ps WHERE ps.name_document @@ to_tsquery('simple', \(bind: expression))"
            }
            let expression = words.map { "\"\($0)\"*" }.joined(separator: " AND ")
            return """
                SELECT s.person_id FROM people_search_ids s WHERE s.rowid IN (SELECT rowid FROM people_search_names WHERE people_search_names MATCH \(bind: expression))
                """
        }
        if isPostgres(sql) {
            let expression = words.map { "\($0):*\(weights(scope))" }.joined(separator: " & ")
            return "SELECT ps.person_id FROM people_search ps WHERE ps.document @@ to_tsquery('simple', \(bind: expression))"
        }
        let expression = ftsExpression(words, scope: scope)
        return """
            SELECT s.person_id FROM people_search_ids s WHERE s.rowid IN (SELECT rowid FROM people_search WHERE people_search MATCH \(bind: expression))
            """
    }
}
