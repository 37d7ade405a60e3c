import ArgumentParser
import Core
import Shells

/// `surge config`: checks a config file and prints the settings the bot would run with.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check a config file and print the effective settings (defaults filled in)."
    )

    @Option(name: .long, help: "The TOML config file (default: built-in defaults).")
    var config: String?

    func run() throws {
        let settings = try Settings.load(option: config)
        print(SettingsPrinter.toml(settings))
    }
}
