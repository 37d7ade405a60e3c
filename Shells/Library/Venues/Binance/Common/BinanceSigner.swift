/// Binance's SIGNED requests (binance-futures.md §2): `signature` is the lower-case hex of
/// HMAC-SHA256 keyed with the secret over *totalParams*, the query string immediately followed by
/// the body, byte for byte as sent. The secret is never printed.
public struct BinanceSigner: Sendable, CustomStringConvertible {
    public let apiKey: String
    private let secretKey: [UInt8]

    public init(apiKey: String, secretKey: String) {
        self.apiKey = apiKey
        self.secretKey = Array(secretKey.utf8)
    }

    public var description: String { "BinanceSigner(API key \(apiKey.prefix(4))…, secret hidden)" }

    /// The signature of the exact bytes sent: `query` and `body` joined with nothing between.
    public func signature(query: String = "", body: String = "") -> String {
        Digest.hex(Digest.hmac(.sha256, key: secretKey, message: Array(query.utf8) + Array(body.utf8)))
    }
}
