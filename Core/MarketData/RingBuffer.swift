/// A fixed-capacity FIFO: appending to a full buffer drops the oldest element.
/// Memory per market stays constant however long the bot runs.
public struct RingBuffer<Element: Equatable & Codable & Sendable>: Equatable, Codable, Sendable {
    private var storage: [Element]
    private var start = 0
    public private(set) var count = 0
    public let capacity: Int

    public init(capacity: Int) {
        precondition(capacity > 0, "ring buffer capacity must be positive")
        self.capacity = capacity
        storage = []
        storage.reserveCapacity(capacity)
    }

    public var isEmpty: Bool { count == 0 }

    public mutating func append(_ element: Element) {
        if storage.count < capacity {
            storage.append(element)
            count += 1
        } else {
            storage[(start + count) % capacity] = element
            if count == capacity { start = (start + 1) % capacity } else { count += 1 }
        }
    }

    public mutating func removeAll() {
        storage.removeAll(keepingCapacity: true)
        start = 0
        count = 0
    }

    /// Element `index` counted from the oldest (0) to the newest (count - 1).
    public subscript(index: Int) -> Element {
        precondition(index >= 0 && index < count, "ring buffer index out of range")
        return storage[(start + index) % capacity]
    }

    /// Element counted back from the newest (0 = newest).
    public func fromNewest(_ offset: Int) -> Element { self[count - 1 - offset] }

    public var last: Element? { count == 0 ? nil : self[count - 1] }

    public var elements: [Element] { (0..<count).map { self[$0] } }
}
