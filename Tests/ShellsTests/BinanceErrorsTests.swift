import Shells
import Testing

/// Every code of binance-futures.md §5 classified once, and the HTTP statuses around them.
@Suite struct BinanceErrorsTests {
    typealias Disposition = BinanceErrors.Disposition

    static let expected: [(code: Int, disposition: Disposition)] = [
        (-1000, .unknown), (-1001, .retryable(afterSeconds: nil)), (-1003, .retryable(afterSeconds: nil)),
        (-1006, .unknown), (-1007, .unknown), (-1008, .retryable(afterSeconds: nil)),
        (-1013, .rejected("invalid_message")), (-1014, .rejected("unknown_order_composition")),
        (-1015, .rejected("too_many_orders")), (-1021, .resync), (-1022, .rejected("invalid_signature")),
        (-1102, .rejected("mandatory_param_empty_or_malformed")), (-1106, .rejected("param_not_required")),
        (-1111, .rejected("bad_precision")), (-1116, .rejected("invalid_order_type")), (-1121, .rejected("bad_symbol")),
        (-1125, .rejected("invalid_listen_key")), (-2010, .rejected("new_order_rejected")),
        (-2011, .rejected("cancel_rejected")), (-2013, .rejected("no_such_order")),
        (-2014, .fatalConfiguration), (-2015, .fatalConfiguration),
        (-2018, .rejected("balance_not_sufficient")), (-2019, .rejected("margin_not_sufficient")),
        (-2021, .rejected("order_would_immediately_trigger")), (-2022, .rejected("reduce_only_rejected")),
        (-2023, .rejected("user_in_liquidation")), (-2024, .rejected("position_not_sufficient")),
        (-2025, .rejected("max_open_order_exceeded")), (-2027, .rejected("max_leverage_ratio")),
        (-2028, .rejected("min_leverage_ratio")), (-4003, .rejected("quantity_less_than_zero")),
        (-4004, .rejected("quantity_less_than_minimum")), (-4005, .rejected("quantity_greater_than_maximum")),
        (-4013, .rejected("price_less_than_minimum")), (-4014, .rejected("price_not_on_tick")),
        (-4015, .rejected("invalid_client_order_id")), (-4016, .rejected("price_above_multiplier_up")),
        (-4023, .rejected("quantity_not_on_step")), (-4024, .rejected("price_below_multiplier_down")),
        (-4028, .rejected("invalid_leverage")), (-4046, .benign),
        (-4047, .rejected("open_orders_block_margin_type")), (-4048, .rejected("position_blocks_margin_type")),
        (-4059, .benign), (-4061, .rejected("position_side_not_match")), (-4109, .fatalConfiguration),
        (-4116, .rejected("duplicated_client_order_id")), (-4117, .retryable(afterSeconds: nil)),
        (-4118, .rejected("reduce_only_margin_check_failed")), (-4120, .rejected("stop_order_switch_algo")),
        (-4131, .rejected("market_order_reject")), (-4161, .rejected("leverage_reduce_with_position")),
        (-4164, .rejected("min_notional")), (-4400, .rejected("trading_quantitative_rule")),
        (-4401, .rejected("large_position_rule")), (-5021, .rejected("fok_order_reject")),
        (-5022, .rejected("gtx_order_reject")), (-5028, .rejected("outside_matching_engine_recv_window")),
    ]

    @Test(arguments: expected.indices)
    func everyCodeOfTheFactSheet(index: Int) {
        let (code, disposition) = BinanceErrorsTests.expected[index]
        #expect(BinanceErrors.classify(code: code).disposition == disposition, "code \(code)")
        // A 400 carrying the code means the same.
        #expect(BinanceErrors.classify(status: 400, code: code, message: "").disposition == disposition, "code \(code)")
    }

    @Test func theTableHoldsExactlyTheFactSheetsCodes() {
        #expect(Set(BinanceErrors.table.keys) == Set(BinanceErrorsTests.expected.map(\.code)))
        #expect(BinanceErrors.table.count == BinanceErrorsTests.expected.count)
    }

    @Test func anUnlistedCodeIsARefusalNamedAfterIt() {
        #expect(BinanceErrors.classify(status: 400, code: -9999, message: "x").disposition == .rejected("binance-9999"))
        #expect(BinanceErrors.classify(status: 403, code: nil, message: "WAF").disposition == .rejected("http_403"))
    }

    @Test func httpStatuses() {
        #expect(BinanceErrors.classify(status: 408, code: nil, message: "").disposition == .unknown)
        let tooMany = BinanceErrors.classify(status: 429, code: -1003, message: "", retryAfterSeconds: 7)
        #expect(tooMany.name == "rate_limited" && tooMany.disposition == .retryable(afterSeconds: 7))
        #expect(BinanceErrors.classify(status: 418, code: -1003, message: "banned until").name == "banned")
        #expect(BinanceErrors.classify(status: 500, code: nil, message: "oops").disposition == .unknown)
        #expect(BinanceErrors.classify(status: 502, code: -2010, message: "").disposition == .unknown)
        #expect(BinanceErrors.classify(status: 504, code: -1007, message: "").disposition == .unknown)
        #expect(BinanceErrors.classify(status: 500, code: -1008, message: "").disposition == .retryable(afterSeconds: nil))
    }

    /// The three 503 variants of GI, told apart by their text.
    @Test func the503Variants() {
        #expect(BinanceErrors.classify(status: 503, code: -1000,
                                       message: "Unknown error, please check your request or try again later.").disposition
            == .unknown)
        #expect(BinanceErrors.classify(status: 503, code: nil, message: "Service Unavailable.").disposition
            == .retryable(afterSeconds: nil))
        #expect(BinanceErrors.classify(status: 503, code: -1001,
                                       message: "Internal error; unable to process your request. Please try again.").disposition
            == .retryable(afterSeconds: nil))
        #expect(BinanceErrors.classify(status: 503, code: nil, message: "something else").disposition == .unknown)
    }
}
