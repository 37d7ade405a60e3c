import Core
import Foundation
import LocalExchange
import Shells
import Testing

/// The gateway's own decisions, against the local Binance: where each command goes, the
/// commission a REST answer lacks, a lost entry found without its symbol, refusals renamed.
@Suite(.serialized) struct BinanceGatewayTests {
    func gateway(_ port: Int) async -> BinanceGateway {
        let rest = await offload { localBinanceREST(port) }
        let gateway = BinanceGateway(rest: rest, quotation: rest, leverage: 2, isolated: true)
        gateway.adopt([btc])
        return gateway
    }

    @Test func aFilledMarketEntryIsToldWithItsCommissionAndFoundAgainWithoutItsSymbol() async throws {
        try await withLocalBinance { binance, port in
            let gateway = await gateway(port)
            let placed = await gateway.execute(.placeOrder(entry("gw-1-b1")), at: 1)
            guard case .orderAccepted(let identifier, _, _)? = placed.first, case .orderUpdated(let update)? = placed.last else {
                Issue.record("\(placed)"); return
            }
            #expect(identifier == "gw-1-b1")
            #expect(update.state == .filled && update.executedQuantity == Fixed("0.010")!)
            // taker 0.05 % of the notional, as the server charged it
            #expect(update.paidFee == update.executedQuote * Fixed("0.0005")!)
            #expect(update.paidFee.isPositive)
            // a lost entry's probe does not know the symbol: the account's order history has it
            let found = await gateway.execute(.queryOrder(identifier: "gw-1-b1", market: nil), at: 2)
            guard case .orderUpdated(let again)? = found.first else { Issue.record("\(found)"); return }
            #expect(again.executedQuantity == update.executedQuantity && again.paidFee == update.paidFee)
            #expect(await gateway.execute(.queryOrder(identifier: "gw-2-b1", market: nil), at: 3)
                    == [.orderNotFound(identifier: "gw-2-b1", time: 3)])
            #expect(await gateway.execute(.queryOrder(identifier: "gw-2-b1", market: "BTCUSDT"), at: 4)
                    == [.orderNotFound(identifier: "gw-2-b1", time: 4)])
            // margin type and leverage were set before the first entry of the symbol
            let log = await binance.requestLog
            let first = try #require(log.firstIndex(of: "POST /fapi/v1/order"))
            #expect(log[..<first].contains("POST /fapi/v1/marginType") && log[..<first].contains("POST /fapi/v1/leverage"))
        }
    }

    @Test func theSafetyStopGoesToTheAlgoServiceAndIsCancelledThere() async throws {
        try await withLocalBinance { binance, port in
            let gateway = await gateway(port)
            _ = await gateway.execute(.placeOrder(entry("gw-1-b1")), at: 1)
            guard case .success(let mark) = await offload({ localBinanceREST(port).markPrice(symbol: "BTCUSDT") }) else {
                Issue.record("mark"); return
            }
            let trigger = (mark.markPrice * Fixed("0.9")!).floored(toMultipleOf: Fixed("0.1")!)
            let stop = OrderRequest(identifier: "gw-1-x2", market: "BTCUSDT", side: .sell, kind: .protectiveStop(trigger: trigger),
                                    size: .quantity(Fixed("0.010")!))
            let placed = await gateway.execute(.placeOrder(stop), at: 2)
            guard case .orderAccepted(_, let uuid, _)? = placed.first else { Issue.record("\(placed)"); return }
            #expect(uuid.hasPrefix("algo-"))
            let open = await gateway.execute(.queryOrder(identifier: "gw-1-x2", market: "BTCUSDT"), at: 3)
            guard case .orderUpdated(let working)? = open.first else { Issue.record("\(open)"); return }
            #expect(working.state == .open)
            #expect(await gateway.execute(.cancelOrder(identifier: "gw-1-x2", uuid: uuid, market: "BTCUSDT"), at: 4)
                    == [.cancelAccepted(identifier: "gw-1-x2", time: 4)])
            #expect(await binance.orderSummaries().first { $0.clientId == "gw-1-x2" }?.status == "CANCELED")
            #expect(await binance.requestLog.contains("DELETE /fapi/v1/algoOrder"))
        }
    }

    @Test func refusalsReachTheCoreUnderItsNames() {
        func error(_ status: Int, _ code: Int?, _ message: String = "") -> BinanceREST.BinanceError {
            let (name, disposition) = BinanceErrors.classify(status: status, code: code, message: message)
            return BinanceREST.BinanceError(status: status, code: code, name: name, message: message, disposition: disposition)
        }
        #expect(BinanceGateway.name(error(400, -2019)) == "insufficient_funds_margin")
        #expect(BinanceGateway.name(error(400, -2018)) == "insufficient_funds_balance")
        #expect(BinanceGateway.name(error(429, -1003)) == "rate_limited")
        #expect(BinanceGateway.name(error(418, -1003)) == "banned")
        #expect(BinanceGateway.name(error(503, -1008)) == "not_sent")
        #expect(BinanceGateway.name(error(400, -1021)) == "not_sent")
        #expect(BinanceGateway.name(error(400, -4164)) == "min_notional")
        #expect(BinanceGateway.name(.local("rate_limited", "budget")) == "rate_limited")
        #expect(BinanceGateway.isAlgo("s3m7-12-x2") && !BinanceGateway.isAlgo("s3m7-12-s3") && !BinanceGateway.isAlgo("x-1-b1"))
    }
}
