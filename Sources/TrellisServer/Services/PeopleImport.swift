import Fluent
import FluentPostgresDriver
import PostgresNIO
import FluentSQLiteDriver
import FluentSQL
import Foundation
import TrellisCore
import Vapor

/// Writes a checked people import without holding up everyone else, and all or nothing.
///
/// A large import used to be one long transaction of row-by-row writes: on SQLite, which has one
/// writer at a time, every other request that writes (even a sign-in, which stores a session)
/// waited for minutes. Now:
/// 1. the rows to write are **staged** into `import_people` and `import_tags` in batches of
///    `batchSize`, each in its own short transaction, so other writers take turns in between;
/// 2. one short transaction **applies** the staged rows with a handful of set-based statements
///    (`INSERT … SELECT`, `UPDATE … FROM`) — the database does the work, with no round trip per
///    row — and deletes them. If it fails, nothing of the import is written.
enum PeopleImport {
    static let batchSize = 1_000

    /// Called after each staged batch with (rows staged, rows to stage).
    typealias Progress = @Sendable (Int, Int) async throws -> Void

    /// Counts of what an import did.
    struct Outcome: Sendable, Equatable {
        var created: Int
        var updated: Int
        var unchanged: Int

        var summary: String { "\(created) created, \(updated) updated, \(unchanged) unchanged" }
    }

    /// Someone the plan would create was added by someone else after the preview.
    static let addedMeanwhile = ValidationErrors(
        field: "file", "Someone in the file was added to Trellis by someone else while the import ran. Nothing was imported; preview the file again.")

    static let leaseLost = ValidationErrors(
        field: "file", "Another import took this import's staged rows for those of one that had stopped (an import unheard from for five minutes), and deleted them. Nothing was imported; run it again.")

