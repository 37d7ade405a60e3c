import Foundation

/// Where live keys come from: `UPBIT_ACCESS_KEY` / `UPBIT_SECRET_KEY` in the environment, or a
/// key file of `NAME=value` lines that only its owner may read (mode 0600 or stricter).
public enum KeyFile {
    public struct Problem: Error, CustomStringConvertible {
        public var description: String
    }

    public static func credentials(file: String?, environment: [String: String]) throws(Problem) -> UpbitCredentials {
        var values = environment
        if let file {
            var status = stat()
            guard stat(file, &status) == 0 else { throw Problem(description: "key file \(file) cannot be read") }
            guard status.st_mode & 0o077 == 0 else {
                throw Problem(description: String(format: "key file %@ is mode %o: it must be 0600 (chmod 600 %@)",
                                                  file, status.st_mode & 0o777, file))
            }
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw Problem(description: "key file \(file) cannot be read")
            }
            for line in text.split(whereSeparator: \.isNewline) {
                let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if parts.count == 2, !parts[0].hasPrefix("#") { values[parts[0]] = parts[1] }
            }
        }
        guard let access = values["UPBIT_ACCESS_KEY"], !access.isEmpty else {
            throw Problem(description: "UPBIT_ACCESS_KEY is not set (environment or --keys FILE)")
        }
        guard let secret = values["UPBIT_SECRET_KEY"], !secret.isEmpty else {
            throw Problem(description: "UPBIT_SECRET_KEY is not set (environment or --keys FILE)")
        }
        return UpbitCredentials(accessKey: access, secretKey: secret)
    }
}
