import Core
import TestSupport
import Foundation
import HTTPTypes
import Hummingbird
import Live
import LocalExchange
import Logging
import Shells
import Testing

/// A webhook endpoint on loopback that keeps what it is sent.
actor WebhookInbox {
    var bodies: [String] = []
    func add(_ body: String) { bodies.append(body) }
}

func withWebhook(_ body: @Sendable (String, WebhookInbox) async throws -> Void) async throws {
    let inbox = WebhookInbox()
    let router = Router()
    router.post("/hook") { request, _ -> Response in
        let buffer = try await request.body.collect(upTo: 1 << 20)
        await inbox.add(String(buffer: buffer))
        return Response(status: .ok)
    }
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    var logger = Logger(label: "hook")
    logger.logLevel = .critical
    let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                          onServerRunning: { continuation.yield($0.localAddress?.port ?? 0) }, logger: logger)
    let server = Task { try await app.run() }
    defer { server.cancel() }
    var iterator = ports.makeAsyncIterator()
    let port = await iterator.next()!
    try await body("http://127.0.0.1:\(port)/hook", inbox)
}

final class Clock: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 1_000_000.0
    var now: Double { lock.withLock { value } }
    func advance(_ seconds: Double) { lock.withLock { value += seconds } }
}

func note(_ kind: Core.Notification.Kind, _ text: String) -> Core.Notification {
    Core.Notification(kind: kind, market: "KRW-BTC", text: text, time: 1_767_225_600_000)
}

