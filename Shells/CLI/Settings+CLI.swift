import ArgumentParser
import Shells

extension Settings {
    /// The settings of `--config FILE`, or the defaults; a bad file is a usage error listing
    /// every problem (the process exits before anything runs).
    static func load(option path: String?) throws -> Settings {
        do {
            return try path.map(ConfigFile.load(path:)) ?? Settings()
        } catch let error as ConfigFileError {
            throw ValidationError("\n" + error.description)
        }
    }
}
