/// Faults the local server can be told to inject (`POST /_local/faults`, or in tests directly).
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

    public init(tooManyRequests: Int = 0, serverErrors: Int = 0, droppedOrderAnswers: Int = 0,
                heldAnswerSeconds: Double = 30, delayMilliseconds: Int = 0, duplicateMyOrder: Bool = false,
                silentPrivateSocket: Bool = false) {
        self.tooManyRequests = tooManyRequests
        self.serverErrors = serverErrors
        self.droppedOrderAnswers = droppedOrderAnswers
        self.heldAnswerSeconds = heldAnswerSeconds
        self.delayMilliseconds = delayMilliseconds
        self.duplicateMyOrder = duplicateMyOrder
        self.silentPrivateSocket = silentPrivateSocket
    }
}