@Suite(.serialized) struct NotifierTests {
    @Test func notificationsAreBatchedIntoOneWebhookPost() async throws {
        try await withWebhook { url, inbox in
            let clock = Clock()
            var settings = NotifySettings()
            settings.batchSeconds = 10
            let notifier = Notifier(channels: .init(email: nil, webhookURL: url), settings: settings, now: { clock.now })
            await notifier.enqueue(note(.entry, "bought 1 KRW-BTC"))
            await notifier.enqueue(note(.resume, "not worth a message"))
            await notifier.enqueue(note(.exit, "take_profit: sold \"1\" KRW-BTC"))
            await notifier.flush()
            #expect(await inbox.bodies.isEmpty)  // the batch waits 10 s
            clock.advance(10)
            await notifier.flush()
            #expect(await inbox.bodies == [
                #"{"source":"surge","dropped":0,"notifications":[{"time":"2026-01-01T00:00:00.000Z","kind":"entry","market":"KRW-BTC","text":"bought 1 KRW-BTC"},{"time":"2026-01-01T00:00:00.000Z","kind":"exit","market":"KRW-BTC","text":"take_profit: sold \"1\" KRW-BTC"}]}"#,
            ])
            #expect(await notifier.pendingCount == 0)
        }
    }

    /// A flush whose POST failed for the machine's sake (a loopback answer slower than the 10 s
    /// timeout while every core runs other suites) is tried again as the notifier would, 30 s
    /// later; a failure for the test's own reasons (the hourly cap) is not a POST at all.
    static func flush(_ notifier: Notifier, _ clock: Clock) async {
        await notifier.flush()
        for _ in 0..<3 where await notifier.log.last?.hasSuffix("retrying later") == true {
            clock.advance(31)
            await notifier.flush()
        }
    }

    @Test func aBadDayCannotSendMoreThanTheHourlyCap() async throws {
        try await withWebhook { url, inbox in
            let clock = Clock()
            var settings = NotifySettings()
            settings.batchSeconds = 1
            settings.maxMessagesPerHour = 2
            let notifier = Notifier(channels: .init(email: nil, webhookURL: url), settings: settings, now: { clock.now })
            for round in 0..<5 {
                await notifier.enqueue(note(.halt, "halt \(round)"))
                clock.advance(60)
                await NotifierTests.flush(notifier, clock)
            }
            #expect(await inbox.bodies.count == 2)
            #expect(await notifier.pendingCount == 3)  // waiting for the next hour
            clock.advance(3_600)
            await NotifierTests.flush(notifier, clock)
            #expect(await inbox.bodies.count == 3)
            #expect(await inbox.bodies.last?.contains("halt 4") == true)
            #expect(await notifier.pendingCount == 0)
        }
    }

    @Test func aDownMailServerIsRetriedLaterAndKeepsTheBatch() async throws {
        let clock = Clock()
        var email = EmailSettings()
        email.server = "smtp://127.0.0.1:1"
        email.from = "bot@example.com"
        email.to = ["me@example.com"]
        email.starttls = false
        var settings = NotifySettings()
        settings.batchSeconds = 1
        let notifier = Notifier(channels: .init(email: (email, nil), webhookURL: nil), settings: settings, now: { clock.now })
        await notifier.enqueue(note(.error, "stuck"))
        clock.advance(1)
        await notifier.flush()
        #expect(await notifier.pendingCount == 1)
        #expect(await notifier.log.last?.hasSuffix("retrying later") == true)
    }

    /// While the mail server hangs (it accepts the connection and never speaks), the bot trades on.
    @Test func aHangingMailServerDoesNotBlockTheDriver() async throws {
        let blackhole = try BlackholeServer()
        try await withLocalUpbit(.fast) { upbit, port in
            var email = EmailSettings()
            email.server = "smtp://127.0.0.1:\(blackhole.port)"
            email.from = "bot@example.com"
            email.to = ["me@example.com"]
            email.starttls = false
            var notify = NotifySettings()
            notify.batchSeconds = 1
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            var setup = LiveDriver.Setup(settings: localSettings(port), mode: .paper, credentials: nil, identifierPrefix: "hm")
            setup.clock = await upbit.clock
            setup.notifier = Notifier(channels: .init(email: (email, nil), webhookURL: nil), settings: notify)
            let driver = LiveDriver(setup: setup, logger: logger)
            let run = Task { await driver.run() }
            defer { run.cancel() }
            // entries produce notifications; the mail hangs; market data keeps being processed
            let traded = await eventually(60) {
                let state = await driver.state
                let legs = await driver.sessionLegs
                return !state.positions.isEmpty || !legs.isEmpty
            }
            #expect(traded)
            let before = await driver.state.risk.lastMarketDataAt ?? 0
            try await Task.sleep(for: .seconds(4))
            #expect((await driver.state.risk.lastMarketDataAt ?? 0) > before + 2_000)
            #expect(blackhole.connections() >= 1)
        }
    }

    @Test func theDailyReportIsDueOncePerKSTDayAtItsTime() {
        let nine = DailyTime("09:00")!
        let eightFiftyNineKST: Milliseconds = 1_767_225_540_000  // 2026-01-01 08:59 KST
        #expect(DailyReportSchedule.due(now: eightFiftyNineKST, at: nine, lastDay: nil, offsetMinutes: 540) == nil)
        let nineKST = eightFiftyNineKST + 60_000
        let day = DailyReportSchedule.due(now: nineKST, at: nine, lastDay: nil, offsetMinutes: 540)
        #expect(day != nil)
        #expect(DailyReportSchedule.due(now: nineKST + 3_600_000, at: nine, lastDay: day, offsetMinutes: 540) == nil)
        #expect(DailyReportSchedule.due(now: nineKST + 86_400_000, at: nine, lastDay: day, offsetMinutes: 540) == day! + 1)
    }
}

/// A TCP port that accepts connections and never answers (a hanging mail server).
final class BlackholeServer: @unchecked Sendable {
    let port: Int
    private let socketDescriptor: Int32
    private let lock = NSLock()
    private var accepted: [Int32] = []

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) } }
        listen(descriptor, 16)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) } }
        socketDescriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { [weak self] in
            while true {
                let client = accept(descriptor, nil, nil)
                if client < 0 { return }
                guard let self else { close(client); return }
                self.lock.withLock { self.accepted.append(client) }
            }
        }
    }

    func connections() -> Int { lock.withLock { accepted.count } }

    deinit {
        shutdown(socketDescriptor, Int32(SHUT_RDWR))
        close(socketDescriptor)
        for client in accepted { close(client) }
    }
}
