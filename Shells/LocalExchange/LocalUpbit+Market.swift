import Core
import Foundation
import Shells

/// A public socket's subscription: which types of which markets it gets.
struct PublicSocket {
    var continuation: AsyncStream<String>.Continuation
    var trades = Set<String>()
    var orderbooks = Set<String>()
    var tickers = Set<String>()
}

/// Closed 1-minute candles of one market, the newest 200, plus the one building.
struct CandleBook {
    var closed: [Candle] = []
    var building: Candle?

    mutating func add(price: Double, volume: Double, minute: Int64) {
        if let current = building, current.minute != minute {
            closed.append(current)
            if closed.count > 200 { closed.removeFirst(closed.count - 200) }
            building = nil
        }
        if building == nil {
            building = Candle(minute: minute, open: price, high: price, low: price, close: price, volume: volume)
        } else {
            building!.high = max(building!.high, price)
            building!.low = min(building!.low, price)
            building!.close = price
            building!.volume += volume
        }
    }

    /// Newest first, the building candle included (as Upbit's candles endpoint answers).
    func newest(_ count: Int) -> [Candle] {
        Array((closed + (building.map { [$0] } ?? [])).reversed().prefix(count))
    }
}

extension LocalUpbit {
    /// The market's clock: the newest generated frame time.
    var marketNow: Milliseconds { max(generator.nextSecondTime - 1_000, 0) }

    /// Waits until the history is made and the market plays live (its clock is set then).
    public func waitUntilLive() async {
        while clock == .wall, !Task.isCancelled { try? await Task.sleep(for: .milliseconds(20)) }
    }

    /// Plays the market: first the history at once (not broadcast), then one market second per
    /// wall-clock second divided by `speed`, until cancelled.
    public func runFeed() async {
        for _ in 0..<(options.historyMinutes * 60) { ingest(generator.nextSecond(), broadcast: false) }
        clock = DriverClock(speed: options.speed, origin: DriverClock.wallNow(), reading: generator.nextSecondTime)
        let started = ContinuousClock.now
        var seconds = 0.0
        while !Task.isCancelled {
            ingest(generator.nextSecond(), broadcast: true)
            sendHostileFrames()
            seconds += 1
            let due = started + .milliseconds(Int64(seconds * 1_000 / options.speed))
            try? await Task.sleep(until: due, clock: .continuous)
        }
    }

    /// Feeds one second of frames to the exchange, the candles and the sockets.
    func ingest(_ lines: [String], broadcast: Bool) {
        for line in lines {
            guard let frame = try? MarketFrameDecoder.decode(line) else { continue }
            switch frame {
            case .trade(let trade):
                lastTrades[trade.market] = trade
                candles[trade.market, default: CandleBook()]
                    .add(price: trade.price.doubleValue, volume: trade.volume.doubleValue, minute: Time.minute(of: trade.time))
                push(exchange.receive(trade))
                if broadcast { send(faulty(line, trade), type: \.trades, market: trade.market) }
            case .orderbook(let book):
                exchange.receive(book)
                if broadcast { send(line, type: \.orderbooks, market: book.market) }
            case .ticker, .status, .error, .other:
                break
            }
        }
    }

    /// A trade frame as the faults want it: printed at a bogus price, or misdated (once each).
    private func faulty(_ line: String, _ trade: Trade) -> String {
        if faults.bogusPrints > 0 {
            let price = Fixed(String(format: "%.8f", trade.price.doubleValue * faults.bogusPrintFactor)) ?? trade.price
            faults.bogusPrints -= 1
            return line.replacingOccurrences(of: "\"trade_price\":\(trade.price)", with: "\"trade_price\":\(price)")
        }
        if faults.skewedTradeSeconds != 0 {
            let time = trade.time + Milliseconds(faults.skewedTradeSeconds) * 1_000
            faults.skewedTradeSeconds = 0
            return line.replacingOccurrences(of: "\"trade_timestamp\":\(trade.time)", with: "\"trade_timestamp\":\(time)")
        }
        return line
    }

    /// Fault: hostile frames to every open socket.
    func sendHostileFrames() {
        guard faults.hostileFrames > 0 else { return }
        let frames = HostileSamples.frames(count: faults.hostileFrames, market: generator.marketCodes.first ?? "KRW-BTC",
                                           time: marketNow)
        faults.hostileFrames = 0
        for frame in frames {
            for socket in publicSockets.values { socket.continuation.yield(frame) }
            for socket in privateSockets.values { socket.yield(frame) }
        }
    }

    /// Fault: the operator takes KRW out of the account (as a withdrawal); myAsset tells the bot.
    public func withdraw(krw: Fixed) {
        exchange.withdraw(krw: krw)
        let frame = LocalJSON.myAsset(exchange.balances, time: marketNow)
        for socket in privateSockets.values { socket.yield(frame) }
    }

    private func send(_ line: String, type: KeyPath<PublicSocket, Set<String>>, market: String) {
        for socket in publicSockets.values where socket[keyPath: type].contains(market) {
            socket.continuation.yield(line)
        }
    }

    /// Order events of the simulated exchange become myOrder frames (and myAsset after fills).
    func push(_ events: [Event]) {
        guard !faults.silentPrivateSocket else { return }
        var filled = false
        for case .orderUpdated(var update) in events {
            guard let order = exchange.orders[update.identifier] else { continue }
            if faults.lyingMyOrders > 0, update.executedQuantity.isPositive {
                faults.lyingMyOrders -= 1
                update.executedQuantity = update.executedQuantity * 10
            }
            let frame = LocalJSON.myOrder(order, update: update)
            for socket in privateSockets.values {
                socket.yield(frame)
                if faults.duplicateMyOrder { socket.yield(frame) }
            }
            filled = filled || update.executedQuantity.isPositive
        }
        if filled {
            let frame = LocalJSON.myAsset(exchange.balances, time: marketNow)
            for socket in privateSockets.values { socket.yield(frame) }
        }
    }

    // MARK: - Sockets

    func openPublicSocket() -> (id: Int, frames: AsyncStream<String>) {
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        let id = nextSocketId
        nextSocketId += 1
        publicSockets[id] = PublicSocket(continuation: continuation)
        return (id, stream)
    }

    func openPrivateSocket() -> (id: Int, frames: AsyncStream<String>) {
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        let id = nextSocketId
        nextSocketId += 1
        privateSockets[id] = continuation
        return (id, stream)
    }

    func closeSocket(_ id: Int) {
        publicSockets.removeValue(forKey: id)?.continuation.finish()
        privateSockets.removeValue(forKey: id)?.finish()
    }

    /// A subscription replaces the socket's previous one (as on Upbit).
    func subscribe(_ id: Int, trades: Set<String>, orderbooks: Set<String>, tickers: Set<String>) {
        publicSockets[id]?.trades = trades
        publicSockets[id]?.orderbooks = orderbooks
        publicSockets[id]?.tickers = tickers
    }

    /// Verifies a private socket's token (access key and nonce, no query hash).
    func authorizePrivateSocket(_ authorization: String?) -> Bool {
        (try? auth.verify(authorization: authorization, parameters: nil)) != nil
    }

    /// Fault: every socket is dropped at once (their streams end and the server closes them).
    public func dropSockets() {
        for id in Array(publicSockets.keys) + Array(privateSockets.keys) { closeSocket(id) }
    }

    public var socketCount: Int { publicSockets.count + privateSockets.count }
}
