import Foundation

/// Where live keys come from: `UPBIT_ACCESS_KEY` / `UPBIT_SECRET_KEY` (or `BINANCE_API_KEY` /
/// `BINANCE_SECRET_KEY`) in the environment, or a
/// key file of `NAME=value` lines that only its owner may read (mode 0600 or stricter).
public enum KeyFile {
    public struct Problem: Error, CustomStringConvertible {
        public var description: String
    }

    public static func credentials(file: String?, environment: [String: String]) throws(Problem) -> UpbitCredentials {
        let values = try values(file: file, environment: environment)
        return UpbitCredentials(accessKey: try value("UPBIT_ACCESS_KEY", in: values), secretKey: try value("UPBIT_SECRET_KEY", in: values))
    }

    /// Binance's keys: `BINANCE_API_KEY` / `BINANCE_SECRET_KEY`, from the same places.
    public static func binanceSigner(file: String?, environment: [String: String]) throws(Problem) -> BinanceSigner {
        let values = try values(file: file, environment: environment)
        return BinanceSigner(apiKey: try value("BINANCE_API_KEY", in: values), secretKey: try value("BINANCE_SECRET_KEY", in: values))
    }

    static func value(_ name: String, in values: [String: String]) throws(Problem) -> String {
        guard let value = values[name], !value.isEmpty else {
            throw Problem(description: "\(name) is not set (environment or --keys FILE)")
        }
        return value
    }

    /// The environment, overridden by the key file's lines.
    static func values(file: String?, environment: [String: String]) throws(Problem) -> [String: String] {
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
            for (name, value) in try parse(text, file: file) { values[name] = value }
        }
        return values
    }

    /// `NAME=value` lines (`export NAME=value` too); blank lines and `#` comments skipped; a value
    /// in matching single or double quotes loses them; a name given twice, or a line that is not
    /// `NAME=value`, is an error naming the line (never its value).
    static func parse(_ text: String, file: String) throws(Problem) -> [(String, String)] {
        guard text.utf8.count <= 65_536 else { throw Problem(description: "key file \(file) is larger than 64 KiB") }
        var seen = Set<String>()
        var pairs: [(String, String)] = []
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, parts[0].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw Problem(description: "key file \(file) line \(number + 1) is not NAME=value")
            }
            guard seen.insert(parts[0]).inserted else {
                throw Problem(description: "key file \(file) sets \(parts[0]) twice (line \(number + 1))")
            }
            var value = parts[1]
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            pairs.append((parts[0], value))
        }
        return pairs
    }
}
