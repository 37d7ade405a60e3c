import ArgumentParser
import Core

@main
struct Surge: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "surge",
        abstract: "An automated volume-surge trader for Upbit's KRW markets.",
        version: "0.1.0",
        subcommands: []
    )
}
