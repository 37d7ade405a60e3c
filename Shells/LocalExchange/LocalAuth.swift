import Foundation
import Shells

/// Verifies an `Authorization: Bearer <JWT>` as Upbit does (upbit-api.md §2, §5): HS256 or HS512
/// over the raw secret, the access key, a nonce never seen before, and a `query_hash` equal to the
/// SHA-512 of the request's parameters. Failures carry Upbit's error names.
struct LocalAuth {
    let accessKey: String
    let secretKey: String
    var usedNonces = Set<String>()

    struct Failure: Error {
        var name: String
        var message: String
    }

    /// `parameters`: the unencoded query string, or the JSON body's pairs as `k=v&…` (nil: none).
    mutating func verify(authorization: String?, parameters: String?) throws(Failure) {
        guard let authorization, authorization.hasPrefix("Bearer ") else {
            throw Failure(name: "no_authorization_token", message: "Authorization header is missing")
        }
        let parts = authorization.dropFirst(7).split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let headerBytes = Base64URL.decode(parts[0]), let payloadBytes = Base64URL.decode(parts[1]),
              let header = try? JSONValue.parse(headerBytes), let payload = try? JSONValue.parse(payloadBytes) else {
            throw Failure(name: "jwt_verification", message: "malformed token")
        }
        let algorithm: Digest.Algorithm
        switch header["alg"]?.string {
        case "HS512": algorithm = .sha512
        case "HS256": algorithm = .sha256
        default: throw Failure(name: "jwt_verification", message: "unsupported alg")
        }
        let signature = Digest.hmac(algorithm, key: Array(secretKey.utf8), message: Array("\(parts[0]).\(parts[1])".utf8))
        guard Base64URL.encode(signature) == parts[2] else {
            throw Failure(name: "jwt_verification", message: "signature does not verify")
        }
        guard payload["access_key"]?.string == accessKey else {
            throw Failure(name: "invalid_access_key", message: "잘못된 엑세스 키입니다.")
        }
        guard let nonce = payload["nonce"]?.string, !nonce.isEmpty else {
            throw Failure(name: "jwt_verification", message: "nonce is missing")
        }
        guard usedNonces.insert(nonce).inserted else { throw Failure(name: "nonce_used", message: "nonce was used") }
        if let parameters, !parameters.isEmpty {
            let expected = Digest.hex(Digest.sha512(Array(parameters.utf8)))
            guard payload["query_hash"]?.string == expected else {
                throw Failure(name: "invalid_query_payload", message: "query_hash does not match the request")
            }
            if let hashAlgorithm = payload["query_hash_alg"]?.string, hashAlgorithm != "SHA512" {
                throw Failure(name: "invalid_query_payload", message: "unsupported query_hash_alg")
            }
        }
    }

    /// The unencoded parameter string of a raw URL query: each key and value percent-decoded, in
    /// the order sent (Python's `unquote(query)`, as Upbit compares it).
    static func unencoded(query: String?) -> String? {
        guard let query, !query.isEmpty else { return nil }
        return query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let key = parts[0].removingPercentEncoding ?? parts[0]
            let value = parts.count > 1 ? (parts[1].replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? parts[1]) : ""
            return "\(key)=\(value)"
        }.joined(separator: "&")
    }

    /// A JSON body's pairs as Upbit hashes them: `k=v&…` in body order.
    static func unencoded(body: JSONValue) -> String? {
        guard case .object(let members) = body, !members.isEmpty else { return nil }
        return members.map { "\($0.0)=\($0.1.string ?? "")" }.joined(separator: "&")
    }
}
