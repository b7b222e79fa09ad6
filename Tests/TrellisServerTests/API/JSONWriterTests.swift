import Foundation
import NIOCore
import Testing
@testable import TrellisServer

/// `JSONWriter` writes the directory's pages by hand: what it writes must read back as exactly
/// what `Encodable` (Foundation's `JSONEncoder`) would have written.
@Suite struct JSONWriterTests {
    /// Every control character, the characters JSON escapes, and text beyond ASCII.
    static let awkward: [String] = [
        "", "plain", "\"quoted\"", "back\\slash", "slash / and \\/", "tab\there", "line\nbreak\r\n", "\u{0}nul", "\u{7F}delete",
        String(String.UnicodeScalarView((0..<0x20).compactMap(Unicode.Scalar.init))), "\u{2028}\u{2029}", "日本語 🎉 e\u{301}",
        "</script><b>&amp;</b>", "\u{FEFF}bom", "\u{10FFFF}",
    ]

    static func person(_ index: Int, text: String, role: String?) -> PersonSummaryDTO {
        PersonSummaryDTO(
            id: UUID(), name: text + " \(index)", headline: text, department: String(text.reversed()), timezone: "Europe/Paris",
            location: text, mentoring_role: role, expertise: [text, "Swift"], development_areas: index % 2 == 0 ? [] : [text],
            interests: Array(repeating: text, count: index % 3))
    }

    /// `page` as `JSONEncoder` writes it, keys sorted, so that two can be compared byte for byte.
    static func canonical(_ page: DirectoryPageDTO) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(page)
    }

    @Test func `a directory page written by hand reads back as Encodable writes it`() throws {
        var pages: [DirectoryPageDTO] = [DirectoryPageDTO(items: [], page: 1, per: 24, total: 0)]
        for (index, text) in Self.awkward.enumerated() {
            var page = DirectoryPageDTO(
                items: (0..<(index % 4 + 1)).map { Self.person($0, text: text, role: $0 % 2 == 0 ? "mentor" : nil) },
                page: index + 1, per: 100, total: index % 2 == 0 ? nil : Int.max - index)
            page.hasNext = index % 3 == 0
            page.moreThanListed = index % 5 == 0
            pages.append(page)
        }
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<50 {
            // Random text from every plane's edges and the escaped characters.
            let scalars = (0..<Int.random(in: 0...40, using: &generator)).compactMap { _ in
                Unicode.Scalar([0, 0x1F, 0x22, 0x2F, 0x5C, 0x7F, 0x80, 0xFF, 0x7FF, 0x800, 0xFFFD, 0x10000, 0x10FFFF, 0x41, 0x20].randomElement(using: &generator)! as UInt32)
            }
            pages.append(DirectoryPageDTO(items: [Self.person(1, text: String(String.UnicodeScalarView(scalars)), role: "both")], page: 1, per: 1, total: -1))
        }
        for page in pages {
            let written = Data(buffer: page.json())
            // A strict parser accepts it, and it decodes to the same page.
            _ = try JSONSerialization.jsonObject(with: written)
            let decoded = try JSONDecoder().decode(DirectoryPageDTO.self, from: written)
            #expect(try Self.canonical(decoded) == Self.canonical(page), "\(String(decoding: written, as: UTF8.self))")
            // Nil values are left out, as the synthesized conformance leaves them out.
            let object = try #require(try JSONSerialization.jsonObject(with: written) as? [String: Any])
            #expect(object.keys.contains("total") == (page.total != nil))
            let items = try #require(object["items"] as? [[String: Any]])
            #expect(items.map { $0.keys.contains("mentoring_role") } == page.items.map { $0.mentoring_role != nil })
        }
    }
}
