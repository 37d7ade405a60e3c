import Shells
import Testing

/// Every vector of binance-futures.md §2.1: the official one, the mixed query + body example (with
/// and without its stray space), and the self-computed ones; and that order matters.
@Suite struct BinanceSignerTests {
    static let secret = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9"
    let signer = BinanceSigner(apiKey: "dbefbc809e3e83c283a984c3a1459732ea7db1360ca80c5c2c8867408d28cc83", secretKey: secret)

    static let vectors: [(message: String, signature: String)] = [
        ("symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943",
         "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9"),
        ("symbol=BTCUSDT&recvWindow=5000&timestamp=1700000000000",
         "64889a2b2c900fffe953f155a062824d104c89a32651be6f0a54638752552ce9"),
        ("symbol=BTCUSDT&side=BUY&type=MARKET&quantity=0.010&newClientOrderId=sg-p42-entry-1&newOrderRespType=RESULT&recvWindow=5000&timestamp=1700000000000",
         "18005c578ce21687feb11e9497b5c3e7714c79b68c940e01b60c058428f84473"),
        ("symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=0.010&price=60180.0&reduceOnly=true&newClientOrderId=sg-p42-tp-1&recvWindow=5000&timestamp=1700000000100",
         "1cb3abfb046d66ea83d3149265b7ff1d4606ccd9c50b0f519555fe5084c1b08b"),
        ("algoType=CONDITIONAL&symbol=BTCUSDT&side=SELL&type=STOP_MARKET&triggerPrice=59400.0&closePosition=true&workingType=MARK_PRICE&clientAlgoId=sg-p42-sl-1&recvWindow=5000&timestamp=1700000000200",
         "9a6edb674ce691b18d7f6863800d8bfd3be4676fb9a96e4692c56cfce2b1235d"),
        ("clientAlgoId=sg-p42-sl-1&recvWindow=5000&timestamp=1700000000300",
         "33c31c870ac8d0dc4d15dcca2ae07174ba2f505f142fd067b3862c01c534ab25"),
        ("symbol=BTCUSDT&countdownTime=120000&timestamp=1700000000400",
         "579027b5e8be1b88587c88ce6133a2b659bf1f5901069dbac35589d80c6e8e54"),
        ("symbol=BTCUSDT&leverage=3&timestamp=1700000000500",
         "0cd6153da043e3289ab6c99e03472309f11beca28278dfa887a922ca4bcf8ae7"),
        ("symbol=BTCUSDT&marginType=ISOLATED&timestamp=1700000000600",
         "d8b0c880cdec9eb378b4454854a7aea79c44ddb6da781edf9e35633e71214947"),
        ("symbol=BTCUSDT&origClientOrderId=sg-p42-entry-1&timestamp=1700000000700",
         "5f1a99150742fcebeb41165f90e73a006cf9cf276e4b5ed8e9de71cc1f0e55f7"),
    ]

    @Test(arguments: vectors.indices)
    func everyVectorReproduces(index: Int) {
        let vector = BinanceSignerTests.vectors[index]
        #expect(signer.signature(query: vector.message) == vector.signature)
        #expect(signer.signature(body: vector.message) == vector.signature)
    }

    /// GI's mixed example: query and body joined with nothing between (and its printed value
    /// needs the stray space after `timestamp=`).
    @Test func queryAndBodyAreJoinedWithNothingBetween() {
        let query = "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC"
        #expect(signer.signature(query: query, body: "quantity=1&price=9000&recvWindow=5000&timestamp= 1591702613943")
            == "f9d0ae5e813ef6ccf15c2b5a434047a0181cb5a342b903b367ca6d27a66e36f2")
        #expect(signer.signature(query: query, body: "quantity=1&price=9000&recvWindow=5000&timestamp=1591702613943")
            == "30baaf0fab549bbeda7f5ef201898b34122da25fd23c646cac2c529aebe670a4")
    }

    @Test func theOrderOfParametersMatters() {
        let signature = signer.signature(
            query: "symbol=BTCUSDT&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=9000&recvWindow=5000&timestamp=1591702613943")
        #expect(signature.hasPrefix("ec11dcc1") && signature.hasSuffix("d59519"))
    }

    @Test func theSecretIsNeverPrinted() {
        #expect(!"\(signer)".contains(BinanceSignerTests.secret))
        #expect(!"\(signer)".contains("2b5eb11e"))
    }
}
