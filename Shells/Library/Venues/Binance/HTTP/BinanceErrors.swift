/// Binance's error codes and HTTP statuses, classified once (binance-futures.md §5): by code,
/// never by text, except the three 503 variants that Binance distinguishes only by their text.
public enum BinanceErrors {
    /// What an answer means for the request, above all for an order.
    public enum Disposition: Equatable, Sendable {
        /// Not executed; may be sent again (after that many seconds, when the answer says).
        case retryable(afterSeconds: Double?)
        /// Definitely refused, under this name.
        case rejected(String)
        /// The request may have been executed: settle it by a query before anything else.
        case unknown
        /// "Nothing to change" (margin type or position mode already as asked): a success.
        case benign
        /// The timestamp was outside the window: re-measure the clock; the request was never
        /// executed and may be sent once more.
        case resync
        /// The key, its permissions or the account are wrong: nothing will work until a human acts.
        case fatalConfiguration
    }

    /// Every code of §5 with its name (Binance's own, lower-cased) and disposition.
    public static let table: [Int: (name: String, disposition: Disposition)] = {
        var table: [Int: (name: String, disposition: Disposition)] = [:]
        func add(_ code: Int, _ name: String, _ disposition: Disposition? = nil) {
            table[code] = (name, disposition ?? .rejected(name))
        }
        add(-1000, "unknown", .unknown)
        // "Internal error; unable to process your request" (GI's 503 variant C): not processed.
        add(-1001, "disconnected", .retryable(afterSeconds: nil))
        add(-1003, "too_many_requests", .retryable(afterSeconds: nil))
        add(-1006, "unexpected_response", .unknown)
        add(-1007, "timeout", .unknown)
        add(-1008, "request_throttled", .retryable(afterSeconds: nil))
        add(-1013, "invalid_message")
        add(-1014, "unknown_order_composition")
        add(-1015, "too_many_orders")
        add(-1021, "invalid_timestamp", .resync)
        add(-1022, "invalid_signature")
        add(-1102, "mandatory_param_empty_or_malformed")
        add(-1106, "param_not_required")
        add(-1111, "bad_precision")
        add(-1116, "invalid_order_type")
        add(-1121, "bad_symbol")
        add(-1125, "invalid_listen_key")
        add(-2010, "new_order_rejected")
        add(-2011, "cancel_rejected")
        add(-2013, "no_such_order")
        add(-2014, "bad_api_key_format", .fatalConfiguration)
        add(-2015, "rejected_api_key", .fatalConfiguration)
        add(-2018, "balance_not_sufficient")
        add(-2019, "margin_not_sufficient")
        add(-2021, "order_would_immediately_trigger")
        add(-2022, "reduce_only_rejected")
        add(-2023, "user_in_liquidation")
        add(-2024, "position_not_sufficient")
        add(-2025, "max_open_order_exceeded")
        add(-2027, "max_leverage_ratio")
        add(-2028, "min_leverage_ratio")
        add(-4003, "quantity_less_than_zero")
        add(-4004, "quantity_less_than_minimum")
        add(-4005, "quantity_greater_than_maximum")
        add(-4013, "price_less_than_minimum")
        add(-4014, "price_not_on_tick")
        add(-4015, "invalid_client_order_id")
        add(-4016, "price_above_multiplier_up")
        add(-4023, "quantity_not_on_step")
        add(-4024, "price_below_multiplier_down")
        add(-4028, "invalid_leverage")
        add(-4046, "no_need_to_change_margin_type", .benign)
        add(-4047, "open_orders_block_margin_type")
        add(-4048, "position_blocks_margin_type")
        add(-4059, "no_need_to_change_position_side", .benign)
        add(-4061, "position_side_not_match")
        add(-4109, "account_inactive", .fatalConfiguration)
        add(-4116, "duplicated_client_order_id")
        // A conditional order is triggering: the same request succeeds shortly.
        add(-4117, "stop_order_triggering", .retryable(afterSeconds: nil))
        add(-4118, "reduce_only_margin_check_failed")
        add(-4120, "stop_order_switch_algo")
        add(-4131, "market_order_reject")
        add(-4161, "leverage_reduce_with_position")
        add(-4164, "min_notional")
        add(-4400, "trading_quantitative_rule")
        add(-4401, "large_position_rule")
        add(-5021, "fok_order_reject")
        add(-5022, "gtx_order_reject")
        add(-5028, "outside_matching_engine_recv_window")
        return table
    }()

    /// A code's name and disposition; a code not in the table is a refusal named after it.
    public static func classify(code: Int) -> (name: String, disposition: Disposition) {
        table[code] ?? ("binance\(code)", .rejected("binance\(code)"))
    }

    /// An HTTP answer that is not a success (2xx), with its error code and message when the body
    /// had them, and the seconds of a `Retry-After` header.
    public static func classify(status: Int, code: Int?, message: String, retryAfterSeconds: Double? = nil)
        -> (name: String, disposition: Disposition) {
        switch status {
        case 429:
            return ("rate_limited", .retryable(afterSeconds: retryAfterSeconds))
        case 418:
            return ("banned", .retryable(afterSeconds: retryAfterSeconds))
        case 408:
            // Binance timed out waiting for its back end: the order may exist.
            return ("request_timeout", .unknown)
        case 503:
            if message.hasPrefix("Unknown error") { return ("service_unknown_error", .unknown) }
            if message.hasPrefix("Service Unavailable") { return ("service_unavailable", .retryable(afterSeconds: nil)) }
            if message.hasPrefix("Internal error") { return ("internal_error", .retryable(afterSeconds: nil)) }
            return serverSide(status: status, code: code)
        case 500..<600:
            return serverSide(status: status, code: code)
        case 400..<500:
            guard let code else { return ("http_\(status)", .rejected("http_\(status)")) }
            return classify(code: code)
        default:
            return ("http_\(status)", .unknown)
        }
    }

    /// Any other 5xx: the outcome is unknown, unless the code says the request was not processed
    /// (throttling, "internal error"). A code that says rejected is not trusted from a 5xx.
    static func serverSide(status: Int, code: Int?) -> (name: String, disposition: Disposition) {
        if let code {
            let known = classify(code: code)
            if case .retryable = known.disposition { return known }
        }
        return ("http_\(status)", .unknown)
    }
}