    /// Applies a valid plan (see `PeopleCSV.plan`).
    ///
    /// `committing` runs last inside the transaction that writes the people (a job marks itself
    /// done there, so that it is done exactly when the people are written).
    @discardableResult
    static func apply(
        _ plan: PeopleCSV.Plan, jobID: UUID = UUID(), by actorID: UUID?, on db: any Database, progress: Progress? = nil,
        everyCore: Bool = false, leaseRenewal: Duration = Lease.renewal, committing: (@Sendable (any Database, Outcome) async throws -> Void)? = nil
    ) async throws -> Outcome {
        precondition(plan.isValid)
        guard db is any SQLDatabase else { throw Abort(.internalServerError, reason: "Imports need an SQL database.") }
        let rows = zip(plan.records, plan.changes).filter { $0.1 != .unchanged }.map(\.0)
        let outcome = Outcome(created: plan.count(.create), updated: plan.count(.update), unchanged: plan.count(.unchanged))

        // Who already exists (by email), in chunks that stay under every database's parameter
        // limit, as plain rows (Fluent's models took 3.5 s for 100,000 people).
        var laps = Laps(logger: db.logger)
        var existing: [String: UUID] = [:]
        for chunk in rows.map(\.email).chunked(into: 500) {
            for row in try await PlainRows.all("SELECT id, email FROM users WHERE email IN (\(binds: Array(chunk) as [any Encodable & Sendable]))", on: db) {
                existing[try row.string("email")] = try row.uuid("id")
            }
        }

        laps.lap("finding who exists")
        // Someone the preview found new who has an account with a profile now was added by
        // someone else since: refused as when that happens while the import runs (it once updated
        // them instead, and counted them as created). The preview reads only accounts with a
        // profile, so an account without one (older data) is still taken over and given one.
        let meanwhile = zip(plan.records, plan.changes).filter { $0.1 == .create && existing[$0.0.email] != nil }.map(\.0.email)
        for chunk in meanwhile.chunked(into: 500) {
            let withProfile = try await PlainRows.all(
                "SELECT u.id FROM users u JOIN profiles p ON p.id = u.id WHERE u.email IN (\(binds: Array(chunk) as [any Encodable & Sendable]))", on: db)
            if !withProfile.isEmpty { throw addedMeanwhile }
        }
        let known = existing
        let large = rows.count >= vacuumAfterRows
        let texts = SearchIndex.TagTexts()
        // The import's lease on its staged rows, renewed while it runs (and so while its final
        // transaction runs, on PostgreSQL); `discardStaged` gives it up with the rows.
        try await Lease.take(jobID, on: db)
        let renewing = Task.detached { await Lease.renew(jobID, every: leaseRenewal, on: db) }
        // Awaited, not only cancelled: a renewal waiting behind the final transaction runs after
        // it, and must not outlive the import (or the database it writes to).
        func stopRenewing() async { renewing.cancel(); await renewing.value }
        var ordering: Task<NewTags.SearchTags, Never>?
        do {
            // Each batch is worked out on a thread of its own while the one before it is written
            // (the database works on another): the two took 8 and 10 s of an import of 100,000
            // people one after the other. Worked out means up to the statements (SQLite) or the
            // `COPY` text (PostgreSQL) that write it: made beside the writing of the batch before,
            // they took 1.5-2 s less of SQLite's staging of 2 million tags. One batch is worked
            // out at a time, so `texts` is only ever used by one task.
            let batches = rows.chunked(into: batchSize)
            let keepsTags = plan.keepsTags
            let target = try BulkRows.Target(db as! any SQLDatabase)
            // On PostgreSQL new people's tags are written in the final transaction (`NewTags`).
            let laterNewTags = target == .postgresCopy
            var newTags = NewTags()
            var staged = 0
            var writing = Duration.zero
            let waited = try await pipelined(batches.count, make: { index in
                staging(batches[index], existing: known, keepingTags: keepsTags, texts: texts, jobID: jobID, for: target, newTagsLater: laterNewTags)
            }, write: { index, prepared in
                let t1 = ContinuousClock.now
                try await DatabaseWrites.transaction(on: db) { tx in
                    // Only under the import's lease: rows staged after a sweep took it would
                    // belong to nobody. Held (PostgreSQL; SQLite has one writer) until the batch
                    // commits, so that a sweep deletes the lease after the batch, and its rows.
                    try await Lease.hold(jobID, on: tx as! any SQLDatabase)
                    try await write(prepared, on: tx as! any SQLDatabase)
                }
                newTags.append(contentsOf: prepared.newTags)
                writing += ContinuousClock.now - t1
                staged += batches[index].count
                try await progress?(staged, rows.count)
            })
            laps.lap("staging (waiting for Swift \(waited), writing \(writing))")
            await analyzeStaged(on: db)
            laps.lap("statistics of the staged rows")
            // New people's search tags: the strings put in order by the database (before the
            // transaction, which must not wait for a second connection), then the rows on a thread
            // of their own while the transaction writes the people and their tags.
            let newPeopleTags = newTags
            let ranks = newPeopleTags.isEmpty ? [] : try await newPeopleTags.ranks(on: db as! any SQLDatabase)
            let ordered = newPeopleTags.isEmpty ? nil : Task(executorPreference: LongWork.shared) { newPeopleTags.searchTags(ranks: ranks) }
            ordering = ordered
            laps.lap("ranking new people's tags and names")
            try await DatabaseWrites.transaction(on: db) { tx in
                var inner = Laps(logger: tx.logger)
                // The import is reported done only once it is on disk, whatever the server's
                // setting; and a vacuum can mark its rows visible only after that (`vacuumWritten`).
                if large, let sql = tx as? any SQLDatabase, SearchIndex.isPostgres(sql) {
                    try await sql.raw("SET LOCAL synchronous_commit TO on").run()
                }
                let bulk = large && DatabaseWrites.isSQLite(tx) ? tx as? any SQLDatabase : nil
                do {
                    if let bulk {
                        try await DatabaseWrites.beginLargeTransaction(
                            holdingKiB: importCacheKiB, sortHelpers: everyCore ? DatabaseWrites.everyCoreSortHelpers : 0, on: bulk)
                    }
                    try await applyStaged(jobID: jobID, newTags: ordered.map { (newPeopleTags, $0) }, on: tx)
                    try await PeopleStore.audit("people.import", outcome.summary, actorID: actorID, on: tx)
                    try await committing?(tx, outcome)
                } catch {
                    if let bulk { try? await DatabaseWrites.endLargeTransaction(on: bulk) }
                    throw error
                }
                // Back to a writer's settings before the commit: the pages the commit makes clean
                // are then let go instead of staying cached on a connection that may not write
                // again for long.
                if let bulk { try await DatabaseWrites.endLargeTransaction(on: bulk) }
                inner.lap("applying, up to the commit")
            }
        } catch {
            _ = await ordering?.value
            await stopRenewing()
            try? await discardStaged(jobID: jobID, on: db)
            if DatabaseWrites.isUniqueViolation(error) { throw addedMeanwhile }
            throw error
        }
        await stopRenewing()
        laps.lap("the final transaction")
        if large { await vacuumWritten(on: db) }
        // The people the import added to one stretch of the name order (everyone, into an empty
        // Trellis) cut into stretches for far pages (`NameMarks`; a page cuts the stretch when it
        // finds it, should this fail).
        await afterCommit("Cutting the name marks", on: db) { _ in try await NameMarks.cutLong(on: db) }
        await analyzeWritten(on: db)
        laps.lap("after the commit")
        return outcome
    }

