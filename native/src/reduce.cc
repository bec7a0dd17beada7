// Reductions over every axis but the last (BatchNorm's per-channel statistics and their gradients).
#include <vector>
#include "napi-util.h"

namespace vaelab {

/** sumRows(x, rows, cols, out, scale): out[j] = scale * sum over r of x[r, j], accumulated in double. */
napi_value SumRows(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a = args(env, info, 5);
    const int64_t rows = int_arg(a, 1, "rows", 1), cols = int_arg(a, 2, "cols", 1);
    const float* x = floats_arg(a, 0, "x", rows * cols);
    float* out = floats_arg(a, 3, "out", cols);
    double scale;
    if (napi_get_value_double(env, a.values[4], &scale) != napi_ok) throw ArgError{"scale: expected a number"};
    std::vector<double> acc(static_cast<size_t>(cols), 0.0);
    for (int64_t r = 0; r < rows; r++) {
      const float* row = x + r * cols;
      for (int64_t j = 0; j < cols; j++) acc[static_cast<size_t>(j)] += row[j];
    }
    for (int64_t j = 0; j < cols; j++) out[j] = static_cast<float>(acc[static_cast<size_t>(j)] * scale);
    return undefined(env);
  });
}

}  // namespace vaelab
