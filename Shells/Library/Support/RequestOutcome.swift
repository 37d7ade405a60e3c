/// The outcome of one request to a venue: the value read from its answer, a definite refusal, or
/// unknown (the request may have acted: a timeout, a 5xx, an answer that cannot be read).
public enum RequestOutcome<Value: Sendable, Refusal: Error & Sendable>: Sendable {
    case success(Value)
    case rejected(Refusal)
    case unknown(String)

    /// A value read from the answer; an answer that cannot be read makes the outcome unknown.
    public func map<Mapped: Sendable>(_ transform: (Value) throws -> Mapped) -> RequestOutcome<Mapped, Refusal> {
        switch self {
        case .success(let value):
            do { return .success(try transform(value)) } catch { return .unknown("unexpected answer: \(error)") }
        case .rejected(let error): return .rejected(error)
        case .unknown(let reason): return .unknown(reason)
        }
    }
}
