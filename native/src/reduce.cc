// Per-channel work over every axis but the last: BatchNorm's statistics, their gradients and BatchNorm
// itself; and the Adam update.
#include <cmath>
#include <vector>
#include "clones.h"
#include "napi-util.h"
#include "reduce.h"

namespace vaelab {

VAELAB_CLONES
void sum_rows(const float* x, int64_t rows, int64_t cols, double scale, float* out) {
  std::vector<double> sums(static_cast<size_t>(cols), 0.0);
  double* acc = sums.data();
  for (int64_t r = 0; r < rows; r++) {
    const float* row = x + r * cols;
    for (int64_t j = 0; j < cols; j++) acc[j] += row[j];
  }
  for (int64_t j = 0; j < cols; j++) out[j] = static_cast<float>(acc[j] * scale);
}

/** sumRows(x, rows, cols, out, scale): out[j] = scale * sum over r of x[r, j], accumulated in double. */
napi_value SumRows(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a = args(env, info, 5);
    const int64_t rows = int_arg(a, 1, "rows", 1), cols = int_arg(a, 2, "cols", 1);
    const float* x = floats_arg(a, 0, "x", {rows, cols});
    float* out = floats_arg(a, 3, "out", cols);
    sum_rows(x, rows, cols, number_arg(a, 4, "scale"), out);
    return undefined(env);
  });
}

}  // namespace vaelab

namespace vaelab {

namespace {

/** The four arrays of an Adam step (value, m, v, g: one length, value's) and its `count` numbers after them. */
struct AdamArgs {
  int64_t n;
  float *value, *m, *v;
  const float* g;
  double d[6];
};

VAELAB_CLONES
void adam_loop(int64_t n, float* value, float* m, float* v, const float* g, float neg_lr, float b1, float b2, float one_b1, float one_b2, float eps, float c1, float c2) {
  for (int64_t i = 0; i < n; i++) {
    const float gi = g[i];
    const float mi = m[i] * b1 + gi * one_b1;
    const float vi = v[i] * b2 + (gi * gi) * one_b2;
    m[i] = mi;
    v[i] = vi;
    const float step = (mi / c1) / (std::sqrt(vi / c2) + eps);
    value[i] = step * neg_lr + value[i];
  }
}

VAELAB_CLONES
void iwae_adam_loop(int64_t n, float* value, float* m, float* v, const float* g, float alpha, float b1, float b2, float one_b1, float one_b2, float eps) {
  for (int64_t i = 0; i < n; i++) {
    const float gi = g[i], mi = m[i], vi = v[i];
    value[i] = value[i] - (mi / (std::sqrt(vi) + eps)) * alpha;
    m[i] = mi * b1 + gi * one_b1;
    v[i] = vi * b2 + (gi * gi) * one_b2;
  }
}

AdamArgs adam_args(napi_env env, napi_callback_info info, const char* const* names, int count) {
  Args a = args(env, info, static_cast<size_t>(4 + count));
  const auto [value, length] = float_array_arg(a, 0, "value");  // its length is every array's
  AdamArgs out{static_cast<int64_t>(length), value, nullptr, nullptr, nullptr, {}};
  out.m = floats_arg(a, 1, "m", out.n);
  out.v = floats_arg(a, 2, "v", out.n);
  out.g = floats_arg(a, 3, "g", out.n);
  for (int i = 0; i < count; i++) {
    out.d[i] = number_arg(a, static_cast<size_t>(4 + i), names[i]);
  }
  return out;
}

}  // namespace

/**
 * adamStep(value, m, v, g, lr, beta1, beta2, epsilon, oneMinusAccBeta1, oneMinusAccBeta2): one Adam update
 * in place, in float32 and in the order of tfjs's AdamOptimizer (every product and sum rounded on its own:
 * this file is built without FMA contraction), so it gives tfjs's own bits a hundred kernel calls faster.
 */
napi_value AdamStep(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    const char* names[] = {"learningRate", "beta1", "beta2", "epsilon", "oneMinusAccBeta1", "oneMinusAccBeta2"};
    AdamArgs a = adam_args(env, info, names, 6);
    const int64_t n = a.n;
    float *value = a.value, *m = a.m, *v = a.v;
    const float* g = a.g;
    const double* d = a.d;
    // the scalars as tfjs makes them: float32 tensors of the JavaScript numbers
    const float neg_lr = static_cast<float>(-d[0]), b1 = static_cast<float>(d[1]), b2 = static_cast<float>(d[2]);
    const float one_b1 = static_cast<float>(1 - d[1]), one_b2 = static_cast<float>(1 - d[2]), eps = static_cast<float>(d[3]);
    const float c1 = static_cast<float>(d[4]), c2 = static_cast<float>(d[5]);
    adam_loop(n, value, m, v, g, neg_lr, b1, b2, one_b1, one_b2, eps, c1, c2);
    return undefined(env);
  });
}

