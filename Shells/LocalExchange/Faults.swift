/// Faults the local server can be told to inject (`POST /_local/faults`, or in tests directly).
/// Every key is optional in the JSON; absent keys keep their defaults (off).
public struct Faults: Equatable, Sendable, Codable {
    /// The next N REST requests get 429 Too Many Requests (plain text, as Upbit).
    public var tooManyRequests = 0
    /// The next N REST requests get 500.
    public var serverErrors = 0
    /// The next N orders are created but their answer never comes (the server holds it for
    /// `heldAnswerSeconds`, longer than the client waits).
    public var droppedOrderAnswers = 0
    public var heldAnswerSeconds = 30.0
    /// Added to every REST answer.
    public var delayMilliseconds = 0
    /// Every myOrder frame is sent twice.
    public var duplicateMyOrder = false
    /// No myOrder or myAsset frames at all (the bot must ask by identifier).
    public var silentPrivateSocket = false
    /// The next N myOrder frames that carry a fill claim ten times the volume really executed
    /// (a lying update; the order itself is unchanged, as a query shows).
    public var lyingMyOrders = 0
    /// The next N trades (of any market) go out at `bogusPrintFactor` times their price (bogus
    /// prints); the orderbooks are unchanged.
    public var bogusPrints = 0
    public var bogusPrintFactor = 100.0
    /// The next trade of one market is dated this many seconds ahead (negative: behind), once.
    public var skewedTradeSeconds = 0
    /// The next N candle requests get 502 Bad Gateway (the backfill at a market's first trade).
    public var failedCandleFetches = 0
    /// This many hostile frames (nested deep, truncated, wrong types, absurd numbers and dates)
    /// go to every open socket, public and private.
    public var hostileFrames = 0

    public init(tooManyRequests: Int = 0, serverErrors: Int = 0, droppedOrderAnswers: Int = 0,
                heldAnswerSeconds: Double = 30, delayMilliseconds: Int = 0, duplicateMyOrder: Bool = false,
                silentPrivateSocket: Bool = false, lyingMyOrders: Int = 0, bogusPrints: Int = 0, bogusPrintFactor: Double = 100,
                skewedTradeSeconds: Int = 0, failedCandleFetches: Int = 0, hostileFrames: Int = 0) {
        self.tooManyRequests = tooManyRequests
        self.serverErrors = serverErrors
        self.droppedOrderAnswers = droppedOrderAnswers
        self.heldAnswerSeconds = heldAnswerSeconds
        self.delayMilliseconds = delayMilliseconds
        self.duplicateMyOrder = duplicateMyOrder
        self.silentPrivateSocket = silentPrivateSocket
        self.lyingMyOrders = lyingMyOrders
        self.bogusPrints = bogusPrints
        self.bogusPrintFactor = bogusPrintFactor
        self.skewedTradeSeconds = skewedTradeSeconds
        self.failedCandleFetches = failedCandleFetches
        self.hostileFrames = hostileFrames
    }

    public init(from decoder: any Decoder) throws {
        let keys = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        tooManyRequests = try keys.decodeIfPresent(Int.self, forKey: .tooManyRequests) ?? tooManyRequests
        serverErrors = try keys.decodeIfPresent(Int.self, forKey: .serverErrors) ?? serverErrors
        droppedOrderAnswers = try keys.decodeIfPresent(Int.self, forKey: .droppedOrderAnswers) ?? droppedOrderAnswers
        heldAnswerSeconds = try keys.decodeIfPresent(Double.self, forKey: .heldAnswerSeconds) ?? heldAnswerSeconds
        delayMilliseconds = try keys.decodeIfPresent(Int.self, forKey: .delayMilliseconds) ?? delayMilliseconds
        duplicateMyOrder = try keys.decodeIfPresent(Bool.self, forKey: .duplicateMyOrder) ?? duplicateMyOrder
        silentPrivateSocket = try keys.decodeIfPresent(Bool.self, forKey: .silentPrivateSocket) ?? silentPrivateSocket
        lyingMyOrders = try keys.decodeIfPresent(Int.self, forKey: .lyingMyOrders) ?? lyingMyOrders
        bogusPrints = try keys.decodeIfPresent(Int.self, forKey: .bogusPrints) ?? bogusPrints
        bogusPrintFactor = try keys.decodeIfPresent(Double.self, forKey: .bogusPrintFactor) ?? bogusPrintFactor
        skewedTradeSeconds = try keys.decodeIfPresent(Int.self, forKey: .skewedTradeSeconds) ?? skewedTradeSeconds
        failedCandleFetches = try keys.decodeIfPresent(Int.self, forKey: .failedCandleFetches) ?? failedCandleFetches
        hostileFrames = try keys.decodeIfPresent(Int.self, forKey: .hostileFrames) ?? hostileFrames
    }
}

/// The frames of the `hostileFrames` fault, made from a real trade frame.
enum HostileSamples {
    static func frames(count: Int, market: String, time: Int64) -> [String] {
        let trade = #"{"type":"trade","code":"\#(market)","trade_timestamp":\#(time),"timestamp":\#(time),"trade_price":1000,"trade_volume":1,"ask_bid":"BID","sequential_id":1,"stream_type":"REALTIME"}"#
        let kinds = [
            #"{"type":"trade","x":"# + String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000) + "}",
            String(trade.prefix(trade.count / 2)),
            trade.replacingOccurrences(of: #""trade_price":1000"#, with: #""trade_price":"a lot""#),
            trade.replacingOccurrences(of: #""trade_price":1000"#, with: #""trade_price":1e400"#),
            trade.replacingOccurrences(of: #""trade_timestamp":\#(time)"#, with: #""trade_timestamp":9223372036854775807"#),
            trade.replacingOccurrences(of: #""trade_timestamp":\#(time)"#, with: #""trade_timestamp":\#(time + 86_400_000)"#),
            #"{"type":"myOrder","code":"\#(market)","identifier":"x","state":"done","executed_volume":-5,"timestamp":\#(time)}"#,
            #"{"type":"myAsset","assets":[{"currency":"KRW","balance":"lots"}],"timestamp":\#(time)}"#,
            "[[[[", "null", "",
        ]
        return (0..<count).map { kinds[$0 % kinds.count] }
    }
}
