/// A stored property added after snapshots were first written: decoded from its key when present,
/// else from `Default.value`, so the snapshots of an older build still load (synthesized
/// `Codable` would refuse a missing key). Encodes as the plain value.
@propertyWrapper
public struct Defaulted<Default: DecodingDefault>: Equatable, Codable, Sendable {
    public var wrappedValue: Default.Value

    public init(wrappedValue: Default.Value) { self.wrappedValue = wrappedValue }

    public init(from decoder: any Decoder) throws {
        wrappedValue = try decoder.singleValueContainer().decode(Default.Value.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue)
    }
}

/// The value a `Defaulted` property takes when a snapshot lacks it.
public protocol DecodingDefault {
    associatedtype Value: Equatable, Codable, Sendable
    static var value: Value { get }
}

extension KeyedDecodingContainer {
    /// Synthesized `init(from:)` calls this overload for `Defaulted` properties: a missing key is
    /// the default, not an error.
    public func decode<Default>(_ type: Defaulted<Default>.Type, forKey key: Key) throws -> Defaulted<Default> {
        try decodeIfPresent(type, forKey: key) ?? Defaulted(wrappedValue: Default.value)
    }
}

/// Defaults of the fields added for live readiness (issue 11).
public enum Zero: DecodingDefault { public static var value: Int { 0 } }
public enum False: DecodingDefault { public static var value: Bool { false } }
public enum NoStrings: DecodingDefault { public static var value: [String] { [] } }
