package import LedgerDomain
#if canImport(Glibc)
import Glibc
#endif

/// The server's clock (the command line has its own `Clock` in the executable).
package enum LedgerClock {
    package static func now() -> Instant {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Instant(epochMilliseconds: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }
}
