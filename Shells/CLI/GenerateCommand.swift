import ArgumentParser
import Shells

/// `surge generate`: a synthetic market in the recording format, for demos and tests.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a synthetic market (trades, orderbooks, volume surges) as a recording of a venue."
    )

    @Option(help: "Random seed: the same seed gives the same file.") var seed: UInt64
    @Option(help: "Minutes of market time.") var minutes: Int
    @Option(help: "Number of markets (KRW markets on Upbit; at most 8 USDT perpetuals on binance-futures).") var markets = 20
    @Option(help: "The venue (binance-futures: aggTrade, depth20 and markPrice frames after an exchangeInfo line).")
    var venue = Venue.upbit
    @Option(help: "Output file (JSON Lines; .gz is compressed).") var out: String

    func validate() throws {
        guard minutes > 0 else { throw ValidationError("--minutes must be positive") }
        guard (1...500).contains(markets) else { throw ValidationError("--markets must be 1...500") }
    }

    func run() throws {
        let writer = try LineWriter(path: out)
        var frames = 0
        if venue == .binanceFutures {
            var generator = FuturesMarketGenerator(seed: seed, symbols: markets)
            try writer.write(generator.exchangeInfoLine())
            for _ in 0..<(minutes * 60) {
                for line in generator.nextSecond() {
                    try writer.write(line)
                    frames += 1
                }
            }
        } else {
            var generator = MarketGenerator(seed: seed, markets: markets)
            for _ in 0..<(minutes * 60) {
                for line in generator.nextSecond() {
                    try writer.write(line)
                    frames += 1
                }
            }
        }
        try writer.close()
        print("wrote \(frames) frames (\(markets) markets, \(minutes) minutes) to \(out)")
    }
}
