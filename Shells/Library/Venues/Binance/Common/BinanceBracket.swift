import Core

/// One leverage bracket of a symbol (`GET /fapi/v1/leverageBracket`, binance-futures.md §3.1, §8):
/// up to `notionalCap` of notional the symbol allows `initialLeverage` and keeps
/// `maintenanceRatio` × notional − `cumulative` as maintenance margin.
public struct BinanceBracket: Equatable, Sendable {
    public var initialLeverage: Int
    public var notionalCap: Fixed
    public var maintenanceRatio: Fixed
    public var cumulative: Fixed

    public init(initialLeverage: Int, notionalCap: Fixed, maintenanceRatio: Fixed, cumulative: Fixed) {
        self.initialLeverage = initialLeverage
        self.notionalCap = notionalCap
        self.maintenanceRatio = maintenanceRatio
        self.cumulative = cumulative
    }

    /// The listings with what the brackets say: the symbol's maximum leverage (its lowest
    /// bracket's) and its maintenance tiers. A symbol without brackets keeps the defaults.
    public static func apply(_ brackets: [String: [BinanceBracket]], to listings: [MarketListing]) -> [MarketListing] {
        listings.map { listing in
            guard let tiers = brackets[listing.market], let first = tiers.first, var instrument = listing.instrument else {
                return listing
            }
            var read = listing
            instrument.kind = .perpetual(maximumLeverage: first.initialLeverage)
            instrument.maintenanceTiers = tiers.map {
                MaintenanceTier(notionalCap: $0.notionalCap, rate: $0.maintenanceRatio, amount: $0.cumulative)
            }
            read.instrument = instrument
            return read
        }
    }
}
