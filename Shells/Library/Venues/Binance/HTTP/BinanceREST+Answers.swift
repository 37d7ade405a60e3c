import Core

/// Binance's answers turned into core values. Every amount is checked (not negative where it
/// cannot be, below 10^15), every id must fit an Int64, every list is bounded; an answer that
/// fails makes the outcome unknown, never a guess.
extension BinanceREST {
    /// An order object (`POST`/`GET`/`DELETE /fapi/v1/order`, `openOrders`). Quote executed is
    /// `cumQuote`, else `avgPrice × executedQty` (exact). Placement answers may lack both since
    /// mid-2026 (binance-futures.md §3.7): with `fillsRequired == false` a working order is then
    /// reported without its fills (they arrive by the user stream or a query); otherwise, and for
    /// a final order, the answer is refused (unknown outcome, settled by a query). The fee is not
    /// in REST order answers: 0 here; ORDER_TRADE_UPDATE's `n` carries it.
    public static func orderUpdate(_ json: JSONValue, fillsRequired: Bool) throws -> OrderUpdate {
        let statusText = try json.text("status")
        guard let status = BinanceOrderStatus(rawValue: statusText) else {
            throw MissingField(description: "unknown order status \(statusText.prefix(40))")
        }
        guard let identifier = json["clientOrderId"]?.string, (1...64).contains(identifier.utf8.count) else {
            throw MissingField(description: "missing clientOrderId")
        }
        guard let orderId = json["orderId"]?.integer else { throw MissingField(description: "missing orderId") }
        var quantity = try BinanceChecks.amount(json["executedQty"]?.decimal, field: "executedQty")
        var quote: Fixed
        if let cumulative = json["cumQuote"]?.decimal {
            quote = try BinanceChecks.amount(cumulative, field: "cumQuote")
        } else if let average = json["avgPrice"]?.decimal {
            quote = try BinanceChecks.amount(try BinanceChecks.amount(average, field: "avgPrice") * quantity, field: "quote")
        } else if quantity.isZero {
            quote = 0
        } else if !fillsRequired && !status.status.isFinal {
            quantity = 0
            quote = 0
        } else {
            throw MissingField(description: "fills without cumQuote or avgPrice")
        }
        let time = try (json["updateTime"] ?? json["time"])?.integer.map { try BinanceChecks.time($0, field: "updateTime") } ?? 0
        return OrderUpdate(identifier: identifier, uuid: "\(orderId)", market: try BinanceChecks.symbol(json["symbol"]?.string),
                           state: status.status, executedQuantity: quantity, executedQuote: quote, paidFee: 0, time: time,
                           side: BinanceSide.parse(json["side"]?.string))
    }

    /// An algo order object (`/fapi/v1/algoOrder`, `openAlgoOrders`).
    public static func algoOrder(_ json: JSONValue) throws -> BinanceAlgoOrder {
        guard let algoId = json["algoId"]?.integer else { throw MissingField(description: "missing algoId") }
        guard let clientAlgoId = json["clientAlgoId"]?.string, (1...64).contains(clientAlgoId.utf8.count) else {
            throw MissingField(description: "missing clientAlgoId")
        }
        let statusText = try json.text("algoStatus")
        guard let status = BinanceAlgoOrder.Status(rawValue: statusText) else {
            throw MissingField(description: "unknown algo status \(statusText.prefix(40))")
        }
        let time = try (json["updateTime"] ?? json["createTime"])?.integer.map { try BinanceChecks.time($0, field: "updateTime") } ?? 0
        return BinanceAlgoOrder(
            algoId: algoId, clientAlgoId: clientAlgoId, symbol: try BinanceChecks.symbol(json["symbol"]?.string),
            side: BinanceSide.parse(json["side"]?.string), orderType: String((json["orderType"]?.string ?? "").prefix(40)),
            status: status, triggerPrice: try optionalAmount(json["triggerPrice"], "triggerPrice"),
            actualOrderId: try optionalIdentifier(json["actualOrderId"], "actualOrderId"),
            averagePrice: try optionalAmount(json["actualPrice"], "actualPrice"),
            executedQuantity: try optionalAmount(json["actualQty"], "actualQty"), time: time)
    }

    /// `GET /fapi/v3/account`: cash is the USDT asset's `availableBalance` (never below 0), locked
    /// cash its `openOrderInitialMargin` (margin set aside for working orders), and each symbol
    /// holds |positionAmt| (one-way mode: one position per symbol; the sign, the direction, is
    /// not in `AccountSnapshot`).
    public static func accountSnapshot(_ json: JSONValue) throws -> AccountSnapshot {
        let assets = try json["assets"]?.elements() ?? []
        let positions = try json["positions"]?.elements() ?? []
        guard assets.count <= 1_000, positions.count <= 10_000 else { throw MissingField(description: "implausible account") }
        var snapshot = AccountSnapshot(cash: 0, lockedCash: 0)
        if let usdt = assets.first(where: { $0["asset"]?.string == BinanceVenue.quoteAsset }) {
            let available = try BinanceChecks.signedAmount(usdt["availableBalance"]?.decimal, field: "availableBalance")
            snapshot.cash = Fixed.max(available, 0)
            snapshot.lockedCash = try optionalAmount(usdt["openOrderInitialMargin"], "openOrderInitialMargin") ?? 0
        }
        for position in positions {
            let symbol = try BinanceChecks.symbol(position["symbol"]?.string)
            let amount = try BinanceChecks.signedAmount(position["positionAmt"]?.decimal, field: "positionAmt")
            snapshot.holdings[symbol, default: 0] += amount  // signed: a short is negative
        }
        return snapshot
    }

