#if canImport(Glibc)
import Glibc
#endif

/// Bytes the loader reads: a run of lines of a mapped file or a read buffer, or one line. The
/// one handle through which the loader does pointer work (`memchr`, unaligned word loads,
/// word-wise comparison); everything else reads bytes by index or takes slices.
///
/// Every access asserts its bounds in debug builds. Release builds rely on the callers, which
/// compare positions against ``count`` before they read (the scanner's loops all do).
// @unchecked Sendable: the bytes are read-only, and a run is handed to worker threads only
// inside the callback that owns the memory (`DispatchQueue.concurrentPerform` returns before
// the callback does), so no worker reads them after they are unmapped or freed.
struct ByteRun: @unchecked Sendable {
    /// The bytes.
    let buffer: UnsafeBufferPointer<UInt8>

    @inline(__always)
    init(_ buffer: UnsafeBufferPointer<UInt8>) { self.buffer = buffer }

    /// How many bytes.
    @inline(__always) var count: Int { buffer.count }

    /// The byte at `i`.
    @inline(__always)
    subscript(i: Int) -> UInt8 {
        assert(i >= 0 && i < buffer.count, "byte \(i) of a run of \(buffer.count)")
        return buffer[i]
    }

    /// The bytes in `range`.
    @inline(__always)
    func slice(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        assert(range.lowerBound >= 0 && range.upperBound <= buffer.count, "bytes \(range) of a run of \(buffer.count)")
        return UnsafeBufferPointer(rebasing: buffer[range])
    }

    /// The position of the first `byte` at or after `start`, or nil (`memchr`: many bytes a step).
    @inline(__always)
    func firstIndex(of byte: UInt8, from start: Int) -> Int? {
        assert(start >= 0 && start <= buffer.count, "search from \(start) in a run of \(buffer.count)")
        guard start < buffer.count, let base = buffer.baseAddress,
              let found = memchr(base + start, Int32(byte), buffer.count - start) else { return nil }
        return UnsafePointer(found.assumingMemoryBound(to: UInt8.self)) - base
    }

    /// How many times `byte` occurs.
    func occurrences(of byte: UInt8) -> Int {
        var n = 0, start = 0
        while let found = firstIndex(of: byte, from: start) {
            n += 1
            start = found + 1
        }
        return n
    }

    /// The eight bytes at `offset` as one little-endian word (no alignment needed).
    @inline(__always)
    func word64(at offset: Int) -> UInt64 {
        assert(offset >= 0 && offset + 8 <= buffer.count, "8 bytes at \(offset) of a run of \(buffer.count)")
        return UnsafeRawPointer(buffer.baseAddress.unsafelyUnwrapped).loadUnaligned(fromByteOffset: offset, as: UInt64.self)
    }

    /// The four bytes at `offset` as one little-endian word (no alignment needed).
    @inline(__always)
    func word32(at offset: Int) -> UInt32 {
        assert(offset >= 0 && offset + 4 <= buffer.count, "4 bytes at \(offset) of a run of \(buffer.count)")
        return UnsafeRawPointer(buffer.baseAddress.unsafelyUnwrapped).loadUnaligned(fromByteOffset: offset, as: UInt32.self)
    }

    /// Whether the bytes at `offset` are `word`'s (compared eight bytes at a time); false when
    /// the run ends first.
    @inline(__always)
    func matches(_ word: ByteRun, at offset: Int) -> Bool {
        let n = word.count
        guard offset >= 0, offset + n <= count else { return false }
        var k = 0
        while k + 8 <= n {
            if word64(at: offset + k) != word.word64(at: k) { return false }
            k += 8
        }
        while k < n {
            if self[offset + k] != word[k] { return false }
            k += 1
        }
        return true
    }
}
