import Shells
import Testing

/// upbit-api.md §9.4: vectors computed independently (Python hashlib/hmac).
@Suite struct UpbitAuthTests {
    let credentials = UpbitCredentials(accessKey: "test-access-key", secretKey: "test-secret-key")
    let nonce = "00000000-0000-4000-8000-000000000000"

    @Test(arguments: [
        ("market=KRW-BTC", "b749dfc2e17f75e5b46c8161f97fe7c9298ed4167ea21c5c94d16573efd8a801351470c0ff1a9a3f1e763f8249968218c04c571c8b45aa80cd4588e6c4be0738"),
        ("market=KRW-BTC&states[]=wait&states[]=watch&limit=10", "e3cfc649139c595e1c26a8aa2b3c8504f4b15011fc2b819081451e5e845172bd5dbbb5110ec5d7a3d1d32ff71f46a78323a040e8bedf8672021fd2206190a3a8"),
        ("market=KRW-BTC&side=bid&ord_type=price&price=5000", "117b18c14d9ffd2bc0f903a9d17f7e3578315c3ff8db12b030cc0031c315133047155169181eaac69f098b95df46e8cb2fa2cf8391bb2cc2c8da262c79db379f"),
        ("uuid=cdd92199-2897-4e14-9448-f923320408ad", "79bbec9454274d296b69505bda5f84d5e17b129499e1e1930e51fc3f15b8c4f5d3b13529c558fe30865bde47a8769ca26377f5c55fff94629be3caf7f1ba024e"),
    ])
    func queryHashes(query: String, hash: String) {
        #expect(Digest.hex(Digest.sha512(Array(query.utf8))) == hash)
    }

    @Test func queryStringsAreBuiltInOrderUnencodedForTheHash() {
        let query = UpbitQuery([("market", "KRW-BTC"), ("states[]", "wait"), ("states[]", "watch"), ("limit", "10")])
        #expect(query.unencoded == "market=KRW-BTC&states[]=wait&states[]=watch&limit=10")
        #expect(query.encoded == "market=KRW-BTC&states[]=wait&states[]=watch&limit=10")
        #expect(UpbitQuery([("markets", "KRW-BTC,KRW-ETH")]).encoded == "markets=KRW-BTC%2CKRW-ETH")
        let body = UpbitQuery([("market", "KRW-BTC"), ("side", "bid"), ("ord_type", "price"), ("price", "5000")])
        #expect(body.jsonBody == #"{"market":"KRW-BTC","side":"bid","ord_type":"price","price":"5000"}"#)
        #expect(body.unencoded == "market=KRW-BTC&side=bid&ord_type=price&price=5000")
    }

    @Test func accountsTokenHS256() {
        #expect(credentials.token(queryString: nil, nonce: nonce, algorithm: .sha256) ==
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhY2Nlc3Nfa2V5IjoidGVzdC1hY2Nlc3Mta2V5Iiwibm9uY2UiOiIwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDAifQ.w0bu7uhA5yasCpFIvMLgED2INHqSEGJqCQ4UuVC4JOw")
    }

    @Test func accountsTokenHS512() {
        #expect(credentials.token(queryString: nil, nonce: nonce, algorithm: .sha512) ==
            "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9.eyJhY2Nlc3Nfa2V5IjoidGVzdC1hY2Nlc3Mta2V5Iiwibm9uY2UiOiIwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDAifQ.IRJz1h69PFYpG6JidEP0Y7SNH2i1SnvFduGtOARTFPBx0pCfnB-MV5ZWqAKjTvoF7jTUs6VoVvORZD91huR9gA")
    }

    @Test func chanceTokenWithQueryHash() {
        #expect(credentials.token(queryString: "market=KRW-BTC", nonce: nonce, algorithm: .sha256) ==
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhY2Nlc3Nfa2V5IjoidGVzdC1hY2Nlc3Mta2V5Iiwibm9uY2UiOiIwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDAiLCJxdWVyeV9oYXNoIjoiYjc0OWRmYzJlMTdmNzVlNWI0NmM4MTYxZjk3ZmU3YzkyOThlZDQxNjdlYTIxYzVjOTRkMTY1NzNlZmQ4YTgwMTM1MTQ3MGMwZmYxYTlhM2YxZTc2M2Y4MjQ5OTY4MjE4YzA0YzU3MWM4YjQ1YWE4MGNkNDU4OGU2YzRiZTA3MzgiLCJxdWVyeV9oYXNoX2FsZyI6IlNIQTUxMiJ9.6I72bAxoL4Rs_rxcVlblnKUyLvLuzX5OgsCu8H48Kjg")
    }

    @Test func marketBuyBodyToken() {
        let body = UpbitQuery([("market", "KRW-BTC"), ("side", "bid"), ("ord_type", "price"), ("price", "5000")])
        #expect(credentials.token(queryString: body.unencoded, nonce: nonce, algorithm: .sha256) ==
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhY2Nlc3Nfa2V5IjoidGVzdC1hY2Nlc3Mta2V5Iiwibm9uY2UiOiIwMDAwMDAwMC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDAiLCJxdWVyeV9oYXNoIjoiMTE3YjE4YzE0ZDlmZmQyYmMwZjkwM2E5ZDE3ZjdlMzU3ODMxNWMzZmY4ZGIxMmIwMzBjYzAwMzFjMzE1MTMzMDQ3MTU1MTY5MTgxZWFhYzY5ZjA5OGI5NWRmNDZlOGNiMmZhMmNmODM5MWJiMmNjMmM4ZGEyNjJjNzlkYjM3OWYiLCJxdWVyeV9oYXNoX2FsZyI6IlNIQTUxMiJ9.j4YQnokuvgcD4-Whl7uzEYoChV-VsI0Vn9UIFBI3xG4")
    }

    @Test func theSecretNeverShowsInADescription() {
        #expect(!"\(credentials)".contains("test-secret-key"))
    }
}
