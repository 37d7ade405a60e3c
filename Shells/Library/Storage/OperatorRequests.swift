import Core
import Foundation

/// What an operator asks a running bot through its state directory: `surge close MARKET`,
/// `surge pause`, `surge resume` each drop one small file into `STATE/control/`; the bot reads
/// them once a second, turns them into events (journaled like any other) and deletes them.
/// Requests wait there while no bot runs, and are applied at its next start.
public enum OperatorRequests {
    public enum Request: Equatable, Sendable {
        case close(market: String)
        case pause
        case resume
    }

    public struct Problem: Error, CustomStringConvertible {
        public var description: String
    }

    /// Largest request file read; anything bigger is not ours.
    static let maximumBytes = 1_024
    /// At most this many requests are taken per second.
    public static let perRead = 16

    static func folder(_ stateDirectory: String) -> String { stateDirectory + "/control" }

    /// Writes a request atomically (a temporary file renamed into place).
    public static func submit(_ request: Request, stateDirectory: String) throws {
        let folder = folder(stateDirectory)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        let nanoseconds = Int64(time.tv_sec) * 1_000_000_000 + Int64(time.tv_nsec)  // oldest first, by name
        let name = String(format: "%019lld-%d-%08x", nanoseconds, getpid(), UInt32.random(in: 0...UInt32.max))
        let temporary = folder + "/." + name
        try Data(text(request).utf8).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, folder + "/" + name + ".request") == 0 else {
            throw Problem(description: "cannot write \(folder): \(String(cString: strerror(errno)))")
        }
    }

    /// The waiting requests, oldest first (at most `perRead`), each with its file; files that are
    /// not a valid request come back as problems (to be logged and removed).
    public static func pending(stateDirectory: String) -> [(path: String, request: Result<Request, Problem>)] {
        let folder = folder(stateDirectory)
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        return names.filter { $0.hasSuffix(".request") }.sorted().prefix(perRead).map { name in
            let path = folder + "/" + name
            return (path, read(path))
        }
    }

    public static func remove(_ path: String) { unlink(path) }

    static func read(_ path: String) -> Result<Request, Problem> {
        guard let handle = FileHandle(forReadingAtPath: path) else { return .failure(Problem(description: "unreadable")) }
        defer { try? handle.close() }
        let data = (try? handle.read(upToCount: maximumBytes + 1)) ?? Data()
        guard data.count <= maximumBytes else { return .failure(Problem(description: "larger than \(maximumBytes) bytes")) }
        return parse(String(decoding: data, as: UTF8.self))
    }

    /// A market code of a venue the bot trades: Upbit's `KRW-BTC` or Binance's `BTCUSDT`.
    public static func isMarketCode(_ text: String) -> Bool {
        UpbitVenue.isKRWMarket(text) || (text.hasSuffix(BinanceVenue.quoteAsset) && (try? BinanceChecks.symbol(text)) != nil)
    }

    /// One line: `close KRW-BTC` (or `close BTCUSDT`), `pause` or `resume`.
    static func parse(_ text: String) -> Result<Request, Problem> {
        let words = text.split(whereSeparator: \.isWhitespace)
        switch (words.first, words.count) {
        case ("close", 2) where isMarketCode(String(words[1])): return .success(.close(market: String(words[1])))
        case ("pause", 1): return .success(.pause)
        case ("resume", 1): return .success(.resume)
        default: return .failure(Problem(description: "not a request: \(text.prefix(80))"))
        }
    }

    static func text(_ request: Request) -> String {
        switch request {
        case .close(let market): "close \(market)\n"
        case .pause: "pause\n"
        case .resume: "resume\n"
        }
    }
}
