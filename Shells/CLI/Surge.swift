import ArgumentParser

@main
struct Surge: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "surge",
        abstract: "An automated volume-surge trader for Upbit's KRW markets.",
        discussion: """
            Buys the KRW markets whose volume surges most (RSI >= 30, volume >= 2x its average, more \
            bids than asks) and manages each position with take-profit / stop-loss, partial \
            take-profit and a trailing stop. See README.md.
            """,
        version: "0.1.0",
        subcommands: [DemoCommand.self, RunCommand.self, StatusCommand.self, CloseCommand.self, PauseCommand.self, ResumeCommand.self, RecordCommand.self, ReportCommand.self, BacktestCommand.self, GenerateCommand.self, ExchangeCommand.self, SimulateCommand.self, ConfigCommand.self]
    )
}
