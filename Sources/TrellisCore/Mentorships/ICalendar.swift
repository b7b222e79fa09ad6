import Foundation

/// iCalendar (RFC 5545) for meetings: one meeting as a file to download, or a person's feed of
/// meetings that a calendar application subscribes to. Times are written in UTC; lines end in
/// CRLF and are folded at 75 octets without splitting a character; text is escaped.
public struct CalendarEvent: Sendable, Equatable {
    public enum Status: String, Sendable { case tentative = "TENTATIVE", confirmed = "CONFIRMED", cancelled = "CANCELLED" }

    /// Stable across every change of the meeting, so a calendar updates its copy.
    public var uid: String
    /// Counts up with every change, so a calendar knows which copy is newer.
    public var sequence: Int
    public var start: Date
    public var end: Date
    public var summary: String
    public var description: String
    public var location: String
    public var status: Status
    public var url: String?
    public var lastModified: Date

    public init(uid: String, sequence: Int, start: Date, end: Date, summary: String, description: String, location: String, status: Status, url: String?, lastModified: Date) {
        self.uid = uid
        self.sequence = sequence
        self.start = start
        self.end = end
        self.summary = summary
        self.description = description
        self.location = location
        self.status = status
        self.url = url
        self.lastModified = lastModified
    }
}

public enum ICalendar {
    public static let productID = "-//Trellis//Mentoring workspace//EN"

    /// A calendar of `events`. `name` names a subscribed feed (X-WR-CALNAME, read by most
    /// applications).
    public static func document(_ events: [CalendarEvent], name: String? = nil, now: Date) -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:\(productID)", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
        if let name { lines.append("X-WR-CALNAME:\(escape(name))") }
        for event in events {
            lines.append("BEGIN:VEVENT")
            lines.append("UID:\(escape(event.uid))")
            lines.append("SEQUENCE:\(max(0, event.sequence))")
            lines.append("DTSTAMP:\(utc(now))")
            lines.append("DTSTART:\(utc(event.start))")
            lines.append("DTEND:\(utc(event.end))")
            lines.append("LAST-MODIFIED:\(utc(event.lastModified))")
            lines.append("SUMMARY:\(escape(event.summary))")
            if !event.description.isEmpty { lines.append("DESCRIPTION:\(escape(event.description))") }
            if !event.location.isEmpty { lines.append("LOCATION:\(escape(event.location))") }
            if let url = event.url { lines.append("URL:\(url.filter { !$0.isWhitespace && $0 != "\"" })") }
            lines.append("STATUS:\(event.status.rawValue)")
            lines.append("TRANSP:\(event.status == .cancelled ? "TRANSPARENT" : "OPAQUE")")
            lines.append("END:VEVENT")
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// TEXT as RFC 5545 §3.3.11 writes it: backslash, semicolon and comma escaped, line breaks as
    /// `\n`, other control characters left out.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\r": out += "\\n"
            case "\n": if !previousWasCR { out += "\\n" }
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { break }
                out.unicodeScalars.append(scalar)
            }
            previousWasCR = scalar == "\r"
        }
        return out
    }

    /// A content line folded so that no line is longer than 75 octets: a break, then a space,
    /// never inside a character's UTF-8 bytes.
    public static func fold(_ line: String) -> String {
        guard line.utf8.count > 75 else { return line }
        var result = ""
        var current = 0
        var limit = 75
        // By Unicode scalar: a scalar is at most four bytes, so every line has room for one
        // (a character of many combining marks may be folded between its scalars, as octets allow).
        for scalar in line.unicodeScalars {
            let size = String(scalar).utf8.count
            if current + size > limit {
                result += "\r\n "
                current = 0
                limit = 74  // the leading space counts
            }
            result.unicodeScalars.append(scalar)
            current += size
        }
        return result
    }

    /// A UTC date-time, `YYYYMMDDTHHMMSSZ`.
    public static func utc(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year ?? 0, c.month ?? 0, c.day ?? 0, c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
    }
}
