// The per-column sum that tfjs's Sum over rows runs on native (reduce.cc), shared with the fused MLP step (mlp.cc).
#pragma once
#include <cstdint>

namespace vaelab {

/** out[j] = scale * sum over r of x[r, j], accumulated in double in row order. */
void sum_rows(const float* x, int64_t rows, int64_t cols, double scale, float* out);

}  // namespace vaelab
