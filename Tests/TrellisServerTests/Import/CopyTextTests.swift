import Foundation
import NIOCore
import Testing
@testable import TrellisServer

/// `BulkValue`'s COPY text, written a run of bytes at a time and ids without Foundation, against
/// the plain definition: every byte on its own, the four escapes, ids as `uuidString`.
@Suite struct CopyText {
    static func reference(_ value: BulkValue) -> [UInt8] {
        switch value {
        case .text(nil), .number(nil), .id(nil): return Array("\\N".utf8)
        case .text(let text?):
            return text.utf8.flatMap { byte -> [UInt8] in
                switch byte {
                case UInt8(ascii: "\\"): Array("\\\\".utf8)
                case UInt8(ascii: "\t"): Array("\\t".utf8)
                case UInt8(ascii: "\n"): Array("\\n".utf8)
                case UInt8(ascii: "\r"): Array("\\r".utf8)
                default: [byte]
                }
            }
        case .id(let id?): return Array(id.uuidString.utf8)
        case .flag(let flag): return Array((flag ? "t" : "f").utf8)
        case .number(let number?): return Array(String(number).utf8)
        }
    }

    static func written(_ value: BulkValue) -> [UInt8] {
        var buffer = ByteBuffer()
        value.appendCopyText(to: &buffer)
        return buffer.readBytes(length: buffer.readableBytes) ?? []
    }

    @Test func `text with every escape anywhere is written as byte by byte`() {
        let pieces = ["", "a", "\\", "\t", "\n", "\r", "\r\n", "\\N", "\\.", "Zoë", "数据", "👩🏽‍💻", "\u{0}", "e\u{301}", " "]
        var texts = pieces
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3_000 {
            texts.append((0..<Int.random(in: 0...12, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined())
        }
        // Text that is not native Swift storage (bridged, or a substring made into a string).
        texts.append(String(NSString(string: "Négociation\\\t1")))
        texts.append(String("xx\\yy\nzz".dropFirst()))
        for text in texts {
            #expect(Self.written(.text(text)) == Self.reference(.text(text)), "\(text.debugDescription)")
        }
    }

    @Test func `ids, numbers, flags and nulls are written as before`() {
        var ids = [UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
                   UUID(uuid: (255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255))]
        ids += (0..<2_000).map { _ in UUID() }
        for id in ids {
            #expect(Self.written(.id(id)) == Self.reference(.id(id)), "\(id)")
            // As SQLite is given it (its text, as SQLiteKit binds an id).
            #expect(BulkValue.id(id).sqlite == .text(id.uuidString), "\(id)")
        }
        for value: BulkValue in [.id(nil), .text(nil), .number(nil), .number(0), .number(-7), .number(Int.max), .number(Int.min), .flag(true), .flag(false)] {
            #expect(Self.written(value) == Self.reference(value))
        }
    }

    @Test func `rows of values become lines of tab-separated fields`() {
        let values: [BulkValue] = [.text("a\tb"), .number(3), .id(nil), .text(""), .flag(true), .text("x\ny")]
        let text = BulkRows.copyText(values, columns: 3).map { String(buffer: $0) }.joined()
        #expect(text == "a\\tb\t3\t\\N\n\tt\tx\\ny\n")
    }
}
