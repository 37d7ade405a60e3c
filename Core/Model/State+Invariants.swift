extension State {
    /// What must hold after every step. Returns the broken rules (empty = healthy); tests and the
    /// simulator call it after each event.
    public func checkInvariants() -> [String] {
        var broken: [String] = []
        func require(_ condition: Bool, _ message: @autoclosure () -> String) {
            if !condition { broken.append(message()) }
        }
        require(!cash.isNegative, "cash is negative: \(cash)")
        require(positions.count <= config.capital.maxPositions
                    || positions.allSatisfy { $0.id < counters.positionsBeforeLimit ?? 0 },
                "\(positions.count) positions exceed max_positions \(config.capital.maxPositions)")
        require(orders.count <= positions.count * State.maximumOrdersPerPosition,
                "\(orders.count) orders for \(positions.count) positions")
        require(markets.count <= State.maximumMarkets, "too many markets")
        require(zip(positions, positions.dropFirst()).allSatisfy { $0.id < $1.id }, "positions not ordered by id")
        for position in positions { checkPosition(position, require) }
        for (identifier, order) in orders {
            checkOrder(identifier, order, require)
        }
        return broken
    }

    private func checkPosition(_ position: Position, _ require: (Bool, @autoclosure () -> String) -> Void) {
        let id = position.id
        require(position.quantity == position.enteredQuantity - position.exitedQuantity - position.writtenOffQuantity,
                "position \(id): quantity \(position.quantity) != entered - exited - written off")
        require(!position.quantity.isNegative, "position \(id): negative quantity")
        require(!position.margin.isNegative && (venue.isMargin || position.margin.isZero), "position \(id): margin \(position.margin)")
        require(position.id < counters.nextPositionId, "position \(id): id not yet issued")
        require(Set(position.orderIdentifiers).count == position.orderIdentifiers.count,
                "position \(id): duplicate order identifiers")
        for identifier in position.orderIdentifiers {
            require(orders[identifier]?.positionId == id, "position \(id): order \(identifier) missing")
        }
        if position.phase != .opening {
            require(position.enteredQuantity.isPositive, "position \(id): open without a fill")
            require(position.takeProfitPrice != nil && position.stopPrice != nil, "position \(id): exits not set")
        }
        require(position.recordedQuantity <= position.exitedQuantity, "position \(id): ledger records more than was closed")
    }

    private func checkOrder(_ identifier: String, _ order: Order, _ require: (Bool, @autoclosure () -> String) -> Void) {
        require(order.identifier == identifier, "order \(identifier) filed under another identifier")
        require(identifier.count <= 64 && identifier.utf8.allSatisfy(State.isIdentifierByte),
                "order \(identifier): not a valid client order identifier")
        guard let position = positions.first(where: { $0.id == order.positionId }) else {
            return require(false, "order \(identifier) belongs to no open position")
        }
        require(position.orderIdentifiers.contains(identifier), "order \(identifier) not listed by its position")
        require(!order.reserved.isNegative, "order \(identifier): negative reserve")
        require(order.isEntry || order.reserved.isZero, "order \(identifier): an exit reserves cash")
        require(order.side == (order.isEntry ? position.direction.entrySide : position.direction.exitSide),
                "order \(identifier): side \(order.side) against a \(position.direction) position")
        let instrument = self.instrument(for: order.market)
        let minimum = instrument.minimumNotional
        switch order.request.size {
        case .quote(let amount):
            require(amount >= minimum, "order \(identifier): \(amount) below the minimum total")
        case .quantity(let quantity):
            require(quantity.isPositive, "order \(identifier): empty order")
        }
        if case .limit(let price) = order.request.kind, let quantity = order.requestedQuantity {
            require(price * quantity >= minimum, "order \(identifier): limit total below the minimum")
            require(instrument.tickScheme.isOnGrid(price), "order \(identifier): price \(price) off the tick grid")
        }
    }

    static func isIdentifierByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
    }
}