    /// Work after an import has committed: the import has succeeded by then, so a failure is
    /// logged (as `what` … failed) rather than reported as the import's.
    static func afterCommit(_ what: String, on db: any Database, postgresOnly: Bool = false, _ work: (any SQLDatabase) async throws -> Void) async {
        guard let sql = db as? any SQLDatabase, !postgresOnly || SearchIndex.isPostgres(sql) else { return }
        do {
            try await work(sql)
        } catch {
            db.logger.warning("\(what) after an import failed (the import itself succeeded): \(String(reflecting: error))")
        }
    }

    /// How much a large import's final transaction on SQLite may hold of the pages it changes
    /// before writing them to the log (`DatabaseWrites.beginLargeTransaction`), in KiB: 1 GB, or
    /// a quarter of the memory the process may use if that is less, and never less than a
    /// writer's 64 MB (allocated as used, and let go at the commit). Once a transaction's changed
    /// pages outgrow what it may hold, SQLite writes them to the log and reads them back from
    /// there, looking each one up in the log's index, which grows with the transaction (`perf`:
    /// `walFindFrame`). With 64 MB that was a third of the transaction of 100,000 people with 2
    /// million tags (36 -> 23-26 s with 1 GB, which held about 1 GB more memory until the commit).
    static let importCacheKiB = max(DatabaseWrites.cacheKiB, Int(min(1 << 30, usableMemory / 4) / 1024))

