import Foundation

/// Text as people type it, made safe to store: control characters (NUL, escape, bell, …) are
/// removed everywhere, since they read back blank or break exports; single-line fields also turn
/// line breaks and tabs into spaces. Every text input — web form, API, CSV, command line — goes
/// through here (directly or through `Tags.clean`).
public enum TextInput {
    /// Whether a scalar is a control, an invisible line/paragraph separator, the byte-order
    /// mark U+FEFF (a file joined from two, or a cell pasted from one, carries it into the middle
    /// of text, where it is invisible: "\u{FEFF}Alice" would be a second Alice), or the zero-width
    /// space U+200B (invisible too, and trimmed as white space at the edge of a CSV cell but not
    /// inside one: "Go\u{200B}" stored as a tag came back from an export as "Go"). The zero-width
    /// joiner and non-joiner stay: scripts and emoji sequences need them. So do the plain
    /// direction marks (U+200E, U+200F); the explicit embeddings, overrides and isolates
    /// (U+202A–U+202E, U+2066–U+2069) go: a name holding an unclosed right-to-left override
    /// reverses whatever a page shows after it ("ab\u{202E}evil" then a state badge), and no
    /// name, tag or note needs one (right-to-left scripts lay themselves out).
    @inlinable
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029 || scalar.value == 0xFEFF
            || scalar.value == 0x200B || (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
    }

    /// The text without surrounding spaces and tabs (`CharacterSet.whitespaces`); quick, without
    /// Foundation, when it starts and ends with a visible ASCII character or is empty.
    public static func trimmingSpaces(_ text: String) -> String {
        guard let first = text.utf8.first, let last = text.utf8.last else { return text }
        if first > 0x20 && first < 0x7F && last > 0x20 && last < 0x7F { return text }
        return text.trimmingCharacters(in: .whitespaces)
    }

    /// A whole number written as people write one in a form or a spreadsheet cell: ASCII
    /// digits, with a minus sign before them for a negative one (which the ranges then refuse by
    /// name); nil for anything else, a plus sign, a space inside or a number past `Int`. Every
    /// whole-number input (profile numbers in forms, the API and imports, capacities in score
    /// tables) reads through here, so "+3" means the same everywhere: not a number.
    public static func wholeNumber(_ text: String) -> Int? {
        let bytes = text.utf8
        guard let first = bytes.first else { return nil }
        let digits = first == UInt8(ascii: "-") ? bytes.dropFirst() : bytes[...]
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return Int(text)
    }

    /// One line: controls removed, line breaks and tabs become spaces, trimmed, inner runs of
    /// whitespace collapsed.
    public static func line(_ text: String) -> String {
        Tags.clean(text)
    }

    /// Several lines (a bio): `\r\n` and `\r` become `\n`, tabs become spaces, other controls are
    /// removed, surrounding whitespace trimmed.
    public static func paragraphs(_ text: String) -> String {
        if text.utf8.allSatisfy({ ($0 >= 0x20 && $0 < 0x7F) || $0 == 0x0A }) {
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var scalars = String.UnicodeScalarView()
        var previousCR = false
        for scalar in text.unicodeScalars {
            defer { previousCR = scalar == "\r" }
            switch scalar {
            case "\r": scalars.append("\n")
            case "\n": if !previousCR { scalars.append("\n") }
            case "\t": scalars.append(" ")
            default: if !isControl(scalar) { scalars.append(scalar) }
            }
        }
        return String(scalars).trimmingCharacters(in: .whitespacesAndNewlines).precomposedStringWithCanonicalMapping
    }

    /// Lower case as Trellis compares text: emails, tag keys, and names as lists sort and search
    /// them. Lowered, then composed again (NFC) unless it is already: lowering can undo
    /// composition ("H" with a combining macron below lowers to "h" and the mark, where "ẖ" is
    /// one letter), and the databases compare bytes where Swift compares canonical equivalence,
    /// so the two agree only on composed text. Text of ASCII and `Tags.isPlainLetter` letters
    /// alone is composed already and is not normalised again (most text, and quick).
    public static func lowercased(_ text: String) -> String {
        let lowered = text.lowercased()
        if lowered.unicodeScalars.allSatisfy({ $0.value < 0x80 || Tags.isPlainLetter($0.value) }) { return lowered }
        return lowered.precomposedStringWithCanonicalMapping
    }

    /// Whether the text holds a character `line` would remove or change.
    public static func containsControl(_ text: String) -> Bool {
        text.unicodeScalars.contains(where: isControl)
    }
}

/// Spreadsheet formula injection: a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage
/// return is run as a formula by Excel, LibreOffice and Google Sheets. Exports prefix such a cell
/// with an apostrophe (which spreadsheets show as text and do not display); imports remove that
/// apostrophe again, so export followed by import gives back exactly what was exported.
///
/// To keep the round trip exact, a value that itself starts with an apostrophe followed by one of
/// those characters (or by another apostrophe) is prefixed too; any other leading apostrophe,
/// as in “'Neill”, is left alone both ways.
public enum SpreadsheetSafety {
    static let triggers: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]

    public static func escape(_ cell: String) -> String {
        var scalars = cell.unicodeScalars.makeIterator()
        guard let first = scalars.next() else { return cell }
        if triggers.contains(first) { return "'" + cell }
        if first == "'", let second = scalars.next(), second == "'" || triggers.contains(second) { return "'" + cell }
        return cell
    }

    public static func unescape(_ cell: String) -> String {
        var scalars = cell.unicodeScalars.makeIterator()
        guard scalars.next() == "'", let second = scalars.next(), second == "'" || triggers.contains(second) else { return cell }
        return String(cell.unicodeScalars.dropFirst())
    }
}

extension String {
    /// At most `limit` Unicode scalars of the text, with "…" when it was cut: for quoting what
    /// someone sent back to them in a message. Counted by scalar, not by Swift `Character`, so a
    /// letter followed by thousands of combining marks (one character) is cut short too.
    public func excerpt(_ limit: Int) -> String {
        let cut = scalarPrefix(limit)
        return cut.utf8.count == utf8.count ? self : cut + "…"
    }

    /// A value as a message on a terminal quotes it: at most 80 scalars (`excerpt`), with control
    /// characters and line separators shown as escapes (`\u{1B}`) so that a cell cannot move the
    /// cursor, clear the screen or hide what follows.
    public var shownInMessage: String { quoted(80) }

    /// What someone sent, quoted back in a message ("(got “…”)"): at most `limit` scalars, with
    /// control characters and line separators shown as escapes (`\u{0}`), so that what is quoted
    /// cannot hide, reorder or break what follows, on a page, in JSON or on a terminal.
    public func quoted(_ limit: Int) -> String {
        let cut = excerpt(limit)
        guard cut.unicodeScalars.contains(where: TextInput.isControl) else { return cut }
        var shown = ""
        for scalar in cut.unicodeScalars {
            if TextInput.isControl(scalar) { shown += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}" } else { shown.unicodeScalars.append(scalar) }
        }
        return shown
    }

    /// At most `limit` Unicode scalars of the text, cut without a mark: for bounding what is read
    /// (a search's text), counted the way limits are counted.
    public func scalarPrefix(_ limit: Int) -> String {
        let scalars = unicodeScalars
        guard let end = scalars.index(scalars.startIndex, offsetBy: limit, limitedBy: scalars.endIndex) else { return self }
        return String(scalars[..<end])
    }
}
