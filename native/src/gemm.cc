// Matrix products on oneDNN's sgemm (gemm.h says why not OpenBLAS): the BatchMatMul and _FusedMatMul
// kernels of the native backend, and the addon's thread and floating-point settings.
#include <dnnl.h>
#include <omp.h>
#include <xmmintrin.h>
#include <algorithm>
#include <string>
#include <thread>
#include "gemm.h"
#include "napi-util.h"

namespace vaelab {

void gemm(bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (m == 0 || n == 0) return;
  if (dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc) != dnnl_success) {
    throw ArgError{"oneDNN's sgemm failed on a " + std::to_string(m) + "x" + std::to_string(k) + " by " + std::to_string(k) + "x" + std::to_string(n) + " product"};
  }
}

/**
 * sgemm(transA, transB, batch, m, n, k, a, aStride, b, bStride, c): for each of `batch` products,
 * c[i] (m x n, row-major) = op(a[i]) * op(b[i]), where op transposes when asked and a[i] starts at
 * i * aStride (a stride of 0 broadcasts one matrix to every product).
 */
napi_value Sgemm(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a = args(env, info, 11);
    const bool ta = bool_arg(a, 0, "transposeA"), tb = bool_arg(a, 1, "transposeB");
    const int64_t batch = int_arg(a, 2, "batch", 1), m = int_arg(a, 3, "m", 1), n = int_arg(a, 4, "n", 1), k = int_arg(a, 5, "k", 1);
    const int64_t sa = int_arg(a, 7, "aStride"), sb = int_arg(a, 9, "bStride");
    // the last product's matrix starts at (batch - 1) * stride: every size is checked for overflow
    const float* A = floats_arg(a, 6, "a", size_sum(size_of({batch - 1, sa}, "a"), size_of({m, k}, "a"), "a"));
    const float* B = floats_arg(a, 8, "b", size_sum(size_of({batch - 1, sb}, "b"), size_of({k, n}, "b"), "b"));
    float* C = floats_arg(a, 10, "c", {batch, m, n});
    const int lda = ta ? m : k, ldb = tb ? k : n;
    for (int64_t i = 0; i < batch; i++) gemm(ta, tb, m, n, k, A + i * sa, lda, B + i * sb, ldb, 0.0f, C + i * m * n, n);
    return undefined(env);
  });
}

/** biasActivation(c, rows, cols, bias | null, relu): c[r, j] += bias[j], then max(0, .) when relu. */
napi_value BiasActivation(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a = args(env, info, 5);
    const int64_t rows = int_arg(a, 1, "rows", 1), cols = int_arg(a, 2, "cols", 1);
    float* C = floats_arg(a, 0, "c", {rows, cols});
    napi_valuetype bias_type;
    napi_typeof(env, a.values[3], &bias_type);
    const float* bias = bias_type == napi_null ? nullptr : floats_arg(a, 3, "bias", cols);
    const bool relu = bool_arg(a, 4, "relu");
    for (int64_t r = 0; r < rows; r++) {
      float* row = C + r * cols;
      if (bias != nullptr) for (int64_t j = 0; j < cols; j++) row[j] += bias[j];
      if (relu) for (int64_t j = 0; j < cols; j++) row[j] = std::max(row[j], 0.0f);
    }
    return undefined(env);
  });
}

/**
 * flushDenormals(on): flush-to-zero and denormals-are-zero on the calling thread (on), or IEEE denormals
 * again (off). A trained decoder drives the logits of always-black pixels so low that their gradients are
 * denormal floats, which x86 cores handle about a hundred times slower: without this, training on the
 * JavaScript thread (wasm's kernels and ours) ran 2.5x slower from the second epoch on.
 */
napi_value FlushDenormals(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a = args(env, info, 1);
    const unsigned bits = 0x8040;  // FTZ (bit 15) | DAZ (bit 6)
    _mm_setcsr(bool_arg(a, 0, "on") ? (_mm_getcsr() | bits) : (_mm_getcsr() & ~bits));
    return undefined(env);
  });
}

/**
 * setThreads(n): the OpenMP threads of every later product and convolution on this thread. At most 1024
 * or 4 a core, whichever is more: OpenMP accepts any count here and fails only at the next parallel region,
 * where (on 2 cores) 32768 threads end the process (libgomp: thread creation failed), 100000 crash it
 * (segfault) and 2^31 - 1 end it too (libgomp: out of memory).
 */
napi_value SetThreads(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a = args(env, info, 1);
    const int64_t most = std::max<int64_t>(1024, 4 * static_cast<int64_t>(std::thread::hardware_concurrency()));
    omp_set_num_threads(static_cast<int>(int_arg(a, 0, "threads", 1, most)));
    return undefined(env);
  });
}

/** threads(): how many threads the next product or convolution may use. */
napi_value Threads(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    args(env, info, 0);
    napi_value out;
    napi_create_int32(env, omp_get_max_threads(), &out);
    return out;
  });
}

}  // namespace vaelab