/**
 * iwaeAdamStep(value, m, v, g, alpha, beta1, beta2, epsilon): one step of the IWAE paper code's Adam
 * (src/train/iwae-code-adam.ts) in place: the weights from the moments before this step, then the moments.
 * float32, every operation rounded on its own in the order of that file's tfjs composite, so the same bits.
 */
napi_value IwaeAdamStep(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    const char* names[] = {"alpha", "beta1", "beta2", "epsilon"};
    AdamArgs a = adam_args(env, info, names, 4);
    const int64_t n = a.n;
    float *value = a.value, *m = a.m, *v = a.v;
    const float* g = a.g;
    const double* d = a.d;
    const float alpha = static_cast<float>(d[0]), b1 = static_cast<float>(d[1]), b2 = static_cast<float>(d[2]);
    const float one_b1 = static_cast<float>(1 - d[1]), one_b2 = static_cast<float>(1 - d[2]), eps = static_cast<float>(d[3]);
    iwae_adam_loop(n, value, m, v, g, alpha, b1, b2, one_b1, one_b2, eps);
    return undefined(env);
  });
}

}  // namespace vaelab

namespace vaelab {

/** addRows(a, rows, cols, b, out): out[r, j] = a[r, j] + b[j] (a bias added to every row, as tfjs's broadcast Add). */
napi_value AddRows(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a = args(env, info, 5);
    const int64_t rows = int_arg(a, 1, "rows", 1), cols = int_arg(a, 2, "cols", 1);
    const float* x = floats_arg(a, 0, "a", {rows, cols});
    const float* bias = floats_arg(a, 3, "b", cols);
    float* out = floats_arg(a, 4, "out", {rows, cols});
    for (int64_t r = 0; r < rows; r++) {
      const float* xr = x + r * cols;
      float* o = out + r * cols;
      for (int64_t j = 0; j < cols; j++) o[j] = xr[j] + bias[j];
    }
    return undefined(env);
  });
}

/**
 * batchNorm(x, rows, cols, mean, variance, offset | null, scale | null, epsilon, y): per channel (the last
 * axis), y = (x - mean) * scale / sqrt(variance + epsilon) + offset, in one pass over x.
 */
napi_value BatchNorm(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a = args(env, info, 9);
    const int64_t rows = int_arg(a, 1, "rows", 1), cols = int_arg(a, 2, "cols", 1);
    const float* x = floats_arg(a, 0, "x", {rows, cols});
    const float* mean = floats_arg(a, 3, "mean", cols);
    const float* variance = floats_arg(a, 4, "variance", cols);
    napi_valuetype t5, t6;
    napi_typeof(env, a.values[5], &t5);
    napi_typeof(env, a.values[6], &t6);
    const float* offset = t5 == napi_null ? nullptr : floats_arg(a, 5, "offset", cols);
    const float* scale = t6 == napi_null ? nullptr : floats_arg(a, 6, "scale", cols);
    const double eps = number_arg(a, 7, "epsilon");
    float* y = floats_arg(a, 8, "y", {rows, cols});
    std::vector<float> gain(static_cast<size_t>(cols)), shift(static_cast<size_t>(cols));
    for (int64_t j = 0; j < cols; j++) {
      const float g = (scale == nullptr ? 1.0f : scale[j]) / std::sqrt(variance[j] + static_cast<float>(eps));
      gain[static_cast<size_t>(j)] = g;
      shift[static_cast<size_t>(j)] = (offset == nullptr ? 0.0f : offset[j]) - mean[j] * g;
    }
    for (int64_t r = 0; r < rows; r++) {
      const float* xr = x + r * cols;
      float* yr = y + r * cols;
      for (int64_t j = 0; j < cols; j++) yr[j] = xr[j] * gain[static_cast<size_t>(j)] + shift[static_cast<size_t>(j)];
    }
    return undefined(env);
  });
}

}  // namespace vaelab
