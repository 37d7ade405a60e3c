import Core

/// Everything the TOML file sets: the strategy (`Core.Config`) and the shells' own settings.
public struct Settings: Equatable, Sendable {
    public var strategy = Config()
    public var upbit = UpbitSettings()

    public init() {}
}

/// `[upbit]`: where the exchange is, so the bot can talk to any Upbit-compatible server.
public struct UpbitSettings: Equatable, Sendable {
    public var restURL = "https://api.upbit.com"
    /// The public socket; the private one is this URL + `/private`.
    public var webSocketURL = "wss://api.upbit.com/websocket/v1"

    public init() {}
}
