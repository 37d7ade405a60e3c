import Core
import Shells

/// A market-data socket: its route (`/public` or `/market`), its mode (raw `ws` or wrapped
/// `stream`) and its streams.
struct BinanceMarketSocket {
    var continuation: AsyncStream<String>.Continuation
    var isPublicRoute: Bool
    var wrapped: Bool
    var streams = Set<String>()
    /// Arrival times (wall ms) of the incoming messages of the last second.
    var recentMessages: [Milliseconds] = []
}

/// A user-data socket on a listen key, with the events it asked for (nil: all).
struct BinanceUserSocket {
    var continuation: AsyncStream<String>.Continuation
    var listenKey: String
    var events: Set<String>?
}

extension LocalBinance {
    static let maximumStreams = 1_024
    static let maximumMessagesPerSecond = 10

    /// Which route serves a stream (§7.1): depth and bookTicker on /public; aggTrade and
    /// markPrice on /market. A stream on the wrong route is accepted and delivers nothing.
    static func isPublicStream(_ stream: String) -> Bool { stream.contains("@depth") || stream.hasSuffix("@bookTicker") }

    /// Names a subscriber may use for what the generator sends (`@depth20@100ms`, `@markPrice@1s`).
    static func aliases(_ stream: String) -> [String] {
        if stream.hasSuffix("@depth20@100ms") { return [stream, String(stream.dropLast("@100ms".count))] }
        if stream.hasSuffix("@markPrice@1s") { return [stream, String(stream.dropLast("@1s".count))] }
        return [stream]
    }

    func broadcast(_ stream: String, _ data: String) {
        for name in LocalBinance.aliases(stream) {
            let isPublic = LocalBinance.isPublicStream(name)
            for socket in marketSockets.values where socket.isPublicRoute == isPublic && socket.streams.contains(name) {
                socket.continuation.yield(socket.wrapped ? #"{"stream":"\#(name)","data":\#(data)}"# : data)
            }
        }
    }

    /// A user-data event to the sockets of the active key (held back while a batch is open).
    func sendUser(_ frame: String, type: String) {
        if pendingUserFrames != nil {
            pendingUserFrames?.append((frame, type))
            return
        }
        deliverUser(frame, type: type)
    }

    /// Sends a batch's frames, in order or, under the `reorderUserEvents` fault, reversed.
    func flushUserFrames() {
        let frames = pendingUserFrames ?? []
        pendingUserFrames = nil
        for (frame, type) in faults.reorderUserEvents ? frames.reversed() : frames { deliverUser(frame, type: type) }
    }

    private func deliverUser(_ frame: String, type: String) {
        for socket in userSockets.values where socket.listenKey == listenKey?.key || type == "listenKeyExpired" {
            guard socket.events?.contains(type) ?? true else { continue }
            socket.continuation.yield(frame)
            if faults.duplicateUserEvents { socket.continuation.yield(frame) }
        }
    }

    /// A market socket with its first streams (nil when more than 1024).
    func openMarketSocket(isPublicRoute: Bool, wrapped: Bool, streams: [String]) -> (id: Int, frames: AsyncStream<String>)? {
        guard streams.count <= LocalBinance.maximumStreams else { return nil }
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        let id = nextSocketId
        nextSocketId += 1
        marketSockets[id] = BinanceMarketSocket(continuation: continuation, isPublicRoute: isPublicRoute, wrapped: wrapped,
                                                streams: Set(streams))
        return (id, stream)
    }

    /// A user socket, when the key is the active one.
    func openUserSocket(listenKey key: String, events: Set<String>?) -> (id: Int, frames: AsyncStream<String>)? {
        guard key == listenKey?.key else { return nil }
        let (stream, continuation) = AsyncStream<String>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        let id = nextSocketId
        nextSocketId += 1
        userSockets[id] = BinanceUserSocket(continuation: continuation, listenKey: key, events: events)
        return (id, stream)
    }

    func closeSocket(_ id: Int) {
        marketSockets.removeValue(forKey: id)?.continuation.finish()
        userSockets.removeValue(forKey: id)?.continuation.finish()
    }

    func closeUserSockets(_ key: String) {
        for (id, socket) in userSockets where socket.listenKey == key { closeSocket(id) }
    }

    /// A live message on a market socket: SUBSCRIBE, UNSUBSCRIBE, LIST_SUBSCRIPTIONS (§7.2). Its
    /// answer, or nil when the socket must be closed (more than 10 messages in a second, more
    /// than 1024 streams).
    func message(_ id: Int, _ text: String) -> String? {
        guard var socket = marketSockets[id] else { return nil }
        let now = DriverClock.wallNow()
        socket.recentMessages = socket.recentMessages.filter { now - $0 < 1_000 } + [now]
        marketSockets[id] = socket
        guard socket.recentMessages.count <= LocalBinance.maximumMessagesPerSecond else { return nil }
        guard text.utf8.count <= 65_536, let json = try? JSONValue.parse(text), let method = json["method"]?.string else {
            return #"{"error":{"code":3,"msg":"Invalid JSON: expected a method"}}"#
        }
        let identifier = json["id"].map(LocalBinance.render) ?? "null"
        let names = (json["params"]?.array ?? []).compactMap(\.string)
        guard names.allSatisfy({ $0.utf8.count <= 128 }) else {
            return #"{"error":{"code":2,"msg":"Invalid request: stream name too long"},"id":\#(identifier)}"#
        }
        switch method {
        case "SUBSCRIBE":
            socket.streams.formUnion(names)
            guard socket.streams.count <= LocalBinance.maximumStreams else { return nil }
        case "UNSUBSCRIBE":
            socket.streams.subtract(names)
        case "LIST_SUBSCRIPTIONS":
            let list = socket.streams.sorted().map { "\"\($0)\"" }.joined(separator: ",")
            return #"{"result":[\#(list)],"id":\#(identifier)}"#
        default:
            return #"{"error":{"code":2,"msg":"Invalid request: unknown method"},"id":\#(identifier)}"#
        }
        marketSockets[id] = socket
        return #"{"result":null,"id":\#(identifier)}"#
    }

    /// Fault: every socket is dropped at once.
    public func dropSockets() {
        for id in Array(marketSockets.keys) + Array(userSockets.keys) { closeSocket(id) }
    }

    public var socketCount: Int { marketSockets.count + userSockets.count }
}
