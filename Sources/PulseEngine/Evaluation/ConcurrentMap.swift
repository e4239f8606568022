import Foundation
import PulseSnapshot

extension Array where Element: Sendable {
    /// `map` with the elements spread over every core; results in the original order.
    /// For a few large, independent pieces of work (one card each), not for many small ones.
    public func concurrentMap<T: Sendable>(_ transform: @Sendable (Element) -> T) -> [T] {
        guard count > 1 else { return map(transform) }
        let results = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
        results.initialize(repeating: nil)
        defer {
            results.deinitialize()
            results.deallocate()
        }
        withUnsafeBufferPointer { elements in
            let source = UnsafeSendable(elements), target = UnsafeSendable(results)
            DispatchQueue.concurrentPerform(iterations: elements.count) { i in
                target.value[i] = transform(source.value[i])
            }
        }
        return results.compactMap { $0 }
    }
}
