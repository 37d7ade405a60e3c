import ArgumentParser
import Shells

extension Settings {
    /// The settings of `--config FILE`, or the defaults; a bad file stops the command before
    /// anything runs, listing every problem.
    static func load(option path: String?) throws -> Settings {
        do {
            return try path.map(ConfigFile.load(path:)) ?? Settings()
        } catch let error as ConfigFileError {
            throw CommandFailure(message: "the config cannot run:\n" + error.description)
        }
    }
}

/// A failure that is not a usage mistake: printed as "Error: …", exit status 1.
struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// `--venue upbit|binance-futures` (ArgumentParser lists the values and refuses others).
extension Venue: ExpressibleByArgument {}

extension Settings {
    /// The config's venue, unless `--venue` chose another.
    mutating func choose(_ venue: Venue?) {
        if let venue { self.venue = venue }
    }
}