    /// The machine's memory, or the process's limit if it runs in a container that sets a lower
    /// one (cgroup v2 `memory.max`, or v1 `memory.limit_in_bytes`).
    static var usableMemory: UInt64 {
        let limits = ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"].compactMap { path in
            (try? String(contentsOfFile: path, encoding: .utf8)).flatMap { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        return ([ProcessInfo.processInfo.physicalMemory] + limits).filter { $0 > 0 }.min() ?? 0
    }

    /// How many written rows make an import vacuum what it wrote (PostgreSQL).
    static let vacuumAfterRows = 1_000

    /// On PostgreSQL, rows an import wrote are not known to be visible to every reader until a
    /// vacuum marks their pages as such (the visibility map), so until autovacuum came round (a
    /// minute or more later) every read along an index also read the table: a directory page typed
    /// far into the list took 8.8 ms instead of 2.6 at 50,000 people, and searches' walks did
    /// the same. Vacuumed at once instead, outside the import's transaction (VACUUM cannot run in
    /// one); it blocks neither reads nor writes. (A vacuum cannot mark rows whose
    /// commit is not yet flushed to disk, as with `synchronous_commit = off`: the import's
    /// transaction commits synchronously.)
    static func vacuumWritten(on db: any Database) async {
        await afterCommit("Vacuum", on: db, postgresOnly: true) { sql in
            try await sql.raw("VACUUM users, profiles, profile_tags, people_search, people_search_tags, import_people, import_tags").run()
        }
    }

    /// Fresh statistics of the staged rows on PostgreSQL, before they are applied. The statistics
    /// of the staging tables are otherwise those of whatever was staged when autovacuum last
    /// looked: another job's id as the only value of `job_id`, so the planner took this job's rows
    /// for one or none and joined the staged tags to the stored ones by scanning all of them for
    /// each stored tag (a re-import of 100,000 people spent more than ten minutes in its first
    /// `DELETE`). A sample of at most 30,000 rows a table: a fraction of a second. Statistics
    /// only help: if taking them fails (a timeout, waiting behind a vacuum), the import goes on.
    static func analyzeStaged(on db: any Database) async {
        guard let sql = db as? any SQLDatabase, SearchIndex.isPostgres(sql) else { return }
        do {
            try await sql.raw("ANALYZE import_people, import_tags").run()
        } catch {
            db.logger.warning("Taking statistics of the staged import failed (the import goes on): \(String(reflecting: error))")
        }
    }

    /// Fresh statistics on PostgreSQL after every import, of the tables it changed, so that the
    /// query planner knows, say, that a department is a small part of the organisation. Taken
    /// after the commit (and the vacuum and name marks): inside the import's transaction, ANALYZE
    /// read past every row the import had deleted (3.6 s of an import of 100,000 people). SQLite
    /// takes them inside (`applyStaged`).
    static func analyzeWritten(on db: any Database) async {
        await afterCommit("Taking statistics", on: db, postgresOnly: true) { sql in
            try await sql.raw("ANALYZE users, profiles, profile_tags, people_search, people_search_tags, directory_facets, tag_counts, tag_holders, name_marks").run()
        }
    }

    static let stagedPeopleColumns = [
        "job_id", "user_id", "is_new", "email", "name", "search_name", "role", "department", "manager_email",
        "timezone", "capacity", "meeting_frequency", "years_experience",
        "doc_name", "doc_expertise", "doc_development", "doc_other", "keeps_tags",
    ]
    static let stagedTagColumns = ["job_id"] + tagColumns
    /// The columns of `profile_tags` that `appendTagRows` writes.
    static let tagColumns = ["id", "profile_id", "kind", "name", "key", "position"]

    /// The rows that stage a batch, ready to write, and the new people whose tags are written
    /// later (`NewTags`).
    struct Staged: Sendable {
        var people: BulkRows.Prepared
        var tags: BulkRows.Prepared
        var newTags = NewTags()
    }

    /// Works out the staged rows of a batch: each person, and the tags of those not in
    /// `keepingTags` (emails of people whose name and tags stay as they are,
    /// `PeopleCSV.Plan.keepsTags`), as `target` is written; `texts` is the import's own, shared
    /// by its batches. With `newTagsLater`, new people's tags are not staged but handed back
    /// (`Staged.newTags`) to be written in the final transaction. Outside any transaction: on
    /// SQLite, other writers need not wait while Swift cleans and folds text.
    static func staging(
        _ batch: ArraySlice<PersonRecord>, existing: [String: UUID], keepingTags: Set<String>, texts: SearchIndex.TagTexts, jobID: UUID,
        for target: BulkRows.Target, newTagsLater: Bool = false
    ) -> Staged {
        var people: [BulkValue] = []
        var tags: [BulkValue] = []
        var newTags = NewTags()
        people.reserveCapacity(batch.count * stagedPeopleColumns.count)
        // Ids go as their text (as `BulkValue.id` would write them), each made once.
        let job = BulkValue.text(jobID.uuidString)
        let now = Date()
        var bits = OrderedUUID.Bits()
        for record in batch {
            let id = existing[record.email] ?? OrderedUUID.make(now: now, random: bits.next())
            let person = BulkValue.text(id.uuidString)
            let keepsTags = existing[record.email] != nil && keepingTags.contains(record.email)
            var lists: [TagKind: [SearchIndex.TagText]] = [:]
            // Whose tags stay need no search document (the import leaves theirs alone).
            if !keepsTags { for kind in TagKind.allCases { lists[kind] = texts.normalize(record.tags(kind)) } }
            let document = keepsTags ? nil : SearchIndex.Document(name: record.name, texts: lists)
            let searchName = User.searchName(record.name)
            people += [
                job, person, .flag(existing[record.email] == nil), .text(record.email), .text(record.name),
                .text(searchName), .text(record.role?.rawValue), .text(record.department),
                .text(record.managerEmail), .text(record.timezone), .number(record.capacity),
                .text(record.meetingFrequency?.rawValue), .number(record.yearsExperience),
                .text(document?.name ?? ""), .text(document?.expertise ?? ""), .text(document?.development ?? ""), .text(document?.other ?? ""),
                .flag(keepsTags),
            ]
            if newTagsLater && existing[record.email] == nil {
                newTags.add(id: id, searchName: searchName, lists: lists)
            } else {
                appendTagRows(lists, of: person, job: job, now: now, bits: &bits, to: &tags)
            }
        }
        return Staged(
            people: BulkRows.prepare(people, into: "import_people", columns: stagedPeopleColumns, for: target),
            tags: BulkRows.prepare(tags, into: "import_tags", columns: stagedTagColumns, for: target),
            newTags: newTags)
    }

    /// A person's tags as rows of `tagColumns` (after `job`, when staged), each with a new id, in
    /// the order of the kinds and of each list (its `position`).
    static func appendTagRows(
        _ lists: [TagKind: [SearchIndex.TagText]], of person: BulkValue, job: BulkValue?, now: Date, bits: inout OrderedUUID.Bits,
        to values: inout [BulkValue]
    ) {
        for kind in TagKind.allCases {
            let kindText = BulkValue.text(kind.rawValue)
            for (position, tag) in (lists[kind] ?? []).enumerated() {
                appendTagRow(of: person, kind: kindText, name: tag.name, key: tag.key, position: position, job: job, now: now, bits: &bits, to: &values)
            }
        }
    }

    /// One tag as a row of `tagColumns` (after `job`, when staged), with a new id: staged, or
    /// written straight into `profile_tags` (`NewTags`).
    static func appendTagRow(
        of person: BulkValue, kind: BulkValue, name: String, key: String, position: Int, job: BulkValue?, now: Date,
        bits: inout OrderedUUID.Bits, to values: inout [BulkValue]
    ) {
        // One value at a time: an array literal a tag was an allocation a tag.
        if let job { values.append(job) }
        values.append(.id(OrderedUUID.make(now: now, random: bits.next())))
        values.append(person)
        values.append(kind)
        values.append(.text(name))
        values.append(.text(key))
        values.append(.number(position))
    }

    /// Writes a batch's staged rows (`BulkRows`: `COPY` on PostgreSQL, many rows a statement on
    /// SQLite, without SQLKit's encoder; staging 100,000 people took 15 s through bound inserts).
    static func write(_ staged: Staged, on sql: any SQLDatabase) async throws {
        try await BulkRows.write(staged.people, on: sql)
        try await BulkRows.write(staged.tags, on: sql)
    }

    /// The whole import in one transaction, as set-based statements over the staged rows, and
    /// new people's tags from `newTags` (PostgreSQL, `NewTags`).
    static func applyStaged(
        jobID: UUID, newTags: (tags: NewTags, search: Task<NewTags.SearchTags, Never>)? = nil, on tx: any Database
    ) async throws {
        var laps = Laps(logger: tx.logger)
        let sql = tx as! any SQLDatabase

        // First the lease: an import whose lease another took for lost (its rows may be gone)
        // writes nothing. Taken here, the lease row orders this transaction and a sweep.
        guard try await sql.raw("DELETE FROM import_leases WHERE job_id = \(bind: jobID) RETURNING job_id").first() != nil else {
            throw leaseLost
        }
        let now = Date()
        let job = SQLBind(jobID)
        let people = "FROM import_people ip WHERE ip.job_id = "
        if SearchIndex.isPostgres(sql) {
            // The people already here are held until the import commits, so that a profile write
            // of one of them (which holds them first, `PeopleStore.lockPerson`) reads them as the
            // import left them rather than adjusting the counts from tags the import replaces;
            // sign-ins still take them (KEY SHARE). The counts are held whole, as a profile write
            // would otherwise wait on rows of them in an order of its own (a deadlock).
            try await sql.raw("""
                SELECT u.id FROM users u WHERE u.id IN (SELECT ip.user_id \(unsafeRaw: people)\(job) AND ip.is_new = \(bind: false))
                ORDER BY u.id FOR NO KEY UPDATE
                """).run()
            try await sql.raw("LOCK TABLE directory_facets, tag_counts, tag_holders IN SHARE ROW EXCLUSIVE MODE").run()
        }
        // Whose holdings of tags change: tags rewritten, or a role other than the stored one.
        try await sql.raw("""
            UPDATE import_people SET recounts = \(bind: true)
            WHERE job_id = \(job) AND (keeps_tags = \(bind: false) OR NOT EXISTS (SELECT 1 FROM profiles p WHERE p.id = import_people.user_id
                AND (p.mentoring_role = import_people.role OR (p.mentoring_role IS NULL AND import_people.role IS NULL))))
            """).run()
        // The tag counts: what the people counted again hold is taken away now and added back at
        // the end, or, when they are a good part of the organisation, everything is counted again.
        let scale = try await Scale(jobID: jobID, on: sql)
        let countsEverything = scale.isLarge(scale.recounted)
        let spelled = countsEverything ? [] : try await DirectoryCounts.countStaged(jobID: jobID, sign: -1, on: sql)
        // New accounts (their profiles are written whole below).
        try await sql.raw("""
            INSERT INTO users (id, email, name, search_name, role, is_active, created_at, updated_at)
            SELECT ip.user_id, ip.email, ip.name, ip.search_name, \(bind: AccountRole.participant.rawValue), \(bind: true), \(bind: now), \(bind: now)
            \(unsafeRaw: people)\(job) AND ip.is_new = \(bind: true)
            """).run()
        // Names of people already here (not of those the preview found unchanged in name and tags,
        // whose search entries the import leaves alone: a rename saved meanwhile stands).
        try await sql.raw("""
            UPDATE users SET name = ip.name, search_name = ip.search_name, updated_at = \(bind: now)
            \(unsafeRaw: people)\(job) AND ip.is_new = \(bind: false) AND ip.keeps_tags = \(bind: false) AND users.id = ip.user_id AND users.name <> ip.name
            """).run()
        // What the file says about everyone in it, their manager included (everyone in the file has
        // an account by now): the profiles already here are updated (other profile text is kept),
        // then the missing ones are written whole. Each profile is written once: an empty profile
        // updated twice (its fields, then its manager) took 4.4 of the 47 s of 100,000 new people
        // on PostgreSQL, each update a new version of the row in every index.
        let manager: SQLQueryString = "(SELECT u.id FROM users u WHERE u.email = ip.manager_email)"
        try await sql.raw("""
            UPDATE profiles SET department = ip.department, timezone = ip.timezone, mentoring_role = ip.role,
                capacity_mentees = ip.capacity, meeting_frequency = ip.meeting_frequency,
                capacity_hours = CASE WHEN ip.role IN (\(binds: MentoringRole.mentoring.map(\.rawValue) as [any Encodable & Sendable])) THEN profiles.capacity_hours ELSE NULL END,
                years_experience = ip.years_experience, manager_id = \(manager), updated_at = \(bind: now)
            \(unsafeRaw: people)\(job) AND ip.is_new = \(bind: false) AND profiles.id = ip.user_id
            """).run()
        try await sql.raw("""
            INSERT INTO profiles (id, headline, bio, department, manager_id, years_experience, timezone, mentoring_role, capacity_mentees,
                meeting_frequency, communication_methods, career_goals, phone, location, contact_private, updated_at)
            SELECT ip.user_id, '', '', ip.department, \(manager), ip.years_experience, ip.timezone, ip.role, ip.capacity,
                ip.meeting_frequency, '', '', '', '', \(bind: false), \(bind: now)
            \(unsafeRaw: people)\(job) AND NOT EXISTS (SELECT 1 FROM profiles p WHERE p.id = ip.user_id)
            """).run()
        // Tags: those of everyone in the file whose tags change (only theirs are staged) become
        // the staged ones. On PostgreSQL, of people already here, a tag standing as staged (kind,
        // key, spelling and place) is left as it is: each row written there costs a foreign-key
        // check and three B-trees, and a file that renames everyone's interests wrote 2 million
        // rows where 400,000 changed (the rest is found by a hash join: 70 -> 54 s). On SQLite,
        // looking the staged tags up one by one cost more than writing them all again (52 -> 81 s).
        laps.lap("people and profiles")
        let rewrittenPeople: SQLQueryString = "SELECT ip.user_id \(unsafeRaw: people)\(job) AND ip.keeps_tags = \(bind: false)"
        if SearchIndex.isPostgres(sql) {
            try await sql.raw("""
                DELETE FROM profile_tags WHERE profile_id IN (\(rewrittenPeople) AND ip.is_new = \(bind: false))
                AND NOT EXISTS (SELECT 1 FROM import_tags it WHERE it.job_id = \(job) AND it.profile_id = profile_tags.profile_id
                    AND it.kind = profile_tags.kind AND it.key = profile_tags.key AND it.name = profile_tags.name AND it.position = profile_tags.position)
                """).run()
            try await sql.raw("""
                INSERT INTO profile_tags (id, profile_id, kind, name, key, position)
                SELECT it.id, it.profile_id, it.kind, it.name, it.key, it.position
                FROM import_tags it JOIN import_people ip ON ip.job_id = it.job_id AND ip.user_id = it.profile_id
                WHERE it.job_id = \(job) AND (ip.is_new = \(bind: true) OR NOT EXISTS (SELECT 1 FROM profile_tags pt
                    WHERE pt.profile_id = it.profile_id AND pt.kind = it.kind AND pt.key = it.key))
                """).run()
            try await newTags?.tags.writeTags(on: sql)
        } else {
            try await sql.raw("DELETE FROM profile_tags WHERE profile_id IN (\(rewrittenPeople))").run()
            try await sql.raw("""
                INSERT INTO profile_tags (id, profile_id, kind, name, key, position)
                SELECT it.id, it.profile_id, it.kind, it.name, it.key, it.position FROM import_tags it WHERE it.job_id = \(job)
                """).run()
        }
        laps.lap("tags")
        try await SearchIndex.updateStaged(jobID: jobID, remakesIndex: scale.isLarge(scale.rewritten), on: sql)
        if let newTags { try await NewTags.write(await newTags.search.value, on: sql) }
        laps.lap("the search index")
        if countsEverything {
            try await DirectoryCounts.rebuild(on: sql)
        } else {
            try await DirectoryCounts.rebuildFacets(on: sql)
            try await DirectoryCounts.countStaged(jobID: jobID, sign: 1, on: sql)
            try await DirectoryCounts.respell(staged: spelled, on: sql)
        }
        laps.lap("the directory's counts")
        try await discardStaged(jobID: jobID, on: tx)
        laps.lap("discarding the staged rows")
        // Fresh statistics, so that the query planner knows, say, that a department is a small
        // part of the organisation (SQLite samples at most 1,000 rows an index). PostgreSQL's are
        // taken after the commit (`analyzeWritten`).
        if !SearchIndex.isPostgres(sql) {
            try await sql.raw("PRAGMA analysis_limit = 1000").run()
            try await sql.raw("ANALYZE").run()
        }
    }

    /// How much of the organisation an import changes, read once from its staged people.
    struct Scale {
        /// Everyone once the import's new people are in.
        var everyone: Int
        /// Staged people whose tags and search entries are written again (not `keeps_tags`).
        var rewritten: Int
        /// Staged people whose holdings of tags change (`recounts`).
        var recounted: Int

        init(jobID: UUID, on sql: any SQLDatabase) async throws {
            let row = try await sql.raw("""
                SELECT (SELECT COUNT(*) FROM users) AS stored,
                    COALESCE(SUM(CASE WHEN is_new = \(bind: true) THEN 1 ELSE 0 END), 0) AS created,
                    COALESCE(SUM(CASE WHEN keeps_tags = \(bind: false) THEN 1 ELSE 0 END), 0) AS rewritten,
                    COALESCE(SUM(CASE WHEN recounts = \(bind: true) THEN 1 ELSE 0 END), 0) AS recounted
                FROM import_people WHERE job_id = \(bind: jobID)
                """).first()
            func value(_ column: String) throws -> Int { try row?.decode(column: column, as: Int.self) ?? 0 }
            everyone = try value("stored") + value("created")
            rewritten = try value("rewritten")
            recounted = try value("recounted")
        }

        /// Whether a part of the import is large enough (at least 1,000 people and a quarter of
        /// everyone) that doing a thing again for everyone is cheaper than doing it person by
        /// person: counting the tags again rather than adjusting them, and on SQLite making the
        /// index of search tags by person again rather than keeping it up row by row.
        func isLarge(_ part: Int) -> Bool { part >= 1_000 && part * 4 >= everyone }
    }

    /// Deletes a job's staged rows. On SQLite, a table that holds no other job's rows is emptied
    /// whole, which SQLite does by letting its pages go rather than deleting row by row (the 2
    /// million staged tags of 100,000 people: about 1 s). Another import (of another process)
    /// may have staged rows meanwhile, so the check and the delete run in one transaction.
    static func discardStaged(jobID: UUID, on db: any Database) async throws {
        try await DatabaseWrites.transaction(on: db) { tx in
            guard let sql = tx as? any SQLDatabase else { return }
            try await sql.delete(from: Lease.table).where("job_id", .equal, jobID).run()
            for table in ["import_people", "import_tags"] {
                if DatabaseWrites.isSQLite(tx), try await sql.raw("SELECT 1 AS other FROM \(ident: table) WHERE job_id <> \(bind: jobID) LIMIT 1").first() == nil {
                    try await sql.raw("DELETE FROM \(ident: table)").run()
                } else {
                    try await sql.delete(from: table).where("job_id", .equal, jobID).run()
                }
            }
        }
    }
}

extension PeopleImport {
    /// An import's hold on its staged rows (`import_leases`, M0029): taken before it stages,
    /// renewed every `renewal` while it runs, given up with the rows (`discardStaged`). Rows
    /// whose lease was not renewed for `ImportJob.stalledAfter` belong to an import whose process
    /// went away, and the next import deletes them.
    enum Lease {
        static let table = "import_leases"
        /// A fifth of `ImportJob.stalledAfter`, as the import jobs' own heartbeat.
        static let renewal: Duration = .seconds(60)

