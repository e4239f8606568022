import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Asks the kernel to back large, randomly accessed tables with huge pages (where transparent
/// huge pages are enabled on request, as on most Linux systems); a hint, never required.
enum HugePages {
    static let size = 2 << 20

    /// Advises the whole 2 MB pages inside `bytes` bytes from `base`, before they are touched.
    static func advise(_ base: UnsafeMutableRawPointer, bytes: Int) {
        #if os(Linux)
        let start = (Int(bitPattern: base) + size - 1) / size * size
        let end = (Int(bitPattern: base) + bytes) / size * size
        guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
        _ = madvise(aligned, end - start, MADV_HUGEPAGE)
        #endif
    }
}
