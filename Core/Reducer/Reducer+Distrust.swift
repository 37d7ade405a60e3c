/// Order updates the books must not take (issue 11, item 6). Amounts are cumulative, and each
/// update is checked against what the order could possibly have done; one that contradicts it is
/// not a fill: it is counted (`statistics.inconsistentOrderUpdates`), said once per order, and
/// the order is settled by a query instead (with growing delays, see `settleByQuery`).
///
/// - market buy: funds at most the amount; the average price (funds / volume) not below the
///   market (lowest of best bid, best ask, last price) by more than `risk.price_band` — a volume
///   the funds could not buy at any plausible price is a lie (walking a thin book only raises a
///   buy's average, so there is no upper bound);
/// - any order sized by quantity: at most the quantity asked; an exit at most the quantity held;
/// - limit buy: funds at most price × quantity (+ one unit of the quote's last decimal for
///   rounding); limit sell: funds at least price × quantity (− one unit);
/// - market sell: the average price not above the market (highest of the three) by more than
///   the band; a market buy by quantity not below it (prices are judged within a minute of the
///   send only);
/// - fees: never negative, at most 1 % of the funds (+ one unit).
///
/// The price checks are judgement, not proof (a book the bot saw late, a fast market): an update
/// that fails only them is booked once the exchange, asked by query, answers the same amounts.
/// The other checks are proof: such an update is never booked.
extension State {
    enum FillCheck { case fill(Fill), impossible, implausiblePrice }

    /// The fill to book, or nil; remembers amounts whose price is questioned, and books them when
    /// they come again as the answer to a query.
    mutating func checkedFill(_ order: inout Order, _ update: OrderUpdate) -> Fill? {
        switch validFill(order, update) {
        case .fill(let fill):
            return fill
        case .impossible:
            return nil
        case .implausiblePrice:
            if order.queryAskedAt != nil, order.questionedQuantity == update.executedQuantity,
               order.questionedQuote == update.executedQuote {
                return Fill(quantity: update.executedQuantity - order.executedQuantity,
                            quote: update.executedQuote - order.executedQuote,
                            fee: update.paidFee - order.paidFee)
            }
            order.questionedQuantity = update.executedQuantity
            order.questionedQuote = update.executedQuote
            orders[order.identifier] = order
            return nil
        }
    }

    static let maximumFeeShare: Fixed = Fixed("0.01")!

    mutating func distrust(_ update: OrderUpdate, into commands: inout [Command]) {
        statistics.inconsistentOrderUpdates += 1
        if let order = orders[update.identifier], order.distrustedUpdates == 0, order.nextQueryAt == nil,
           order.queryAskedAt == nil {
            commands.append(notification(.warning, update.market,
                "order \(update.identifier): an update contradicts what the order could do (\(update.executedQuantity) for \(update.executedQuote) \(venue.quoteAsset)): not booked, asking the exchange"))
        }
        settleByQuery(update.identifier)
    }

    func plausibleFee(_ update: OrderUpdate, unit: Fixed) -> Bool {
        !update.paidFee.isNegative && update.paidFee <= update.executedQuote * State.maximumFeeShare + unit
    }

    /// The new fill an update carries, or why it cannot be booked as it is.
    func validFill(_ order: Order, _ update: OrderUpdate) -> FillCheck {
        let fill = Fill(quantity: update.executedQuantity - order.executedQuantity,
                        quote: update.executedQuote - order.executedQuote,
                        fee: update.paidFee - order.paidFee)
        let unit = instrument(for: order.market).quoteUnit
        guard fill.quantity.isPositive, fill.quote.isPositive, !fill.fee.isNegative, plausibleFee(update, unit: unit),
              update.executedQuantity <= State.maximumVolume, update.executedQuote <= Config.maximumQuote else {
            return .impossible
        }
        if let requested = order.requestedQuantity, update.executedQuantity > requested { return .impossible }
        if !order.isEntry, !fillIsHeld(fill, order) { return .impossible }
        let averagePrice = update.executedQuote / update.executedQuantity
        switch (order.request.kind, order.request.size) {
        case (.market, .quote(let amount)):
            guard update.executedQuote <= amount else { return .impossible }
            guard plausibleFillPrice(averagePrice, order, side: order.side) else { return .implausiblePrice }
        case (.market, .quantity), (.protectiveStop, _):
            guard plausibleFillPrice(averagePrice, order, side: order.side) else { return .implausiblePrice }
        case (.limit(let price), _):
            switch order.side {
            case .buy: guard update.executedQuote <= price * update.executedQuantity + unit else { return .impossible }
            case .sell: guard update.executedQuote + unit >= price * update.executedQuantity else { return .impossible }
            }
        }
        return .fill(fill)
    }

    /// An exit cannot close more than the position holds.
    private func fillIsHeld(_ fill: Fill, _ order: Order) -> Bool {
        guard let index = positionIndex(id: order.positionId) else { return true }
        return fill.quantity <= positions[index].quantity
    }

    /// A market buy cannot average much below the market, a market sell not much above it. Judged
    /// only within `bookFreshMilliseconds` of the send: an answer that comes later (after a crash,
    /// a long outage) met a market that may have moved since. With nothing to compare with, it is
    /// believed.
    func plausibleFillPrice(_ price: Fixed, _ order: Order, side: Side) -> Bool {
        guard let market = market(order.market),
              Time.elapsed(from: order.sentAt, to: now) <= State.bookFreshMilliseconds else { return true }
        let references = [market.book?.bestBidPrice, market.book?.bestAskPrice, market.lastPrice].compactMap { $0 }
        guard let low = references.min(), let high = references.max() else { return true }
        let band = config.risk.priceBand
        switch side {
        case .buy: return price >= low * (Fixed.one - band)
        case .sell: return price <= high * (Fixed.one + band)
        }
    }
}
