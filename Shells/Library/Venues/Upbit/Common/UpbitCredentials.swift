import Foundation

/// An Upbit API key pair. The secret is never printed: `description` shows the access key only.
public struct UpbitCredentials: Sendable, CustomStringConvertible {
    public let accessKey: String
    let secretKey: String

    public init(accessKey: String, secretKey: String) {
        self.accessKey = accessKey
        self.secretKey = secretKey
    }

    public var description: String { "UpbitCredentials(access key \(accessKey.prefix(4))…, secret hidden)" }

    /// `Authorization: Bearer <JWT>` for a request with these parameters (Upbit's scheme, §2):
    /// HS512 over header and payload {access_key, nonce, query_hash, query_hash_alg}, the query hash
    /// being the SHA-512 hex of the unencoded parameter string; no hash for a request without any.
    public func authorization(for query: UpbitQuery, nonce: String = UUID().uuidString.lowercased()) -> String {
        "Bearer " + token(queryString: query.isEmpty ? nil : query.unencoded, nonce: nonce, algorithm: .sha512)
    }

    public func token(queryString: String?, nonce: String, algorithm: Digest.Algorithm) -> String {
        let header = algorithm == .sha512 ? #"{"alg":"HS512","typ":"JWT"}"# : #"{"alg":"HS256","typ":"JWT"}"#
        var payload = #"{"access_key":"\#(UpbitQuery.jsonEscape(accessKey))","nonce":"\#(UpbitQuery.jsonEscape(nonce))""#
        if let queryString {
            payload += #","query_hash":"\#(Digest.hex(Digest.sha512(Array(queryString.utf8))))","query_hash_alg":"SHA512""#
        }
        payload += "}"
        let signingInput = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8))
        let signature = Digest.hmac(algorithm, key: Array(secretKey.utf8), message: Array(signingInput.utf8))
        return signingInput + "." + Base64URL.encode(signature)
    }
}

/// Base64 with the URL alphabet and no padding (JWT).
public enum Base64URL {
    public static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    public static func decode(_ text: String) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }
}
