// Every matrix product of the native backend runs on oneDNN's sgemm, on the OpenMP threads its
// convolutions use (OMP_NUM_THREADS, set from VAELAB_THREADS before the addon loads; setThreads). It first
// ran on OpenBLAS, whose threads spin on the cores for a while after each product: on a 2-vCPU VM the next
// oneDNN convolution then shared its cores with them, and the conv VAE's training step (batch 128) took
// 137-160 ms against 107-109 ms with one pool of threads (alternating processes, 2026-12-04); IWAE K = 1000
// on the MLP VAE 4.7 s against 4.3-4.5 s, and the fused MLP step (mlp.cc) 3.4-4.6 ms against 3.1-3.7 ms.
#pragma once
#include <cstdint>

namespace vaelab {

/** c [m, n] (row-major, row stride ldc) = op(a) op(b) + beta c, op transposing where ta / tb. */
void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc);

}  // namespace vaelab
