import Core
import Shells

/// `GET /fapi/v1/leverageBracket` (§3.1, §8): the same notional brackets for every symbol
/// (Binance's BTCUSDT tiers); `cum` follows Binance's rule, each bracket's `cum` = the previous
/// one's + floor × (its rate − the previous rate). The simulated accounting applies the first
/// bracket (0.004, cum 0) to every notional.
extension LocalBinance {
    struct Bracket {
        let initialLeverage: Int
        let notionalFloor: Fixed
        let notionalCap: Fixed
        let maintenanceRatio: Fixed
        let cumulative: Fixed
    }

    static let brackets: [Bracket] = {
        let tiers: [(leverage: Int, cap: Fixed, ratio: Fixed)] = [
            (125, 50_000, Fixed("0.004")!), (100, 600_000, Fixed("0.005")!), (75, 3_000_000, Fixed("0.0065")!),
            (50, 12_000_000, Fixed("0.01")!), (25, 70_000_000, Fixed("0.02")!),
        ]
        var brackets: [Bracket] = []
        for tier in tiers {
            let floor = brackets.last?.notionalCap ?? 0
            let cumulative = (brackets.last?.cumulative ?? 0) + floor * (tier.ratio - (brackets.last?.maintenanceRatio ?? tier.ratio))
            brackets.append(Bracket(initialLeverage: tier.leverage, notionalFloor: floor, notionalCap: tier.cap,
                                    maintenanceRatio: tier.ratio, cumulative: cumulative))
        }
        return brackets
    }()

    /// One entry per symbol (an array even when `symbol` is sent, as Binance answers).
    func leverageBrackets(_ parameters: [String: String]) -> LocalResponse {
        let symbols: [String]
        switch optionalSymbol(parameters) {
        case .success(let symbol): symbols = symbol.map { [$0] } ?? instruments.keys.sorted()
        case .failure(let refusal): return refusal
        }
        let list = LocalBinance.brackets.enumerated().map { index, bracket in
            #"{"bracket":\#(index + 1),"initialLeverage":\#(bracket.initialLeverage),"notionalCap":\#(bracket.notionalCap),"notionalFloor":\#(bracket.notionalFloor),"maintMarginRatio":\#(bracket.maintenanceRatio),"cum":\#(bracket.cumulative)}"#
        }.joined(separator: ",")
        return LocalResponse(json: "[" + symbols.map { #"{"symbol":"\#($0)","brackets":[\#(list)]}"# }.joined(separator: ",") + "]")
    }
}
