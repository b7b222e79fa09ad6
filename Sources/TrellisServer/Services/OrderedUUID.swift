import Foundation
import NIOConcurrencyHelpers

/// Time-ordered UUIDs (RFC 9562 version 7: 48 bits of milliseconds, then a counter and random
/// bits). Rows created together get neighbouring ids, so a bulk insert appends to the end of the
/// primary-key index instead of touching a random page per row — an import of 100,000 people
/// writes over a million tag rows.
enum OrderedUUID {
    private static let state = NIOLockedValueBox<(milliseconds: UInt64, counter: UInt64)>((0, 0))

    static func make(now: Date = Date()) -> UUID {
        let (milliseconds, counter) = state.withLockedValue { state -> (UInt64, UInt64) in
            let current = UInt64(max(0, now.timeIntervalSince1970 * 1000))
            if current > state.milliseconds {
                state = (current, UInt64.random(in: 0..<(1 << 20)))
            } else {
                state.counter += 1  // same millisecond (or the clock went back): keep counting
            }
            return state
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (40 - 8 * UInt64(index))) }
        // 12 bits of counter after the version nibble, 30 more after the variant bits: 42 bits.
        bytes[6] = 0x70 | UInt8(truncatingIfNeeded: (counter >> 38) & 0x0F)
        bytes[7] = UInt8(truncatingIfNeeded: counter >> 30)
        bytes[8] = 0x80 | UInt8(truncatingIfNeeded: (counter >> 24) & 0x3F)
        bytes[9] = UInt8(truncatingIfNeeded: counter >> 16)
        bytes[10] = UInt8(truncatingIfNeeded: counter >> 8)
        bytes[11] = UInt8(truncatingIfNeeded: counter)
        for index in 12..<16 { bytes[index] = UInt8.random(in: 0...255) }
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
