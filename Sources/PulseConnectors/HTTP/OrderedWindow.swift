/// Runs `work` over `items` with at most `width` calls in flight, handing the results to
/// `consume` in the items' order (so that files come out the same every pull) as soon as each
/// is next in line. Memory holds at most `width` results at a time.
func forEachInOrder<Item: Sendable, Output: Sendable, Failure: Error>(
    _ items: [Item], width: Int,
    work: @escaping @Sendable (Item) async throws(Failure) -> Output,
    consume: (Item, Output) throws(Failure) -> Void
) async throws(Failure) {
    try await forEachInOrder(lazy: items, width: width, work: work) { (item: Item, output: Output) throws(Failure) -> Bool in
        try consume(item, output)
        return true
    }
}

/// The same over a sequence read lazily (a page range `2...n` is never built as an array): an
/// item is taken from `items` only when a call slot is free, and `consume` returning false ends
/// the walk (the calls still in flight are cancelled and their results dropped).
func forEachInOrder<Items: Sequence, Output: Sendable, Failure: Error>(
    lazy items: Items, width: Int,
    work: @escaping @Sendable (Items.Element) async throws(Failure) -> Output,
    consume: (Items.Element, Output) throws(Failure) -> Bool
) async throws(Failure) where Items.Element: Sendable {
    let width = max(1, width)
    var iterator = items.makeIterator()
    let result: Result<Void, Failure> = await withTaskGroup(of: (Int, Result<Output, Failure>).self) { group in
        var next = 0
        var pending: [Int: Items.Element] = [:]
        // Results by position; a failure counts only when it is next in line, so that a call
        // past the end of a list (cancelled, or failing) never fails a walk that already ended.
        var ready: [Int: Result<Output, Failure>] = [:]
        var emitted = 0
        func start() {
            guard let item = iterator.next() else { return }
            let index = next
            next += 1
            pending[index] = item
            group.addTask {
                do throws(Failure) { return (index, .success(try await work(item))) } catch { return (index, .failure(error)) }
            }
        }
        for _ in 0..<width { start() }
        while let (index, outcome) = await group.next() {
            ready[index] = outcome
            while let outcome = ready.removeValue(forKey: emitted) {
                guard let item = pending.removeValue(forKey: emitted) else { break }
                do throws(Failure) {
                    guard try consume(item, try outcome.get()) else {
                        group.cancelAll()
                        return .success(())
                    }
                } catch {
                    group.cancelAll()
                    return .failure(error)
                }
                emitted += 1
                start()
            }
        }
        return .success(())
    }
    try result.get()
}
