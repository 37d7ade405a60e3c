import Core
import Shells

/// Binance's parameters read and checked, and the exchange's refusals as Binance's codes (§5).
extension LocalBinance {
    static func side(_ text: String?) -> Side? {
        switch text {
        case "BUY": .buy
        case "SELL": .sell
        default: nil
        }
    }

    /// A quantity on the symbol's step and within its bounds (-1111, -4003, -4004, -4005).
    static func quantity(_ text: String?, _ instrument: Instrument) -> Result<Fixed, LocalResponse> {
        guard let text, let value = Fixed(text) else {
            return .failure(.error(400, -1102, "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed."))
        }
        guard value.isPositive else { return .failure(.error(400, -4003, "Quantity less than or equal to zero.")) }
        guard value.floored(toMultipleOf: instrument.quantityStep) == value else {
            return .failure(.error(400, -1111, "Precision is over the maximum defined for this asset."))
        }
        guard value >= instrument.minimumQuantity else { return .failure(.error(400, -4004, "Quantity less than minimum quantity.")) }
        if value > instrument.maximumQuantity {
            return .failure(.error(400, -4005, "Quantity greater than maximum quantity."))
        }
        return .success(value)
    }

    /// A positive price on the tick grid (-4013, -4014).
    static func price(_ text: String?, _ instrument: Instrument) -> Result<Fixed, LocalResponse> {
        guard let text, let value = Fixed(text) else {
            return .failure(.error(400, -1102, "Mandatory parameter 'price' was not sent, was empty/null, or malformed."))
        }
        guard value.isPositive else { return .failure(.error(400, -4013, "Price less than min price.")) }
        let tick = instrument.tickScheme.tick(for: value)
        guard value.floored(toMultipleOf: tick) == value else { return .failure(.error(400, -4014, "Price not increased by tick size.")) }
        return .success(value)
    }

    /// The client's id when valid (-4015), else one made up as Binance does.
    func clientIdentifier(_ text: String?) -> Result<String, LocalResponse> {
        guard let text else {
            defer { book.nextGeneratedClientId += 1 }
            return .success("local-\(book.nextGeneratedClientId)")
        }
        let bytes = text.utf8
        let valid = (1...36).contains(bytes.count) && bytes.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || [UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "/"), UInt8(ascii: "_"), UInt8(ascii: "-")].contains(byte)
        }
        return valid ? .success(text) : .failure(.error(400, -4015, "Client order id is not valid."))
    }

    /// The exchange's refusal names as Binance's codes (§5).
    func refused(_ error: String) -> LocalResponse {
        let (code, message): (Int, String) = switch error {
        case "duplicated_client_order_id": (-4116, "ClientOrderId is duplicated.")
        case "invalid_quantity": (-4003, "Quantity less than or equal to zero.")
        case "reduce_only_rejected": (-2022, "ReduceOnly Order is rejected.")
        case "min_notional": (-4164, "Order's notional must be no smaller than 5 (unless you choose reduce only).")
        case "insufficient_margin": (-2019, "Margin is insufficient.")
        default: (-2010, "New order rejected: \(error).")
        }
        orderRefusals[code, default: 0] += 1
        return .error(400, code, message)
    }
}
