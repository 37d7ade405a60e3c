import Core
import Foundation

/// Tells the operator what the bot does without being asked: entries, exits, halts and errors,
/// by e-mail and/or a JSON webhook. Notifications wait `batch_seconds` to go out together, and
/// each channel sends at most `max_messages_per_hour` messages (the rest wait for the next slot),
/// so a bad day cannot send a thousand mails. Sending happens on threads of its own: a failing
/// server never blocks trading; the batch is kept and retried later with back-off.
public actor Notifier {
    public struct Channels: Sendable {
        public var email: (settings: EmailSettings, password: String?)?
        public var webhookURL: String?

        public init(email: (settings: EmailSettings, password: String?)?, webhookURL: String?) {
            self.email = email
            self.webhookURL = webhookURL
        }
    }

    /// The kinds worth a message.
    public static let kinds: Set<Core.Notification.Kind> = [.entry, .exit, .halt, .error]
    public static let maximumPending = 500

    let channels: Channels
    let batchSeconds: Double
    let maxPerHour: Int
    private var pending: [Core.Notification] = []
    private var dropped = 0
    private var firstPendingAt: Double?
    private var sentAt: [String: [Double]] = [:]
    private var retryAt: [String: Double] = [:]
    private var failures: [String: Int] = [:]
    private var sending = false
    private let now: @Sendable () -> Double
    public private(set) var log: [String] = []

    public init(channels: Channels, settings: NotifySettings,
                now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.channels = channels
        batchSeconds = Double(settings.batchSeconds)
        maxPerHour = settings.maxMessagesPerHour
        self.now = now
    }

    /// Takes a notification at once (never waits for a network).
    public func enqueue(_ notification: Core.Notification) {
        guard Notifier.kinds.contains(notification.kind) else { return }
        if pending.count >= Notifier.maximumPending {
            pending.removeFirst()
            dropped += 1
        }
        pending.append(notification)
        if firstPendingAt == nil { firstPendingAt = now() }
    }

    public var pendingCount: Int { pending.count }

    /// Called about once a second: sends the batch when it is due and a channel may send.
    public func flush() async {
        guard !sending, let first = firstPendingAt, now() - first >= batchSeconds, !pending.isEmpty else { return }
        let batch = pending
        let lost = dropped
        sending = true
        var delivered = true
        if channels.email?.settings.notifications == true { delivered = await deliver(batch, lost: lost, channel: "email") && delivered }
        if channels.webhookURL != nil { delivered = await deliver(batch, lost: lost, channel: "webhook") && delivered }
        sending = false
        if delivered {
            pending.removeFirst(min(batch.count, pending.count))
            dropped = 0
            firstPendingAt = pending.isEmpty ? nil : now()
        }
    }

    /// Sends on one channel unless it is rate-limited or backing off; true when sent.
    private func deliver(_ batch: [Core.Notification], lost: Int, channel: String) async -> Bool {
        let time = now()
        let recent = (sentAt[channel] ?? []).filter { time - $0 < 3_600 }
        sentAt[channel] = recent
        guard recent.count < maxPerHour, time >= retryAt[channel] ?? 0 else { return false }
        let outcome: Result<Void, NotifyFailure> = await Notifier.offThread { [channels] in
            channel == "email" ? Notifier.mail(batch, lost: lost, channels: channels) : Notifier.post(batch, lost: lost, channels: channels)
        }
        switch outcome {
        case .success:
            sentAt[channel, default: []].append(time)
            failures[channel] = 0
            log.append("\(channel): sent \(batch.count) notifications")
            return true
        case .failure(let failure):
            let count = (failures[channel] ?? 0) + 1
            failures[channel] = count
            retryAt[channel] = time + min(1_800, 30 * pow(2, Double(count - 1)))
            log.append("\(channel): \(failure.description); retrying later")
            return false
        }
    }

    struct NotifyFailure: Error, CustomStringConvertible {
        var description: String
    }

    static func offThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in Thread.detachNewThread { continuation.resume(returning: work()) } }
    }

    static func lines(_ batch: [Core.Notification], lost: Int) -> String {
        var lines = batch.map { "\(ISOTime.string($0.time)) [\($0.kind.rawValue)] \($0.market.map { $0 + ": " } ?? "")\($0.text)" }
        if lost > 0 { lines.insert("(\(lost) earlier notifications were dropped: too many at once)", at: 0) }
        return lines.joined(separator: "\n")
    }

    static func mail(_ batch: [Core.Notification], lost: Int, channels: Channels) -> Result<Void, NotifyFailure> {
        guard let (settings, password) = channels.email else { return .success(()) }
        let kinds = Set(batch.map(\.kind.rawValue)).sorted().joined(separator: ", ")
        let message = MailMessage(from: settings.from, to: settings.to, subject: "surge: \(batch.count) notifications (\(kinds))",
                                  text: lines(batch, lost: lost))
        let mailer = SMTPMailer(server: settings.server, user: settings.user, password: password, starttls: settings.starttls)
        do {
            try mailer.send(from: MailMessage.address(settings.from), to: settings.to.map(MailMessage.address), message: message.render())
            return .success(())
        } catch {
            return .failure(NotifyFailure(description: error.description))
        }
    }

    /// `{"source":"surge","dropped":0,"notifications":[{"time","kind","market","text"}…]}`.
    static func post(_ batch: [Core.Notification], lost: Int, channels: Channels) -> Result<Void, NotifyFailure> {
        guard let url = channels.webhookURL else { return .success(()) }
        let items = batch.map { notification in
            "{\"time\":\"\(ISOTime.string(notification.time))\",\"kind\":\"\(notification.kind.rawValue)\","
                + "\"market\":\(notification.market.map { "\"\(UpbitQuery.jsonEscape($0))\"" } ?? "null"),"
                + "\"text\":\"\(UpbitQuery.jsonEscape(notification.text))\"}"
        }
        let body = "{\"source\":\"surge\",\"dropped\":\(lost),\"notifications\":[\(items.joined(separator: ","))]}"
        do {
            let response = try CurlSession().perform(method: "POST", url: url, headers: ["Content-Type: application/json"],
                                                     body: Array(body.utf8), timeoutMilliseconds: 10_000)
            return (200..<300).contains(response.status)
                ? .success(()) : .failure(NotifyFailure(description: "webhook answered HTTP \(response.status)"))
        } catch {
            return .failure(NotifyFailure(description: "webhook unreachable: \(error)"))
        }
    }
}
