import Core
import Foundation

/// The live driver's clock. In production it is the wall clock. A local market played faster
/// than real time (`surge demo`, tests) runs its own clock `speed` times faster from an origin,
/// and the bot that trades it must read the same clock: frames are judged against it (a frame
/// dated far from the driver's clock is refused), and the 1 s timer reports it.
public struct DriverClock: Sendable, Equatable {
    public let speed: Double
    /// Wall time and clock time at the origin.
    let originWall: Milliseconds
    let originClock: Milliseconds

    /// The wall clock.
    public static let wall = DriverClock(speed: 1, origin: 0, reading: 0)

    /// A clock that reads `reading` at wall time `origin` and runs `speed` times faster.
    public init(speed: Double, origin: Milliseconds, reading: Milliseconds) {
        self.speed = speed
        originWall = origin
        originClock = reading
    }

    public func now() -> Milliseconds {
        let wall = DriverClock.wallNow()
        if self == .wall { return wall }
        return originClock + Milliseconds(Double(wall - originWall) * speed)
    }

    /// `SPEED,ORIGIN,READING` (`surge run --clock`, for a bot trading a local market played
    /// faster than real time in another process).
    public var argument: String { "\(speed),\(originWall),\(originClock)" }

    public init?(argument: String) {
        let parts = argument.split(separator: ",")
        guard parts.count == 3, let speed = Double(parts[0]), speed > 0, speed <= 1_000,
              let origin = Milliseconds(parts[1]), let reading = Milliseconds(parts[2]) else { return nil }
        self.init(speed: speed, origin: origin, reading: reading)
    }

    public static func wallNow() -> Milliseconds { Milliseconds(Date().timeIntervalSince1970 * 1_000) }
}
