import ArgumentParser
import Core
import Foundation
import Logging
import Live
import Shells

/// `surge run`: trade on the live feed, on paper (default) or for real.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Trade the configured venue: paper by default (simulated fills), --live for real orders.",
        discussion: """
            The venue is [venue] name in the config: upbit (KRW spot, the default) or binance-futures \
            (USDⓈ-M perpetuals). Live mode needs UPBIT_ACCESS_KEY and UPBIT_SECRET_KEY (or BINANCE_API_KEY \
            and BINANCE_SECRET_KEY) in the environment or in --keys FILE (NAME=value lines, mode 0600). \
            rest_url and ws_url of [upbit] / [binance] point the bot at any compatible server (surge \
            exchange runs one locally). Stops cleanly on SIGINT/SIGTERM.
            """
    )

    @Option(help: "The TOML config file (default: built-in defaults).") var config: String?
    @Flag(help: "Simulated fills on live data, starting from capital.initial_capital (the default).") var paper = false
    @Flag(help: "Real orders with real money.") var live = false
    @Option(help: "Key file with UPBIT_ACCESS_KEY=… and UPBIT_SECRET_KEY=… (or BINANCE_API_KEY / BINANCE_SECRET_KEY), mode 0600.") var keys: String?
    @Option(help: "Stop after this many minutes (default: until SIGINT/SIGTERM).") var minutes: Double?
    @Option(help: "State directory: the store (live), ledger.jsonl (live) or paper-ledger.jsonl (paper); one bot per directory.") var state = "state"
    @Flag(help: "Log every decision.") var verbose = false
    @Option(help: .hidden) var clock: String?  // SPEED,ORIGIN,READING of a local market played faster (tests)

    func validate() throws {
        if paper && live { throw ValidationError("choose --paper or --live, not both") }
    }

    func run() async throws {
        let settings = try Settings.load(option: config)
        var credentials: UpbitCredentials?
        var binanceKeys: BinanceSigner?
        if live {
            let environment = ProcessInfo.processInfo.environment
            do {
                switch settings.venue {
                case .upbit: credentials = try KeyFile.credentials(file: keys, environment: environment)
                case .binanceFutures: binanceKeys = try KeyFile.binanceSigner(file: keys, environment: environment)
                }
            } catch {
                throw CommandFailure(message: "live mode: \(error)")
            }
        }
        let lock: StateDirectoryLock
        do { lock = try StateDirectoryLock(directory: state) } catch { throw CommandFailure(message: "\(error)") }
        let logger = LogSetup.bootstrapOnce(verbose: verbose)
        var setup = LiveDriver.Setup(settings: settings, mode: live ? .live : .paper, credentials: credentials,
                                     identifierPrefix: IdentifierPrefix.fresh())
        setup.binanceKeys = binanceKeys
        setup.stateDirectory = state
        if let clock {
            guard let parsed = DriverClock(argument: clock) else { throw CommandFailure(message: "--clock: SPEED,ORIGIN,READING") }
            setup.clock = parsed
        }
        do {
            setup.emailPassword = try settings.email.flatMap {
                try ReportMail.password($0, environment: ProcessInfo.processInfo.environment)
            }
        } catch {
            throw CommandFailure(message: "\(error)")
        }
        if settings.email != nil || settings.notify.webhookURL != nil {
            let email = settings.email.map { (settings: $0, password: setup.emailPassword) }
            setup.notifier = Notifier(channels: .init(email: email, webhookURL: settings.notify.webhookURL),
                                      settings: settings.notify)
        }
        let venueURL = settings.venue == .upbit ? settings.upbit.restURL : settings.binance.restURL
        let keyText = credentials.map { "\($0)" } ?? binanceKeys.map { "\($0)" } ?? "no keys"
        logger.info("surge \(live ? "LIVE" : "paper") on \(settings.venue.rawValue) at \(venueURL), \(keyText)")
        let driver = LiveDriver(setup: setup, logger: logger)
        if let refusal = await driver.preflight() { throw CommandFailure(message: refusal) }
        do {
            try await driver.openStore()
        } catch {
            throw CommandFailure(message: "cannot recover the state in \(state): \(error)")
        }
        await runUntilStopped(minutes: minutes) { await driver.run() }
        print(await driver.summary())
        withExtendedLifetime(lock) {}  // held until the bot stopped
    }
}

/// Runs `work` until SIGINT / SIGTERM or the time limit, then cancels it and waits for it.
func runUntilStopped(minutes: Double?, _ work: @escaping @Sendable () async -> Void) async {
    let task = Task { await work() }
    signal(SIGINT, SIG_IGN)
    signal(SIGTERM, SIG_IGN)
    let sources = [SIGINT, SIGTERM].map { DispatchSource.makeSignalSource(signal: $0, queue: .main) }
    for source in sources {
        source.setEventHandler { task.cancel() }
        source.resume()
    }
    if let minutes {
        Task {
            try? await Task.sleep(for: .milliseconds(Int(minutes * 60_000)))
            task.cancel()
        }
    }
    await task.value
    for source in sources { source.cancel() }
}

enum LogSetup {
    nonisolated(unsafe) private static var bootstrapped = false

    /// One-line logs on stderr: time, level, message. Secrets never reach them (credentials print
    /// as the first four characters of the access key).
    static func bootstrapOnce(verbose: Bool) -> Logger {
        if !bootstrapped {
            LoggingSystem.bootstrap(StreamLogHandler.standardError)
            bootstrapped = true
        }
        var logger = Logger(label: "surge")
        logger.logLevel = verbose ? .debug : .info
        return logger
    }
}
