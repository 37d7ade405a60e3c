/// Order updates the books must not take (issue 11, item 6). Amounts are cumulative, and each
/// update is checked against what the order could possibly have done; one that contradicts it is
/// not a fill: it is counted (`statistics.inconsistentOrderUpdates`), said once per order, and
/// the order is settled by a query instead (with growing delays, see `settleByQuery`).
///
/// - market buy: funds at most the amount; the average price (funds / volume) not below the
///   market (lowest of best bid, best ask, last price) by more than `risk.price_band` — a volume
///   the funds could not buy at any plausible price is a lie (walking a thin book only raises a
///   buy's average, so there is no upper bound);
/// - limit buy: at most the volume asked, funds at most price × volume (+ 1 KRW of rounding);
/// - sells: at most the volume asked and the volume held; a limit sell's funds at least price ×
///   volume (− 1 KRW); a market sell's average price not above the market (highest of the
///   three) by more than the band (prices are judged within a minute of the send only);
/// - fees: never negative, at most 1 % of the funds (+ 1 KRW).
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
            if order.queryAskedAt != nil, order.questionedVolume == update.executedVolume,
               order.questionedFundsKRW == update.executedFundsKRW {
                return Fill(volume: update.executedVolume - order.executedVolume,
                            fundsKRW: update.executedFundsKRW - order.executedFundsKRW,
                            feeKRW: update.paidFeeKRW - order.paidFeeKRW)
            }
            order.questionedVolume = update.executedVolume
            order.questionedFundsKRW = update.executedFundsKRW
            orders[order.identifier] = order
            return nil
        }
    }

    static let maximumFeeShare: Fixed = Fixed("0.01")!
    static let roundingKRW: Fixed = 1

    mutating func distrust(_ update: OrderUpdate, into commands: inout [Command]) {
        statistics.inconsistentOrderUpdates += 1
        if let order = orders[update.identifier], order.distrustedUpdates == 0, order.nextQueryAt == nil,
           order.queryAskedAt == nil {
            commands.append(notification(.warning, update.market,
                "order \(update.identifier): an update contradicts what the order could do (\(update.executedVolume) for \(update.executedFundsKRW) KRW): not booked, asking the exchange"))
        }
        settleByQuery(update.identifier)
    }

    func plausibleFee(_ update: OrderUpdate) -> Bool {
        !update.paidFeeKRW.isNegative
            && update.paidFeeKRW <= update.executedFundsKRW * State.maximumFeeShare + State.roundingKRW
    }

    /// The new fill an update carries, or why it cannot be booked as it is.
    func validFill(_ order: Order, _ update: OrderUpdate) -> FillCheck {
        let fill = Fill(volume: update.executedVolume - order.executedVolume,
                        fundsKRW: update.executedFundsKRW - order.executedFundsKRW,
                        feeKRW: update.paidFeeKRW - order.paidFeeKRW)
        guard fill.volume.isPositive, fill.fundsKRW.isPositive, !fill.feeKRW.isNegative, plausibleFee(update),
              update.executedVolume <= State.maximumVolume, update.executedFundsKRW <= Config.maximumKRW else {
            return .impossible
        }
        let averagePrice = update.executedFundsKRW / update.executedVolume
        switch order.request.kind {
        case .marketBuy(let amount):
            guard update.executedFundsKRW <= amount else { return .impossible }
            guard plausibleFillPrice(averagePrice, order, side: .bid) else { return .implausiblePrice }
        case .marketSell(let volume):
            guard update.executedVolume <= volume, fillIsHeld(fill, order) else { return .impossible }
            guard plausibleFillPrice(averagePrice, order, side: .ask) else { return .implausiblePrice }
        case .limit(.bid, let price, let volume):
            guard update.executedVolume <= volume,
                  update.executedFundsKRW <= price * update.executedVolume + State.roundingKRW else { return .impossible }
        case .limit(.ask, let price, let volume):
            guard update.executedVolume <= volume, fillIsHeld(fill, order),
                  update.executedFundsKRW + State.roundingKRW >= price * update.executedVolume else { return .impossible }
        }
        return .fill(fill)
    }

    /// A sell cannot sell more than the position holds.
    private func fillIsHeld(_ fill: Fill, _ order: Order) -> Bool {
        guard let index = positionIndex(id: order.positionId) else { return true }
        return fill.volume <= positions[index].volume
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
        case .bid: return price >= low * (Fixed.one - band)
        case .ask: return price <= high * (Fixed.one + band)
        }
    }
}