    /// `GET /fapi/v1/leverageBracket`'s answer by symbol, each symbol's brackets by rising cap.
    public static func brackets(_ json: JSONValue) throws -> [String: [BinanceBracket]] {
        let items = try json.elements()
        guard items.count <= 10_000 else { throw MissingField(description: "implausible bracket symbols: \(items.count)") }
        var brackets: [String: [BinanceBracket]] = [:]
        for item in items {
            let symbol = try BinanceChecks.symbol(item["symbol"]?.string)
            let tiers = try (item["brackets"] ?? .array([])).elements()
            guard (1...100).contains(tiers.count) else { throw MissingField(description: "implausible brackets of \(symbol)") }
            brackets[symbol] = try tiers.map { tier in
                guard let leverage = tier["initialLeverage"]?.integer, (1...1_000).contains(leverage) else {
                    throw MissingField(description: "implausible initialLeverage of \(symbol)")
                }
                let ratio = try BinanceChecks.amount(tier["maintMarginRatio"]?.decimal, field: "maintMarginRatio")
                guard ratio < 1 else { throw MissingField(description: "implausible maintMarginRatio of \(symbol)") }
                return BinanceBracket(initialLeverage: Int(leverage),
                                      notionalCap: try BinanceChecks.amount(tier["notionalCap"]?.decimal, field: "notionalCap"),
                                      maintenanceRatio: ratio,
                                      cumulative: try BinanceChecks.amount(tier["cum"]?.decimal, field: "cum"))
            }.sorted { $0.notionalCap < $1.notionalCap }
        }
        return brackets
    }

    /// Funding lines of `GET /fapi/v1/income` (other income types are skipped).
    public static func funding(_ json: JSONValue) throws -> [BinanceFunding] {
        let items = try json.elements()
        guard items.count <= 1_000 else { throw MissingField(description: "implausible income lines: \(items.count)") }
        return try items.compactMap { item in
            guard item["incomeType"]?.string == "FUNDING_FEE" else { return nil }
            guard item["asset"]?.string == BinanceVenue.quoteAsset else { return nil }
            return BinanceFunding(symbol: try BinanceChecks.symbol(item["symbol"]?.string),
                                  amount: try BinanceChecks.signedAmount(item["income"]?.decimal, field: "income"),
                                  time: try BinanceChecks.time(item["time"]?.integer, field: "time"))
        }
    }

    /// `GET /fapi/v3/positionRisk`.
    public static func positions(_ json: JSONValue) throws -> [BinancePosition] {
        let items = try json.elements()
        guard items.count <= 10_000 else { throw MissingField(description: "implausible positions: \(items.count)") }
        return try items.map { item in
            BinancePosition(
                symbol: try BinanceChecks.symbol(item["symbol"]?.string),
                positionSide: String((item["positionSide"]?.string ?? "BOTH").prefix(8)),
                amount: try BinanceChecks.signedAmount(item["positionAmt"]?.decimal, field: "positionAmt"),
                entryPrice: try BinanceChecks.amount(item["entryPrice"]?.decimal ?? 0, field: "entryPrice"),
                unrealizedProfit: try BinanceChecks.signedAmount(item["unRealizedProfit"]?.decimal ?? 0, field: "unRealizedProfit"),
                isolatedWallet: try BinanceChecks.amount(item["isolatedWallet"]?.decimal ?? 0, field: "isolatedWallet"),
                markPrice: try optionalAmount(item["markPrice"], "markPrice"),
                liquidationPrice: try optionalAmount(item["liquidationPrice"], "liquidationPrice"))
        }
    }

    /// Kline rows `[openTime, "o", "h", "l", "c", "volume", closeTime, …]`, oldest first.
    public static func candles(_ json: JSONValue) throws -> [Candle] {
        let rows = try json.elements()
        guard rows.count <= 1_500 else { throw MissingField(description: "implausible klines: \(rows.count)") }
        return try rows.map { row in
            guard let fields = row.array, fields.count >= 6 else { throw MissingField(description: "short kline row") }
            let openTime = try BinanceChecks.time(fields[0].integer, field: "openTime")
            func value(_ index: Int, _ name: String) throws -> Double {
                try BinanceChecks.amount(fields[index].decimal, field: name).doubleValue
            }
            return Candle(minute: Time.minute(of: openTime), open: try value(1, "open"), high: try value(2, "high"),
                          low: try value(3, "low"), close: try value(4, "close"), volume: try value(5, "volume"))
        }
    }

    /// `GET /fapi/v1/premiumIndex?symbol=…`.
    public static func markPrice(_ json: JSONValue) throws -> BinanceMarkPrice {
        BinanceMarkPrice(
            symbol: try BinanceChecks.symbol(json["symbol"]?.string),
            markPrice: try BinanceChecks.amount(json["markPrice"]?.decimal, field: "markPrice"),
            fundingRate: try BinanceChecks.signedAmount(json["lastFundingRate"]?.decimal, field: "lastFundingRate"),
            nextFundingTime: try BinanceChecks.time(json["nextFundingTime"]?.integer, field: "nextFundingTime"),
            time: try BinanceChecks.time(json["time"]?.integer, field: "time"))
    }

    /// An amount that may be absent, null or "" (Binance's "not set").
    static func optionalAmount(_ value: JSONValue?, _ field: String) throws -> Fixed? {
        guard let value, let text = value.string, !text.isEmpty else { return nil }
        return try BinanceChecks.amount(Fixed(text), field: field)
    }

    /// An id written as a number or a string ("" until it exists).
    static func optionalIdentifier(_ value: JSONValue?, _ field: String) throws -> Int64? {
        guard let value, let text = value.string, !text.isEmpty else { return nil }
        guard let identifier = value.integer, identifier >= 0 else { throw MissingField(description: "implausible \(field)") }
        return identifier
    }
}
