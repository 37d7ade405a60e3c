import CCrypto

/// HMAC and SHA-512 from OpenSSL's libcrypto (one-shot calls: no handle to own).
public enum Digest {
    public enum Algorithm: Sendable { case sha256, sha512 }

    public static func hmac(_ algorithm: Algorithm, key: [UInt8], message: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let digest = algorithm == .sha256 ? EVP_sha256() : EVP_sha512()
        let result = key.withUnsafeBufferPointer { keyBytes in
            message.withUnsafeBufferPointer { messageBytes in
                HMAC(digest, keyBytes.baseAddress, Int32(keyBytes.count), messageBytes.baseAddress, messageBytes.count,
                     &output, &length)
            }
        }
        precondition(result != nil, "HMAC failed")
        return Array(output.prefix(Int(length)))
    }

    public static func sha512(_ message: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: Int(SHA512_DIGEST_LENGTH))
        message.withUnsafeBufferPointer { _ = SHA512($0.baseAddress, $0.count, &output) }
        return output
    }

    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
