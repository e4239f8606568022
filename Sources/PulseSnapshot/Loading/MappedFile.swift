#if canImport(Glibc)
import Glibc
#endif

/// A regular file mapped read-only into memory, unmapped when the handle goes: the loader's
/// one use of `mmap`. Its bytes are lent only inside ``read(_:)``, as a ``ByteRun``, so no run
/// of them outlives the mapping.
final class MappedFile {
    /// The whole file (lent by ``read(_:)``).
    private let bytes: ByteRun
    private let base: UnsafeMutableRawPointer
    private let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// Maps `size` bytes of the open file `fd`, to be read front to back; nil when the file
    /// cannot be mapped (the caller reads it instead).
    init?(fd: Int32, size: Int) {
        guard size > 0, let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else { return nil }
        base = mapped
        bytes = ByteRun(UnsafeBufferPointer(start: mapped.assumingMemoryBound(to: UInt8.self), count: size))
        _ = madvise(mapped, size, MADV_SEQUENTIAL)
    }

    deinit { munmap(base, bytes.count) }

    /// How many bytes the file has.
    var count: Int { bytes.count }

    /// Calls `body` with the file's bytes, mapped until `body` returns.
    func read<R>(_ body: (ByteRun) throws -> R) rethrows -> R {
        try withExtendedLifetime(self) { try body(bytes) }
    }

    /// Hands back the pages wholly inside `range`, once they have been read (touching them again
    /// reads the file again), so that a large file never stays resident.
    func release(_ range: Range<Int>) {
        assert(range.lowerBound >= 0 && range.upperBound <= bytes.count, "pages of \(range) in a file of \(bytes.count) bytes")
        let from = range.lowerBound / pageSize * pageSize, to = range.upperBound / pageSize * pageSize
        if to > from { _ = madvise(base + from, to - from, MADV_DONTNEED) }
    }
}
