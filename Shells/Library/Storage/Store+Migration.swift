import Core
import Foundation

/// Schema 3 → 4 (issue 12, the venue-neutral core). Every store of schema 3 traded Upbit's KRW
/// market, so its records are read as Upbit's: the state gains Upbit's venue profile, each
/// market its instrument (the KRW table with the market's own tick, minimum and fee), each
/// position `direction = long` and `margin = 0`; `…KRW` and buy/sell names become the neutral
/// ones (`cashKRW` → `cash`, `boughtVolume` → `enteredQuantity`, …); an order request becomes
/// side + kind + size; Upbit's order states become `OrderStatus`. Ledger legs kept their JSON
/// names and need nothing.
extension Store {
    static let renamedIn4: [String: String] = [
        "cashKRW": "cash", "reservedKRW": "reserved", "executedFundsKRW": "executedQuote", "paidFeeKRW": "paidFee",
        "questionedFundsKRW": "questionedQuote", "questionedVolume": "questionedQuantity",
        "executedVolume": "executedQuantity", "entryAmountKRW": "entryAmount", "boughtVolume": "enteredQuantity",
        "boughtFundsKRW": "enteredQuote", "entryFeeKRW": "entryFee", "soldVolume": "exitedQuantity",
        "writtenOffVolume": "writtenOffQuantity", "recordedVolume": "recordedQuantity",
        "recordedEntryFeeKRW": "recordedEntryFee", "trailingHigh": "trailingExtreme",
        "dayStartEquityKRW": "dayStartEquity", "dayRealizedPnLKRW": "dayRealizedPnL", "initialKRW": "initialCapital",
        "minRecentValueKRW": "minRecentValue", "minTotalKRW": "minimumNotional", "valueKRW": "quoteValue",
    ]

    static let statusIn4: [String: String] = [
        "wait": "open", "watch": "open", "trade": "partially_filled", "done": "filled", "cancel": "cancelled",
        "prevented": "cancelled",
    ]

    /// A schema-3 snapshot's JSON as schema 4 reads it.
    static func migrateSnapshotFrom3(_ json: Data) throws -> Data {
        guard var state = try JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            throw Problem(description: "not a JSON object")
        }
        state = try migrateFrom3(state) as? [String: Any] ?? state
        state["venue"] = try JSONSerialization.jsonObject(with: JSONEncoder().encode(UpbitVenue.profile))
        return try JSONSerialization.data(withJSONObject: state)
    }

    /// A schema-3 journal record's JSON (an event) as schema 4 reads it; Upbit's balance lists
    /// become an account (`UpbitVenue.account`).
    static func migrateEventFrom3(_ json: Data) throws -> Data {
        guard var event = try migrateFrom3(try JSONSerialization.jsonObject(with: json)) as? [String: Any] else {
            throw Problem(description: "an event of schema 3 that is not a JSON object")
        }
        if var fetched = event["balancesFetched"] as? [String: Any], let balances = fetched.removeValue(forKey: "balances") {
            fetched["account"] = try account(balances)
            event["balancesFetched"] = fetched
        }
        if var pushed = event["balancesPushed"] as? [String: Any], let balances = pushed["_0"] {
            pushed["_0"] = try account(balances)
            event["balancesPushed"] = pushed
        }
        return try JSONSerialization.data(withJSONObject: event)
    }

    private static func account(_ balances: Any) throws -> Any {
        let list = try JSONDecoder().decode([Balance].self, from: JSONSerialization.data(withJSONObject: balances))
        return try JSONSerialization.jsonObject(with: JSONEncoder().encode(UpbitVenue.account(list)))
    }

    private static func migrateFrom3(_ value: Any) throws -> Any {
        if let array = value as? [Any] { return try array.map(migrateFrom3) }
        guard let object = value as? [String: Any] else { return value }
        var migrated: [String: Any] = [:]
        for (key, inner) in object { migrated[renamedIn4[key] ?? key] = try migrateFrom3(inner) }
        if object["boughtVolume"] != nil {  // a position
            migrated["quantity"] = migrated.removeValue(forKey: "volume")
            migrated["direction"] = "long"
            migrated["margin"] = "0"
        }
        if object["executedVolume"] != nil, object["market"] != nil, let state = object["state"] as? String {  // an order update
            migrated["state"] = statusIn4[state] ?? state
        }
        if object["identifier"] != nil, object["size"] == nil, let kind = object["kind"] as? [String: Any] {  // an order request
            migrated.merge(try requestFrom3(kind)) { _, new in new }
            migrated["reduceOnly"] = false
        }
        if let code = object["code"] as? String, object["rules"] != nil {  // a market
            let rules = try JSONDecoder().decode(MarketRules.self, from: JSONSerialization.data(withJSONObject: migrated["rules"]!))
            var instrument = UpbitVenue.profile.instrument(for: code)
            if let tick = rules.tickSize { instrument.tickScheme = .fixed(tick) }
            if let minimum = rules.minimumNotional { instrument.minimumNotional = minimum }
            if let fee = rules.feeRate { (instrument.makerFee, instrument.takerFee) = (fee, fee) }
            migrated["rules"] = nil
            migrated["instrument"] = try JSONSerialization.jsonObject(with: JSONEncoder().encode(instrument))
        }
        return migrated
    }

    /// `{"marketBuy":{"amountKRW":A}}`, `{"marketSell":{"volume":V}}`, `{"limit":{"side":S,"price":P,"volume":V}}`.
    private static func requestFrom3(_ kind: [String: Any]) throws -> [String: Any] {
        if let buy = kind["marketBuy"] as? [String: Any], let amount = buy["amountKRW"] {
            return ["side": "BID", "kind": ["market": [String: Any]()], "size": ["quote": ["_0": amount]]]
        }
        if let sell = kind["marketSell"] as? [String: Any], let volume = sell["volume"] {
            return ["side": "ASK", "kind": ["market": [String: Any]()], "size": ["quantity": ["_0": volume]]]
        }
        if let limit = kind["limit"] as? [String: Any], let side = limit["side"], let price = limit["price"],
           let volume = limit["volume"] {
            return ["side": side, "kind": ["limit": ["price": price]], "size": ["quantity": ["_0": volume]]]
        }
        throw Problem(description: "an order of schema 3 with an unknown kind")
    }
}
