/// One maintenance-margin bracket of a perpetual (Binance's leverage brackets, binance-futures.md
/// §8): a position of a notional up to `notionalCap` keeps `rate` × notional − `amount` as
/// maintenance margin (`amount` is Binance's `cum`).
public struct MaintenanceTier: Equatable, Codable, Sendable {
    public var notionalCap: Fixed
    public var rate: Fixed
    public var amount: Fixed

    public init(notionalCap: Fixed, rate: Fixed, amount: Fixed) {
        self.notionalCap = notionalCap
        self.rate = rate
        self.amount = amount
    }

    /// Where a symbol's own brackets are unknown: the lowest one Binance lists for BTCUSDT
    /// (0.4 %, no amount), the fact sheet's worked example.
    public static let fallback = MaintenanceTier(notionalCap: Instrument.largest, rate: Fixed(raw: 40_000_000_000_000), amount: 0)
}

public enum NoTiers: DecodingDefault { public static var value: [MaintenanceTier] { [] } }

extension Instrument {
    /// The bracket of a notional: the first whose cap it does not exceed (the last beyond them
    /// all); `MaintenanceTier.fallback` without brackets.
    public func maintenanceTier(notional: Fixed) -> MaintenanceTier {
        maintenanceTiers.first { notional <= $0.notionalCap } ?? maintenanceTiers.last ?? .fallback
    }

    /// The most leverage the venue allows on the symbol (nil on a spot venue).
    public var maximumLeverage: Int? {
        if case .perpetual(let maximum) = kind { return maximum }
        return nil
    }
}
