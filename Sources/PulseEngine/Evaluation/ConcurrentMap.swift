import Foundation
import PulseSnapshot

extension Array where Element: Sendable {
    /// `map` with the elements spread over every core; results in the original order.
    /// For a few large, independent pieces of work (one card each), not for many small ones.
    public func concurrentMap<T: Sendable>(_ transform: @Sendable (Element) -> T) -> [T] {
        guard count > 1 else { return map(transform) }
        let results = WorkerSlots<T?>(count: count) { nil }
        let elements = self
        DispatchQueue.concurrentPerform(iterations: count) { i in
            results[i] = transform(elements[i])
        }
        return (0..<count).compactMap { results[$0] }
    }
}
