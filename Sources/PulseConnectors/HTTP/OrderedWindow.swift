/// Runs `work` over `items` with at most `width` calls in flight, handing the results to
/// `consume` in the items' order (so that files come out the same every pull) as soon as each
/// is next in line. Memory holds at most `width` results at a time.
func forEachInOrder<Item: Sendable, Output: Sendable, Failure: Error>(
    _ items: [Item], width: Int,
    work: @escaping @Sendable (Item) async throws(Failure) -> Output,
    consume: (Item, Output) throws(Failure) -> Void
) async throws(Failure) {
    let width = max(1, width)
    let result: Result<Void, Failure> = await withTaskGroup(of: (Int, Result<Output, Failure>).self) { group in
        var next = 0
        var ready: [Int: Output] = [:]
        var emitted = 0
        func start() {
            guard next < items.count else { return }
            let index = next, item = items[index]
            next += 1
            group.addTask {
                do throws(Failure) { return (index, .success(try await work(item))) } catch { return (index, .failure(error)) }
            }
        }
        for _ in 0..<width { start() }
        while let (index, outcome) = await group.next() {
            switch outcome {
            case .failure(let error):
                group.cancelAll()
                return .failure(error)
            case .success(let output):
                ready[index] = output
                while let output = ready.removeValue(forKey: emitted) {
                    do throws(Failure) { try consume(items[emitted], output) } catch {
                        group.cancelAll()
                        return .failure(error)
                    }
                    emitted += 1
                    start()
                }
            }
        }
        return .success(())
    }
    try result.get()
}
