import Vapor

/// The address a request comes from, as sign-in throttling counts it.
enum ClientAddress {
    /// The socket's peer, unless the peer is a trusted proxy: then the nearest address in
    /// X-Forwarded-For that is not itself a trusted proxy (read from the right, because each proxy
    /// appends the address it received the request from, and anything further left was written by
    /// the client and can be forged).
    static func resolve(peer: String?, forwardedFor: [String], trusted: Set<String>) -> String {
        guard let peer else { return "unknown" }
        guard trusted.contains(peer) else { return peer }
        let chain = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        for address in chain.reversed() where !trusted.contains(address) { return String(address.unicodeScalars.filter { $0.value > 0x20 && $0.value < 0x7F }.prefix(64).map(Character.init)) }
        return peer
    }

    static func of(_ req: Request) -> String {
        resolve(peer: req.remoteAddress?.ipAddress, forwardedFor: req.headers[.xForwardedFor], trusted: req.application.trellisSettings.trustedProxies)
    }
}
