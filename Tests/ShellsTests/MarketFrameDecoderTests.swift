import Core
import TestSupport
import Shells
import Testing

@Suite struct MarketFrameDecoderTests {
    func fixed(_ text: String) -> Fixed { Fixed(text)! }

    @Test func officialTradeFrame() throws {
        let frame = try MarketFrameDecoder.decode("""
            {"type":"trade","code":"KRW-BTC","timestamp":1676965262177,"trade_date":"2023-02-21","trade_time":"07:41:02",\
            "trade_timestamp":1676965262139,"trade_price":32287000,"trade_volume":0.03103806,"ask_bid":"ASK",\
            "prev_closing_price":31883000.00000000,"change":"RISE","change_price":404000.00000000,\
            "sequential_id":1676965262139000,"best_ask_price":32287000,"best_ask_size":0.1,"best_bid_price":null,\
            "stream_type":"REALTIME"}
            """)
        #expect(frame == .trade(Trade(market: "KRW-BTC", price: 32_287_000, volume: fixed("0.03103806"), side: .sell,
                                      time: 1_676_965_262_139, sequentialId: 1_676_965_262_139_000)))
    }

    /// upbit-api.md §9.1: captured live, with exponent numbers.
    @Test func capturedOrderbookFrameWithExponents() throws {
        let frame = try MarketFrameDecoder.decode("""
            {"type":"orderbook","code":"KRW-BTC","timestamp":1790134742106,"total_ask_size":2.51469375,\
            "total_bid_size":1.63815297,"orderbook_units":[{"ask_price":1.16539E8,"bid_price":1.16538E8,\
            "ask_size":0.02054761,"bid_size":0.08120946},{"ask_price":1.16542E8,"bid_price":1.16537E8,\
            "ask_size":0.00077720,"bid_size":0.01129382}],"stream_type":"SNAPSHOT","level":0}
            """)
        guard case .orderbook(let book) = frame else { Issue.record("not an orderbook: \(frame)"); return }
        #expect(book.market == "KRW-BTC")
        #expect(book.time == 1_790_134_742_106)
        #expect(book.totalAskSize == fixed("2.51469375"))
        #expect(book.levels.first == Orderbook.Level(askPrice: 116_539_000, askSize: fixed("0.02054761"),
                                                     bidPrice: 116_538_000, bidSize: fixed("0.08120946")))
        #expect(book.top == BookTop(market: "KRW-BTC", time: 1_790_134_742_106, totalBidSize: 1.63815297,
                                    totalAskSize: 2.51469375, bestBidPrice: 116_538_000, bestAskPrice: 116_539_000))
    }

    @Test func simpleFormatOrderbookDropsPaddedLevels() throws {
        let frame = try MarketFrameDecoder.decode("""
            {"ty":"orderbook","cd":"KRW-BTC","tms":1790134742106,"tas":0.48514983,"tbs":2.2403413,\
            "obu":[{"ap":116606000,"bp":116534000,"as":0.06288509,"bs":7.9276E-4},{"ap":0,"bp":0,"as":0,"bs":0}],\
            "st":"SNAPSHOT","lv":0}
            """)
        guard case .orderbook(let book) = frame else { Issue.record("not an orderbook: \(frame)"); return }
        #expect(book.bids.map(\.size) == [fixed("0.00079276")])
        #expect(book.asks.count == 1)
    }

    /// upbit-api.md §8: the official ticker example, copied verbatim.
    @Test func officialTickerFrame() throws {
        let frame = try MarketFrameDecoder.decode("""
            {"type":"ticker","code":"KRW-BTC","opening_price":31883000,"high_price":32310000,"low_price":31855000,"trade_price":32287000,"prev_closing_price":31883000.00000000,"acc_trade_price":78039261076.51241000,"change":"RISE","change_price":404000.00000000,"signed_change_price":404000.00000000,"change_rate":0.0126713295,"signed_change_rate":0.0126713295,"ask_bid":"ASK","trade_volume":0.03103806,"acc_trade_volume":2429.58834336,"trade_date":"20230221","trade_time":"074102","trade_timestamp":1676965262139,"acc_ask_volume":1146.25573608,"acc_bid_volume":1283.33260728,"highest_52_week_price":57678000.00000000,"highest_52_week_date":"2022-03-28","lowest_52_week_price":20700000.00000000,"lowest_52_week_date":"2022-12-30","market_state":"ACTIVE","is_trading_suspended":false,"delisting_date":null,"market_warning":"NONE","timestamp":1676965262177,"acc_trade_price_24h":228827082483.70729000,"acc_trade_volume_24h":7158.80283560,"stream_type":"REALTIME"}
            """)
        #expect(frame == .ticker(Ticker(market: "KRW-BTC", tradePrice: 32_287_000,
                                        accumulatedTradeVolume24h: fixed("7158.8028356"), time: 1_676_965_262_139)))
    }

    @Test func statusAndErrorFrames() throws {
        #expect(try MarketFrameDecoder.decode(#"{"status":"UP"}"#) == .status("UP"))
        #expect(try MarketFrameDecoder.decode(#"{"error":{"name":"NO_TICKET","message":"티켓이 존재하지 않거나, 유효하지 않습니다."}}"#)
            == .error(name: "NO_TICKET", message: "티켓이 존재하지 않거나, 유효하지 않습니다."))
        #expect(try MarketFrameDecoder.decode(#"{"error":{"message":"bad","name":400}}"#) == .error(name: "400", message: "bad"))
        #expect(try MarketFrameDecoder.decode(#"{"type":"candle.1m","code":"KRW-BTC"}"#) == .other(type: "candle.1m"))
    }

    @Test(arguments: [
        "", "not json", "{", #"{"type":"trade""#, #"{"type":"trade","code":"KRW-BTC"}"#,
        #"{"type":"trade","code":"KRW-BTC","trade_price":"abc"}"#, #"[1,2]"#, #"{"type":"orderbook"} x"#,
    ])
    func malformedFramesThrow(text: String) {
        #expect(throws: FrameError.self) { try MarketFrameDecoder.decode(text) }
    }
}

