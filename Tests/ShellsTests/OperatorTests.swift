import Core
import TestSupport
import Foundation
import Live
import Logging
import Shells
import Testing

/// `surge close`, `pause` and `resume` reach the running bot through its state directory.
@Suite(.serialized) struct OperatorTests {
    @Test func aCloseRequestInTheStateDirectorySellsThePositionWithReasonManual() async throws {
        try await withLocalUpbit(.fast) { upbit, port in
            let directory = temporaryDirectory("operator")
            let driver = await localDriver(upbit, port: port, mode: .paper, prefix: "op", stateDirectory: directory) {
                $0.exit.takeProfit = Fixed("5")!  // nothing but the operator closes it
                $0.exit.stopLoss = Fixed("-0.9")!
            }
            try await driver.openStore()
            let run = Task { await driver.run() }
            defer { run.cancel() }
            let opened = await eventually(60) { await driver.state.positions.contains { $0.phase == .open } }
            try #require(opened)
            let position = try #require(await driver.state.positions.first { $0.phase == .open })

            try OperatorRequests.submit(.close(market: position.market), stateDirectory: directory)
            let closed = await eventually(10) { await !driver.state.positions.contains { $0.id == position.id } }
            #expect(closed)
            #expect(await driver.sessionLegs.filter { $0.positionId == position.id }.map(\.reason) == [.manual])
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/control").isEmpty)

            // surge pause, then surge resume.
            try OperatorRequests.submit(.pause, stateDirectory: directory)
            #expect(await eventually(10) { await driver.state.entryHaltReason == "paused_by_operator" })
            try OperatorRequests.submit(.resume, stateDirectory: directory)
            #expect(await eventually(10) { await !driver.state.risk.pausedByOperator })
        }
    }

    @Test func requestFilesAreValidatedAndReadOldestFirst() throws {
        let directory = temporaryDirectory("requests")
        try OperatorRequests.submit(.close(market: "KRW-BTC"), stateDirectory: directory)
        try OperatorRequests.submit(.pause, stateDirectory: directory)
        try "rm -rf /\n".write(toFile: directory + "/control/9999999999999999999-1-bad.request", atomically: true, encoding: .utf8)
        let pending = OperatorRequests.pending(stateDirectory: directory)
        #expect(pending.count == 3)
        #expect(try pending[0].request.get() == .close(market: "KRW-BTC"))
        #expect(try pending[1].request.get() == .pause)
        #expect(throws: OperatorRequests.Problem.self) { try pending[2].request.get() }
        for (path, _) in pending { OperatorRequests.remove(path) }
        #expect(OperatorRequests.pending(stateDirectory: directory).isEmpty)
    }
}
