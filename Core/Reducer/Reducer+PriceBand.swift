/// One bogus print must not move money (issue 11, item 7). A trade further than `risk.price_band`
/// outside the market's fresh book (best bid × (1 − band) … best ask × (1 + band)) is suspect:
/// counted, and it changes nothing — no candle, volume, last price, exit, trailing high or
/// write-off (a print the book contradicts is as likely a bad frame as a real trade, and its
/// volume would feed the surge ratio too). Without a fresh book (none yet, or older than
/// `bookFreshMilliseconds`), a print further than the band from the last price is believed only
/// once a second print agrees with it (within the band), so a real jump costs one print.
extension State {
    /// A book older than this no longer judges prints (the feed of books may have stopped).
    static let bookFreshMilliseconds: Milliseconds = 60_000

    /// The price range the book allows, or nil when the market has no fresh two-sided book.
    func bookBand(_ book: BookTop?) -> ClosedRange<Fixed>? {
        guard let book, let bid = book.bestBidPrice, let ask = book.bestAskPrice, bid <= ask,
              Time.elapsed(from: book.time, to: now) <= State.bookFreshMilliseconds else { return nil }
        let band = config.risk.priceBand
        return bid * (Fixed.one - band)...ask * (Fixed.one + band)
    }

    /// True when the print is suspect (and not to be used); records an unconfirmed jump.
    mutating func isSuspectPrint(_ price: Fixed, _ index: Int) -> Bool {
        if let allowed = bookBand(markets[index].book) {  // the book alone: copying the market costs
            markets[index].unconfirmedPrice = nil
            return !allowed.contains(price)
        }
        guard let last = markets[index].lastPrice, !isNear(price, last) else {
            markets[index].unconfirmedPrice = nil
            return false
        }
        if let pending = markets[index].unconfirmedPrice, isNear(price, pending) {
            markets[index].unconfirmedPrice = nil
            return false
        }
        markets[index].unconfirmedPrice = price
        return true
    }

    /// Within the band of a reference price.
    func isNear(_ price: Fixed, _ reference: Fixed) -> Bool {
        let band = config.risk.priceBand
        return price >= reference * (Fixed.one - band) && price <= reference * (Fixed.one + band)
    }

    /// The price a market exit would get now: the book's best bid for a long (best ask for a
    /// short), the last price only when there is no book (dust is judged by it before a write-off).
    func exitValuationPrice(_ market: MarketState, _ direction: Direction) -> Fixed? {
        (direction == .long ? market.book?.bestBidPrice : market.book?.bestAskPrice) ?? market.lastPrice
    }
}