        /// The time to write: the database's clock on PostgreSQL, which servers share whatever
        /// their own clocks say; on SQLite, this machine's, which every process writing the file
        /// shares.
        static func now(_ sql: any SQLDatabase) -> SQLQueryString {
            SearchIndex.isPostgres(sql) ? "now()" : "\(bind: Date())"
        }

        /// Deletes the staged rows of imports whose lease ran out, and of any without a lease,
        /// then takes one for `jobID`. The stale leases go first, each checked again by PostgreSQL
        /// if renewed meanwhile, so that a sweep and an import's final transaction (which deletes
        /// its own lease first) meet on the lease row before either touches staged rows. Then go
        /// the rows of every job without a lease: an import stages only under its lease (`hold`)
        /// and gives the lease up in the transaction that deletes its rows, so that any snapshot
        /// that sees an import's rows sees its lease; rows without one were left by an import
        /// whose lease was swept while it stood still, or staged before leases (M0029).
        @discardableResult
        static func take(_ jobID: UUID, on db: any Database) async throws -> Int {
            let swept = try await DatabaseWrites.transaction(on: db) { tx in
                let sql = tx as! any SQLDatabase
                let postgres = SearchIndex.isPostgres(sql)
                let limit: SQLQueryString = postgres
                    ? "now() - make_interval(secs => \(bind: ImportJob.stalledAfter))"
                    : "\(bind: Date().addingTimeInterval(-ImportJob.stalledAfter))"
                let gone = try await sql.raw("DELETE FROM import_leases WHERE alive_at < \(limit) RETURNING job_id").all().count
                func leased(_ table: String) -> SQLQueryString { "\(ident: table).job_id IN (SELECT l.job_id FROM import_leases l)" }
                let unleased = try await sql.raw("SELECT COUNT(*) AS n FROM import_people WHERE NOT (\(leased("import_people")))").first()?
                    .decode(column: "n", as: Int.self) ?? 0
                for table in ["import_people", "import_tags"] {
                    // On SQLite a table holding no leased rows is emptied whole, as `discardStaged`
                    // does (1.7 million rows deleted one by one held the write lock for seconds).
                    if !postgres, try await sql.raw("SELECT 1 AS other FROM \(ident: table) WHERE \(leased(table)) LIMIT 1").first() == nil {
                        try await sql.raw("DELETE FROM \(ident: table)").run()
                    } else {
                        try await sql.raw("DELETE FROM \(ident: table) WHERE NOT (\(leased(table)))").run()
                    }
                }
                try await sql.raw("INSERT INTO import_leases (job_id, alive_at) VALUES (\(bind: jobID), \(now(sql)))").run()
                return (gone, unleased)
            }
            if swept.1 > 0 {
                db.logger.notice("Deleted the rows staged by imports that stopped without finishing: \(swept.1) people and their tags (leases not renewed for five minutes: \(swept.0)).")
            }
            return swept.0
        }

