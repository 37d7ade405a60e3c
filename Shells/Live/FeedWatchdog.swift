import Foundation

/// Turns silence of the market feed into one `feedStalled` per silence: `check` says "stalled"
/// once when no frame came for `staleAfter`, and again only after frames flowed in between.
struct FeedWatchdog {
    let staleAfter: Duration
    private var lastFrameAt = ContinuousClock.now
    private var reported = false

    init(staleAfterSeconds: Int) { staleAfter = .seconds(staleAfterSeconds) }

    mutating func frameArrived() { lastFrameAt = .now }

    /// True when the feed just went silent for `staleAfter` (the driver then reconnects).
    mutating func check() -> Bool {
        let silent = ContinuousClock.now - lastFrameAt >= staleAfter
        defer { reported = silent }
        return silent && !reported
    }
}
