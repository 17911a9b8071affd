import Testing
import TestSupport

/// Every end-to-end suite nests here: they run one at a time, because crash and lease tests measure
/// time and the machine has two cores.
@Suite("End to end (real bootstrap, Runtime API emulator, moto with SigV4 checking)", .serialized)
enum EndToEnd {}
