import Foundation

/// The solver's trace for the command line and the benchmark: with `TRELLIS_AUCTION_TRACE` set,
/// its phases and proof rounds go to standard error. The engine itself reads no environment; a
/// caller passes what this gives as `trace:`.
public enum SolverTrace {
    public static func fromEnvironment() -> (@Sendable (String) -> Void)? {
        ProcessInfo.processInfo.environment["TRELLIS_AUCTION_TRACE"] == nil
            ? nil : { @Sendable line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
    }
}
