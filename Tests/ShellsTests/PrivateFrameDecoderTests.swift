import Core
import TestSupport
import Shells
import Testing

/// The examples of the seed documents upbit-ws-myorder.md and upbit-ws-myasset.md.
@Suite struct PrivateFrameDecoderTests {
    func fixed(_ text: String) -> Fixed { Fixed(text)! }

    @Test func myOrderTradeExample() throws {
        let frame = try PrivateFrameDecoder.decode(Array("""
            {"type":"myOrder","code":"KRW-BTC","uuid":"ac2dc2a3-fce9-40a2-a4f6-5987c25c438f","ask_bid":"BID",
             "order_type":"limit","state":"trade","trade_uuid":"68315169-fba4-4175-ade3-aff14a616657","price":0.001453,
             "avg_price":0.00145372,"volume":30925891.29839369,"remaining_volume":29968038.09235948,
             "executed_volume":30925891.29839369,"trades_count":1,"reserved_fee":44.23943970238218,
             "remaining_fee":21.77177967409916,"paid_fee":22.467660028283017,"locked":43565.33112787242,
             "executed_funds":44935.32005656603,"time_in_force":null,"trade_fee":22.467660028283017,"is_maker":true,
             "identifier":"test-1","smp_type":"cancel_maker","prevented_volume":1.174291929,
             "prevented_locked":0.001706246173,"trade_timestamp":1710751590421,"order_timestamp":1710751590000,
             "timestamp":1710751597500,"stream_type":"REALTIME"}
            """.utf8))
        #expect(frame == .order(OrderUpdate(
            identifier: "test-1", uuid: "ac2dc2a3-fce9-40a2-a4f6-5987c25c438f", market: "KRW-BTC", state: .partiallyFilled,
            executedQuantity: fixed("30925891.29839369"), executedQuote: fixed("44935.32005656603"),
            paidFee: fixed("22.467660028283017"), time: 1_710_751_597_500)))
    }

    @Test func myOrderInSimpleFormat() throws {
        let frame = try PrivateFrameDecoder.decode(Array("""
            {"ty":"myOrder","cd":"KRW-BTC","uid":"u","ab":"ASK","ot":"market","s":"done","ev":0.5,"ef":50000,"pf":25,
             "id":"sg-3-s2","tms":1710751597500,"st":"REALTIME"}
            """.utf8))
        #expect(frame == .order(OrderUpdate(identifier: "sg-3-s2", uuid: "u", market: "KRW-BTC", state: .filled,
                                            executedQuantity: fixed("0.5"), executedQuote: 50_000, paidFee: 25,
                                            time: 1_710_751_597_500)))
    }

    @Test func myAssetExample() throws {
        let frame = try PrivateFrameDecoder.decode(Array("""
            {"type":"myAsset","asset_uuid":"e635f223-1609-4969-8fb6-4376937baad6","assets":[
             {"currency":"KRW","balance":1386929.37231066771348207123,"locked":10329.670127489597585685},
             {"currency":"BTC","balance":0.12345678,"locked":0.01000000}],
             "asset_timestamp":1710146517259,"timestamp":1710146517267,"stream_type":"REALTIME"}
            """.utf8))
        #expect(frame == .assets([
            Balance(currency: "KRW", balance: fixed("1386929.3723106677134820"), locked: fixed("10329.6701274895975856")),
            Balance(currency: "BTC", balance: fixed("0.12345678"), locked: fixed("0.01")),
        ], time: 1_710_146_517_267))
    }

    @Test func badPrivateFramesThrow() {
        #expect(throws: FrameError.self) { try PrivateFrameDecoder.decode(Array(#"{"type":"myOrder","code":"KRW-BTC"}"#.utf8)) }
        #expect(throws: FrameError.self) { try PrivateFrameDecoder.decode(Array("[]".utf8)) }
        #expect(throws: FrameError.self) { try PrivateFrameDecoder.decode(Array("{".utf8)) }
    }
}
