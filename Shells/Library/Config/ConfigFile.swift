import Core
import Foundation
import TOMLKit

/// A config file that cannot run, with every problem named by key.
public struct ConfigFileError: Error, CustomStringConvertible {
    public var file: String
    public var problems: [String]

    public var description: String { problems.map { "\(file): \($0)" }.joined(separator: "\n") }
}

/// Reads the TOML config (sections `capital`, `entry`, `exit`, `risk`, `universe`, `fees`,
/// `upbit`). Missing keys keep their defaults; unknown sections or keys, wrong types and values
/// that fail `Config.validate()` are all reported together, before anything runs.
public enum ConfigFile {
    public static func load(path: String) throws -> Settings {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigFileError(file: path, problems: ["cannot read the file (\(error.localizedDescription))"])
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws -> Settings {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigFileError(file: file, problems: ["not valid TOML: \(error.description) at \(error.source.begin)"])
        }
        var settings = Settings()
        var problems: [String] = []
        for section in table.keys.sorted() {
            guard let keys = ConfigKeys.sections[section] else {
                problems.append("unknown section [\(section)] (known: \(ConfigKeys.sections.keys.sorted().joined(separator: ", ")))")
                continue
            }
            guard let values = table[section]?.table else {
                problems.append("\(section): must be a [section]")
                continue
            }
            for key in values.keys.sorted() {
                guard let assign = keys[key] else {
                    problems.append("\(section).\(key): unknown key")
                    continue
                }
                do {
                    try assign(&settings, values[key]!)
                } catch let error as ConfigValueError {
                    problems.append("\(section).\(key): \(error.message)")
                }
            }
        }
        problems += settings.strategy.validate().map(\.description)
        problems += validateUpbit(settings.upbit)
        guard problems.isEmpty else { throw ConfigFileError(file: file, problems: problems) }
        return settings
    }

    static func validateUpbit(_ upbit: UpbitSettings) -> [String] {
        var problems: [String] = []
        if !(upbit.restURL.hasPrefix("http://") || upbit.restURL.hasPrefix("https://")) {
            problems.append("upbit.rest_url: must start with http:// or https:// (got \(upbit.restURL))")
        }
        if !(upbit.webSocketURL.hasPrefix("ws://") || upbit.webSocketURL.hasPrefix("wss://")) {
            problems.append("upbit.ws_url: must start with ws:// or wss:// (got \(upbit.webSocketURL))")
        }
        return problems
    }
}

struct ConfigValueError: Error {
    var message: String
}
