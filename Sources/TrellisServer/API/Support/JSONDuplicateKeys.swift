import Foundation

/// Finds a key that a JSON object names twice. `JSONSerialization` and `JSONDecoder` keep one of
/// the values without a word (which one differs between parsers, so a proxy in front of Trellis
/// could read another value than Trellis does); the API refuses such a body instead.
///
/// Expects text `JSONSerialization` has accepted: it only tracks objects, arrays and strings.
/// Keys are compared after their escapes are decoded ("a" and "\u0061" are the same key).
enum JSONDuplicateKeys {
    private enum Frame {
        case object(keys: Set<String>, expectingKey: Bool)
        case array
    }

    /// The first key named twice in one object, or nil.
    static func first(in data: Data) -> String? {
        let bytes = [UInt8](data)
        var stack: [Frame] = []
        var at = 0
        while at < bytes.count {
            let byte = bytes[at]
            switch byte {
            case UInt8(ascii: "{"): stack.append(.object(keys: [], expectingKey: true))
            case UInt8(ascii: "["): stack.append(.array)
            case UInt8(ascii: "}"), UInt8(ascii: "]"): if !stack.isEmpty { stack.removeLast() }
            case UInt8(ascii: ","):
                if case .object(let keys, _)? = stack.last { stack[stack.count - 1] = .object(keys: keys, expectingKey: true) }
            case UInt8(ascii: "\""):
                let (text, end) = string(bytes, from: at + 1)
                at = end
                if case .object(var keys, true)? = stack.last {
                    if !keys.insert(text).inserted { return text }
                    stack[stack.count - 1] = .object(keys: keys, expectingKey: false)
                }
            default: break
            }
            at += 1
        }
        return nil
    }

    /// The string starting after its opening quote, decoded, and the index of its closing quote.
    private static func string(_ bytes: [UInt8], from start: Int) -> (String, Int) {
        var scalars = String.UnicodeScalarView()
        var raw: [UInt8] = []
        var at = start
        func flush() {
            if !raw.isEmpty { scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars); raw.removeAll() }
        }
        func hex(_ from: Int) -> UInt32? {
            guard from + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[from..<from + 4], as: UTF8.self), radix: 16) else { return nil }
            return value
        }
        while at < bytes.count, bytes[at] != UInt8(ascii: "\"") {
            guard bytes[at] == UInt8(ascii: "\\"), at + 1 < bytes.count else { raw.append(bytes[at]); at += 1; continue }
            flush()
            let escaped = bytes[at + 1]
            at += 2
            switch escaped {
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "b"): scalars.append("\u{8}")
            case UInt8(ascii: "f"): scalars.append("\u{C}")
            case UInt8(ascii: "u"):
                guard var value = hex(at) else { continue }
                at += 4
                // A surrogate pair written as two escapes.
                if (0xD800...0xDBFF).contains(value), at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u"),
                   let low = hex(at + 2), (0xDC00...0xDFFF).contains(low) {
                    value = 0x10000 + ((value - 0xD800) << 10) + (low - 0xDC00)
                    at += 6
                }
                scalars.append(Unicode.Scalar(value) ?? "\u{FFFD}")
            default: scalars.append(Unicode.Scalar(escaped))
            }
        }
        flush()
        return (String(scalars), at)
    }
}