        /// Refuses (`leaseLost`) unless `jobID` holds its lease, which stays held until the
        /// transaction `sql` is in ends: a sweep that would delete it waits for that.
        static func hold(_ jobID: UUID, on sql: any SQLDatabase) async throws {
            let lock: SQLQueryString = SearchIndex.isPostgres(sql) ? " FOR KEY SHARE" : ""
            guard try await sql.raw("SELECT job_id FROM import_leases WHERE job_id = \(bind: jobID)\(lock)").first() != nil else {
                throw leaseLost
            }
        }

        /// Renews `jobID`'s lease every `interval` until cancelled. A renewal that fails (on
        /// SQLite it may wait behind the import's own final transaction) is left for the next; one
        /// that finds the lease gone ends (the import's final transaction then refuses to write).
        static func renew(_ jobID: UUID, every interval: Duration, on db: any Database) async {
            while !Task.isCancelled {
                do { try await Task.sleep(for: interval) } catch { return }
                let renewed = try? await DatabaseWrites.transaction(on: db) { tx in
                    let sql = tx as! any SQLDatabase
                    return try await sql.raw("UPDATE import_leases SET alive_at = \(now(sql)) WHERE job_id = \(bind: jobID) RETURNING job_id").all().count
                }
                if renewed == 0 { return }
            }
        }
    }
}

extension Array {
    func chunked(into size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}

/// Timings of an import's phases, logged at debug level (`LOG_LEVEL=debug trellis import people …`
/// prints them).
struct Laps {
    let logger: Logger
    var last = ContinuousClock.now
    mutating func lap(_ what: String) {
        let now = ContinuousClock.now
        logger.debug("import: \(what) took \(now - last)")
        last = now
    }
}
