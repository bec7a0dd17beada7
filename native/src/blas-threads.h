// How many OpenBLAS threads a product gets. Waking the second thread costs more than it saves on the
// small products of a training step (an MLP step at batch 128 took 12 ms on two threads, 7 ms on one,
// on a 2-vCPU VM): below kParallelMacs multiply-adds a product runs on the calling thread alone.
#pragma once
#include <cstdint>

namespace vaelab {

constexpr int64_t kParallelMacs = int64_t{1} << 26;  // ~0.3 ms on one thread

/** Sets OpenBLAS's thread count for a product of `macs` multiply-adds (setThreads' count, or 1). */
void threads_for(int64_t macs);

}  // namespace vaelab
