/// Faults the local Binance can be told to inject (`POST /_local/faults`, or `setFaults` in tests).
/// Every key is optional in the JSON; absent keys keep their defaults (off). Counters count down
/// as the faults fire.
public struct BinanceFaults: Equatable, Sendable, Codable {
    /// The next N REST requests get 429 (-1003) with `Retry-After`, whatever their weight.
    public var tooManyRequests = 0
    /// The next N signed requests get -1021 (timestamp outside the window), not executed.
    public var invalidTimestamps = 0
    /// The next N REST requests get 503 "Unknown error, …": an order request among them IS
    /// executed first (Binance: may have been executed).
    public var unknownErrors = 0
    /// The next N REST requests get 503 "Service Unavailable.", not executed.
    public var serviceUnavailable = 0
    /// The next N REST requests get 503 "Internal error; …" (-1001), not executed.
    public var internalErrors = 0
    /// The next N order placements (regular or algo) are executed, then answered 408 -1007.
    public var timeoutsAfterExecution = 0
    /// The next N order placements are answered 408 -1007 without being executed.
    public var timeoutsWithoutExecution = 0
    /// The next N order placements are executed and the connection is closed without an answer.
    public var droppedOrderAnswers = 0
    /// Every symbol's prices (trades, books, mark, index) fall by this many percent at the next
    /// market second, for good (the walk continues from the lower level). Fires once.
    public var priceDropPercent = 0.0
    /// The active listen key expires at once (`listenKeyExpired` on its sockets). Fires once.
    public var expireListenKey = false
    /// Every user-stream event is sent twice.
    public var duplicateUserEvents = false
    /// The user-stream events of one exchange action (an order's NEW, TRADE_LITE, TRADE and
    /// ACCOUNT_UPDATE; a stop's ALGO_UPDATE sequence) go out in reverse order (their `E` and
    /// `T` unchanged).
    public var reorderUserEvents = false

    public init() {}

    public init(from decoder: any Decoder) throws {
        let keys = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        func int(_ key: CodingKeys) throws -> Int? { try keys.decodeIfPresent(Int.self, forKey: key).map { max(0, $0) } }
        tooManyRequests = try int(.tooManyRequests) ?? tooManyRequests
        invalidTimestamps = try int(.invalidTimestamps) ?? invalidTimestamps
        unknownErrors = try int(.unknownErrors) ?? unknownErrors
        serviceUnavailable = try int(.serviceUnavailable) ?? serviceUnavailable
        internalErrors = try int(.internalErrors) ?? internalErrors
        timeoutsAfterExecution = try int(.timeoutsAfterExecution) ?? timeoutsAfterExecution
        timeoutsWithoutExecution = try int(.timeoutsWithoutExecution) ?? timeoutsWithoutExecution
        droppedOrderAnswers = try int(.droppedOrderAnswers) ?? droppedOrderAnswers
        let drop = try keys.decodeIfPresent(Double.self, forKey: .priceDropPercent) ?? priceDropPercent
        priceDropPercent = drop.isFinite ? min(max(drop, 0), 99) : 0
        expireListenKey = try keys.decodeIfPresent(Bool.self, forKey: .expireListenKey) ?? expireListenKey
        duplicateUserEvents = try keys.decodeIfPresent(Bool.self, forKey: .duplicateUserEvents) ?? duplicateUserEvents
        reorderUserEvents = try keys.decodeIfPresent(Bool.self, forKey: .reorderUserEvents) ?? reorderUserEvents
    }
}