/// The decoder switches on `KeyHash` values written as literals; they must equal the hashes the
/// scanner computes, and no two keys the decoder reads may collide.
@Suite struct KeyHashTests {
    @Test(arguments: [("MarketFrameDecoder.swift", 36), ("PrivateFrameDecoder.swift", 32)])
    func literalHashesMatchTheScanner(file: String, keys: Int) throws {
        let source = try String(contentsOfFile: #filePath.replacingOccurrences(
            of: "Tests/ShellsTests/MarketFrameDecoderTests.swift",
            with: "Shells/Library/Venues/Upbit/WebSocket/" + file), encoding: .utf8)
        let pattern = #/(0x[0-9A-F]{16}) /\* ([a-z0-9_]+) \*//#
        var seen: [UInt64: String] = [:]
        for match in source.matches(of: pattern) {
            let literal = UInt64(match.output.1.dropFirst(2), radix: 16)!
            #expect(literal == KeyHash.of(String(match.output.2)), "hash of \(match.output.2)")
            if let other = seen[literal], other != String(match.output.2) { Issue.record("\(other) collides with \(match.output.2)") }
            seen[literal] = String(match.output.2)
        }
        #expect(seen.count == keys)
    }
}

@Suite struct WholeNumberTests {
    @Test func timestampsInAnySpellingDecodeAlike() throws {
        for spelling in ["1676965262139", "1.676965262139E12", "\"1676965262139\"", "1676965262139.0"] {
            let frame = try MarketFrameDecoder.decode("""
                {"type":"trade","code":"KRW-BTC","trade_timestamp":\(spelling),"trade_price":1,"trade_volume":1,\
                "ask_bid":"BID","sequential_id":7}
                """)
            guard case .trade(let trade) = frame else { Issue.record("\(spelling): \(frame)"); continue }
            #expect(trade.time == 1_676_965_262_139, "\(spelling)")
        }
        #expect(throws: FrameError.self) {
            try MarketFrameDecoder.decode(#"{"type":"trade","code":"KRW-BTC","trade_timestamp":1.5,"trade_price":1,"trade_volume":1,"ask_bid":"BID","sequential_id":7}"#)
        }
    }
}
