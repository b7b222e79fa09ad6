import Fluent
import SQLKit
import Testing
@testable import TrellisServer

extension ServerTests {
    /// `KeysetPaging`, which the program roster, a run's proposal and the program's pairs read
    /// their pages with: walked through a table of its own on every database.
    @Suite struct Keysets {
        @Test func `keyset pages give every row once, forwards and back, in either order, at any page size`() async throws {
            try await withTrellis { app in
                let sql = try #require(app.db as? any SQLDatabase)
                try await sql.raw("CREATE TABLE paging_probe (n INTEGER PRIMARY KEY, odd INTEGER NOT NULL)").run()
                // Multiples of three: gaps between the values, and odd and even ones to filter by.
                let numbers = Array(stride(from: 3, through: 300, by: 3))
                for chunk in numbers.chunked(into: 50) {
                    let insert = sql.insert(into: "paging_probe").columns("n", "odd")
                    for n in chunk { insert.values(SQLBind(n), SQLBind(n % 2)) }
                    try await insert.run()
                }
                for size in [1, 7, 50, 99, 100, 101] {
                    for ascending in [true, false] {
                        for onlyOdd in [false, true] {
                            let filter: SQLQueryString = onlyOdd ? "t.odd = 1" : "1 = 1"
                            let listed = numbers.filter { !onlyOdd || $0 % 2 == 1 }
                            let expected = ascending ? listed : listed.reversed()
                            func page(after: Int?, before: Int?) async throws -> (values: [Int], hasPrevious: Bool, hasNext: Bool) {
                                let paging = KeysetPaging(column: "t.n", ascending: ascending, after: after, before: before, size: size)
                                let page = try await paging.read(
                                    rows: { "SELECT t.n FROM paging_probe t WHERE \(filter) AND \($0)" },
                                    exists: { "SELECT t.n FROM paging_probe t WHERE \(filter) AND \($0)" }, on: app.db)
                                return (try page.rows.map { try $0.int("n") }, page.hasPrevious, page.hasNext)
                            }
                            let context = "size \(size), \(ascending ? "ascending" : "descending"), \(onlyOdd ? "odd only" : "all")"

                            var forwards: [Int] = []
                            var after: Int?
                            var pages = 0
                            while true {
                                let read = try await page(after: after, before: nil)
                                #expect(read.values.count == min(size, expected.count - forwards.count), "\(context)")
                                #expect(read.hasPrevious == (pages > 0), "\(context)")
                                forwards += read.values
                                #expect(read.hasNext == (forwards.count < expected.count), "\(context)")
                                pages += 1
                                guard read.hasNext, let last = read.values.last else { break }
                                after = last
                            }
                            #expect(forwards == expected, "\(context)")

                            // Back from beyond the last row, as a link from a page past the end does.
                            var backwards: [Int] = []
                            var before = ascending ? 1_000 : -1
                            var first = true
                            while true {
                                let read = try await page(after: nil, before: before)
                                #expect(read.hasNext == !first, "\(context)")
                                backwards = read.values + backwards
                                #expect(read.hasPrevious == (backwards.count < expected.count), "\(context)")
                                first = false
                                guard read.hasPrevious, let earliest = read.values.first else { break }
                                before = earliest
                            }
                            #expect(backwards == expected, "\(context)")

                            // Past the end: nothing, and a way back.
                            let beyond = try await page(after: expected.last, before: nil)
                            #expect(beyond.values.isEmpty && beyond.hasPrevious && !beyond.hasNext, "\(context)")
                        }
                    }
                }
            }
        }
    }
}
