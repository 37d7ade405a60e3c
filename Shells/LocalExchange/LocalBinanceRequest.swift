import Foundation
import Shells

/// A REST request as the local Binance sees it: the raw query and body exactly as sent (the
/// signature covers those bytes), and the API key header.
public struct LocalBinanceRequest: Sendable {
    public var method: String
    public var path: String
    /// The raw URL query (percent-encoded, as sent).
    public var query: String
    /// The raw form body.
    public var body: String
    public var apiKey: String?

    /// Longer parameter strings are refused (-1102) before any parsing.
    static let maximumParameterBytes = 8_192
    static let maximumParameters = 64

    public init(method: String, path: String, query: String?, body: [UInt8], apiKey: String?) {
        self.method = method
        self.path = path
        self.query = query ?? ""
        self.body = String(decoding: body, as: UTF8.self)
        self.apiKey = apiKey
    }

    /// Parameters of query and body, percent-decoded; a key in both: the query wins (§1).
    /// Nil when there are too many or they are too long.
    var parameters: [String: String]? {
        guard query.utf8.count + body.utf8.count <= LocalBinanceRequest.maximumParameterBytes else { return nil }
        let pairs = LocalBinanceRequest.pairs(body) + LocalBinanceRequest.pairs(query)
        guard pairs.count <= LocalBinanceRequest.maximumParameters else { return nil }
        var parameters: [String: String] = [:]
        for (key, value) in pairs { parameters[key] = value }
        return parameters
    }

    static func pairs(_ text: String) -> [(String, String)] {
        text.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            func decode(_ text: String) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            return (decode(parts[0]), parts.count > 1 ? decode(parts[1]) : "")
        }
    }

    /// The signed text: query then body, byte for byte, with the `signature` pair taken out of
    /// whichever carries it, and the signature sent. Nil when there is none.
    var signedText: (message: String, signature: String)? {
        func strip(_ text: String) -> (String, String?) {
            var kept: [Substring] = []
            var signature: String?
            for pair in text.split(separator: "&", omittingEmptySubsequences: false) {
                if pair.hasPrefix("signature=") { signature = String(pair.dropFirst("signature=".count)) } else { kept.append(pair) }
            }
            return (kept.joined(separator: "&"), signature)
        }
        let (query, querySignature) = query.isEmpty ? ("", nil) : strip(query)
        let (body, bodySignature) = body.isEmpty ? ("", nil) : strip(body)
        guard let signature = querySignature ?? bodySignature else { return nil }
        return (query + body, signature)
    }
}
