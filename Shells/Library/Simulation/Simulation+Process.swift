import Core
import Foundation

/// The bot's process in the simulation: the write-ahead loop, its crashes and its restarts.
extension Simulation {
    struct SimulatedCrash: Error {}

    /// Hands an event to the bot (dropped while it is down): reduce, commit, then the commands go
    /// to the simulated exchange, unless an armed storage fault kills the process first.
    mutating func feed(_ event: Event) {
        guard var loop = bot else { return }
        bot = nil
        prepareStorageFault(&loop)
        var local: [Command] = []
        let outgoing: [(Command, Milliseconds)]
        do {
            outgoing = try loop.process(event, now: clock) { command, _ in
                guard !TradingLoop.leavesProcess(command) else { return nil }
                local.append(command)
                return []
            }
        } catch {
            return crashed(by: error)
        }
        let commands = local + outgoing.map(\.0)
        record(event, commands)
        let sent = !outgoing.isEmpty
        if sent { committed = loop.state }
        if sent, armedFault == .crashAfterCommit { return crash() }
        writeLedger(&loop)
        bot = loop
        check(after: event)
        for command in commands { handle(command) }
        if sent, armedFault == .lostTransaction, let backup {
            crash(restoring: backup)
        }
    }

    /// A timer tick: the driver's once-a-second commit follows it.
    mutating func timer(at time: Milliseconds? = nil) {
        feed(.timerFired(time: time ?? clock))
        guard var loop = bot, !loop.unjournaled.isEmpty else { return }
        bot = nil
        prepareStorageFault(&loop)
        do {
            try loop.commit(now: clock)
        } catch {
            return crashed(by: error)
        }
        committed = loop.state
        if armedFault == .crashAfterCommit { return crash() }
        writeLedger(&loop)
        bot = loop
        // a lost transaction waits for a commit that lets commands out; this one is kept
        if armedFault == .lostTransaction { takeBackup() }
    }

    /// Arms the store for the fault to come: a throwing hook inside the transaction, or a copy of
    /// the store as of now (the state a lost transaction falls back to).
    mutating func prepareStorageFault(_ loop: inout TradingLoop) {
        switch armedFault {
        case .crashBeforeCommit: loop.store?.beforeCommit = { throw SimulatedCrash() }
        case .lostTransaction where backup == nil: takeBackup(loop.store)
        default: loop.store?.beforeCommit = nil
        }
    }

    mutating func takeBackup(_ store: Store? = nil) {
        guard let store = store ?? bot?.store else { return }
        let path = directory + ".backup"
        do {
            try store.backup(to: path)
            backup = (path, committed)
        } catch {
            failures.append("cannot copy the store: \(error)")
        }
    }

    mutating func crashed(by error: Error) {
        if error is SimulatedCrash { return crash() }
        failures.append("the journal failed: \(error)")
        crash()
    }

    /// The process dies: answers on their way to it are lost (the exchange keeps what it did),
    /// and it comes back after a pause of up to 20 s.
    mutating func crash(restoring lost: (directory: String, state: State)? = nil) {
        if let fault = armedFault { statistics.storageFaults[fault, default: 0] += 1 }
        mix("CRASH \(armedFault?.rawValue ?? "")")
        armedFault = nil
        bot = nil  // closes the store
        ledger = nil
        pending.removeAll()
        if let lost {
            lostTransactions = true
            do {
                try FileManager.default.removeItem(atPath: directory + "/data.mdb")
                try FileManager.default.moveItem(atPath: lost.directory + "/data.mdb", toPath: directory + "/data.mdb")
            } catch {
                failures.append("cannot restore the store copy: \(error)")
            }
            committed = lost.state
        }
        if let backup { try? FileManager.default.removeItem(atPath: backup.directory) }
        backup = nil
        if eraseStoreOnCrash { try? FileManager.default.removeItem(atPath: directory) }
        downUntil = clock + Milliseconds(random.int(500...20_000))
    }

    /// Start-up: recovery from the store (which must give back the state of the last commit),
    /// then `recovered`, which reconciles with the exchange.
    mutating func restart() {
        if editsConfig, statistics.restarts > 0, random.chance(30) {
            config = Simulation.editedConfig(config, &random)
        }
        do {
            let store = try Store(directory: directory, durable: false)
            var opened = try TradingLoop.open(store, initial: initialState, config: config, now: clock)
            if opened.recovery.state != committed {
                failures.append("restart \(statistics.restarts): the recovered state differs from the last commit")
            }
            if opened.configAdopted { statistics.configChanges += 1 }
            committed = opened.loop.state
            opened.loop.snapshotEveryEvents = snapshotEveryEvents
            let writer = try LedgerWriter(file: LedgerFile(directory: directory))
            try writer.synchronize(with: store)
            ledger = writer
            bot = opened.loop
            mix("START \(opened.recovery.snapshotSequence) \(opened.recovery.replayedEvents)")
        } catch {
            failures.append("restart \(statistics.restarts): recovery failed: \(error)")
            return
        }
        statistics.restarts += 1
        feed(.recovered(time: clock))
    }

    /// Legs whose commit happened go to the ledger file, as the live driver writes them.
    mutating func writeLedger(_ loop: inout TradingLoop) {
        let legs = loop.takeCommittedLegs()
        guard !legs.isEmpty, let ledger else { return }
        do {
            try ledger.write(legs)
        } catch {
            failures.append("cannot write the ledger file: \(error)")
        }
    }

    mutating func record(_ event: Event, _ commands: [Command]) {
        statistics.events += 1
        mix("\(event)")
        for command in commands {
            mix("\(command)")
            if case .placeOrder = command { statistics.ordersPlaced += 1 }
            // dust written off is known to the books even if the process dies before the notice leaves
            if case .notify(let note) = command, note.text.hasPrefix("left "), let market = note.market { dustMarkets.insert(market) }
            if case .notify(let note) = command, note.text.contains("lost it from the journal: adopted") {
                statistics.adoptedOrders += 1
            }
        }
        if case .orderOutcomeUnknown = event { statistics.unknownOutcomes += 1 }
        if trace != nil {
            let cash = state.cash
            trace?.append((event, commands, cash))
        }
    }
}
