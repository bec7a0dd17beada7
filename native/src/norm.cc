// BatchNorm as training computes it (the batch's own statistics) and its gradient, one call each, and the
// ReLU gradient: the tfjs composites of these make ~20 full-size passes per conv BatchNorm per step.
// Single-threaded, like likelihood.cc: these are memory-bound loops the compiler vectorises.
#include <algorithm>
#include <cmath>
#include <vector>
#include "napi-util.h"

namespace vaelab {
namespace {

constexpr int64_t BLOCK = 64;  // rows summed in float (vectorised) before each add into the double totals

/**
 * Per channel (the last axis), the sums over the rows of f(r, j) into totals (double): each block of rows
 * is summed in float, where the loop vectorises, then added, so 10^6 rows stay accurate.
 */
template <int N, typename F>
void channel_sums(int64_t rows, int64_t cols, std::vector<double> (&totals)[N], F f) {
  std::vector<float> part[N];
  for (int i = 0; i < N; i++) {
    totals[i].assign(static_cast<size_t>(cols), 0.0);
    part[i].assign(static_cast<size_t>(cols), 0.0f);
  }
  for (int64_t r0 = 0; r0 < rows; r0 += BLOCK) {
    const int64_t r1 = std::min(rows, r0 + BLOCK);
    for (int i = 0; i < N; i++) std::fill(part[i].begin(), part[i].end(), 0.0f);
    for (int64_t r = r0; r < r1; r++) f(r, part);
    for (int i = 0; i < N; i++) {
      for (int64_t j = 0; j < cols; j++) totals[i][static_cast<size_t>(j)] += part[i][static_cast<size_t>(j)];
    }
  }
}

}  // namespace

/**
 * batchNormTrain(x, rows, cols, scale, offset, epsilon, y, mean, variance): per channel j of x [rows, cols],
 * mean and the biased variance over the rows (two passes, as tfjs's moments), then
 * y = (x - mean) * scale / sqrt(variance + epsilon) + offset.
 */
napi_value BatchNormTrain(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a = args(env, info, 9);
    const int64_t rows = int_arg(a, 1, "rows", 1), cols = int_arg(a, 2, "cols", 1);
    const float* x = floats_arg(a, 0, "x", {rows, cols});
    const float* scale = floats_arg(a, 3, "scale", cols);
    const float* offset = floats_arg(a, 4, "offset", cols);
    const double eps = number_arg(a, 5, "epsilon");
    float* y = floats_arg(a, 6, "y", {rows, cols});
    float* mean = floats_arg(a, 7, "mean", cols);
    float* variance = floats_arg(a, 8, "variance", cols);
    // two passes, as tfjs's moments: the mean, then the squares about it (no cancellation)
    std::vector<double> sums[1];
    channel_sums<1>(rows, cols, sums, [&](int64_t r, std::vector<float>(&part)[1]) {
      const float* xr = x + r * cols;
      float* p1 = part[0].data();
      for (int64_t j = 0; j < cols; j++) p1[j] += xr[j];
    });
    for (int64_t j = 0; j < cols; j++) mean[j] = static_cast<float>(sums[0][static_cast<size_t>(j)] / static_cast<double>(rows));
    channel_sums<1>(rows, cols, sums, [&](int64_t r, std::vector<float>(&part)[1]) {
      const float* xr = x + r * cols;
      float* p1 = part[0].data();
      for (int64_t j = 0; j < cols; j++) {
        const float d = xr[j] - mean[j];
        p1[j] += d * d;
      }
    });
    const std::vector<double>& acc = sums[0];
    std::vector<float> gain(static_cast<size_t>(cols)), shift(static_cast<size_t>(cols));
    for (int64_t j = 0; j < cols; j++) {
      variance[j] = static_cast<float>(acc[static_cast<size_t>(j)] / static_cast<double>(rows));
      const double g = scale[j] / std::sqrt(static_cast<double>(variance[j]) + eps);
      gain[static_cast<size_t>(j)] = static_cast<float>(g);
      shift[static_cast<size_t>(j)] = static_cast<float>(offset[j] - mean[j] * g);
    }
    const float* gn = gain.data();
    const float* sh = shift.data();
    for (int64_t r = 0; r < rows; r++) {
      const float* xr = x + r * cols;
      float* yr = y + r * cols;
      for (int64_t j = 0; j < cols; j++) yr[j] = xr[j] * gn[j] + sh[j];
    }
    return undefined(env);
  });
}

/**
 * batchNormTrainGrad(dy, x, rows, cols, scale, mean, variance, epsilon, dx, dscale, doffset): the gradient
 * of batchNormTrain through the batch statistics too. With s = 1/sqrt(variance + eps), N = rows,
 * doffset = sum dy, dscale = s sum dy (x - mean), and
 * dx = scale s (dy - doffset / N - (x - mean) s dscale / N), written as a dy + b x + c per channel.
 */
napi_value BatchNormTrainGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a = args(env, info, 11);
    const int64_t rows = int_arg(a, 2, "rows", 1), cols = int_arg(a, 3, "cols", 1);
    const float* dy = floats_arg(a, 0, "dy", {rows, cols});
    const float* x = floats_arg(a, 1, "x", {rows, cols});
    const float* scale = floats_arg(a, 4, "scale", cols);
    const float* mean = floats_arg(a, 5, "mean", cols);
    const float* variance = floats_arg(a, 6, "variance", cols);
    const double eps = number_arg(a, 7, "epsilon");
    float* dx = floats_arg(a, 8, "dx", {rows, cols});
    float* dscale = floats_arg(a, 9, "dscale", cols);
    float* doffset = floats_arg(a, 10, "doffset", cols);
    std::vector<double> sums[2];  // sum dy, sum dy (x - mean)
    channel_sums<2>(rows, cols, sums, [&](int64_t r, std::vector<float>(&part)[2]) {
      const float* dr = dy + r * cols;
      const float* xr = x + r * cols;
      float* p1 = part[0].data();
      float* p2 = part[1].data();
      for (int64_t j = 0; j < cols; j++) {
        p1[j] += dr[j];
        p2[j] += dr[j] * (xr[j] - mean[j]);
      }
    });
    const double* s1 = sums[0].data();
    const double* s2 = sums[1].data();
    std::vector<float> ca(static_cast<size_t>(cols)), cb(static_cast<size_t>(cols)), cc(static_cast<size_t>(cols));
    const double n = static_cast<double>(rows);
    for (int64_t j = 0; j < cols; j++) {
      const size_t k = static_cast<size_t>(j);
      const double s = 1.0 / std::sqrt(static_cast<double>(variance[j]) + eps);
      const double ga = scale[j] * s, gb = -scale[j] * s * s * s * s2[k] / n;
      doffset[j] = static_cast<float>(s1[k]);
      dscale[j] = static_cast<float>(s2[k] * s);
      ca[k] = static_cast<float>(ga);
      cb[k] = static_cast<float>(gb);
      cc[k] = static_cast<float>(-ga * s1[k] / n - gb * mean[j]);
    }
    const float *pa = ca.data(), *pb = cb.data(), *pc = cc.data();
    for (int64_t r = 0; r < rows; r++) {
      const float* dr = dy + r * cols;
      const float* xr = x + r * cols;
      float* out = dx + r * cols;
      for (int64_t j = 0; j < cols; j++) out[j] = pa[j] * dr[j] + pb[j] * xr[j] + pc[j];
    }
    return undefined(env);
  });
}

/** reluGrad(dy, x, n, dx): tfjs's dy * step(x) in one pass: dy where x > 0, dy * 0 where x <= 0, NaN where x is. */
napi_value ReluGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a = args(env, info, 4);
    const int64_t n = int_arg(a, 2, "n", 0);
    const float* dy = floats_arg(a, 0, "dy", n);
    const float* x = floats_arg(a, 1, "x", n);
    float* dx = floats_arg(a, 3, "dx", n);
    for (int64_t i = 0; i < n; i++) {
      const float v = x[i];
      const float step = v > 0.0f ? 1.0f : 0.0f;
      dx[i] = dy[i] * (v != v ? v : step);  // step(NaN) is NaN in tfjs
    }
    return undefined(env);
  });
}

}  // namespace vaelab

namespace vaelab {

/**
 * biasReluGrad(dy, y, rows, cols, dx, dbias): the backward pass of a layer's bias and ReLU in one pass over
 * y = relu(. + bias): dx = dy * step(y) as reluGrad computes it, and dbias[j] = sum over rows of dx[r, j]
 * accumulated in double as sumRows does (tfjs's separate ReluGrad and Sum: two passes, the same bits).
 */
napi_value BiasReluGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a = args(env, info, 6);
    const int64_t rows = int_arg(a, 2, "rows", 1), cols = int_arg(a, 3, "cols", 1);
    const float* dy = floats_arg(a, 0, "dy", {rows, cols});
    const float* y = floats_arg(a, 1, "y", {rows, cols});
    float* dx = floats_arg(a, 4, "dx", {rows, cols});
    float* dbias = floats_arg(a, 5, "dbias", cols);
    std::vector<double> acc(static_cast<size_t>(cols), 0.0);
    double* sums = acc.data();
    for (int64_t r = 0; r < rows; r++) {
      const float* dr = dy + r * cols;
      const float* yr = y + r * cols;
      float* out = dx + r * cols;
      for (int64_t j = 0; j < cols; j++) {
        const float v = yr[j];
        const float step = v > 0.0f ? 1.0f : 0.0f;
        const float d = dr[j] * (v != v ? v : step);
        out[j] = d;
        sums[j] += d;
      }
    }
    for (int64_t j = 0; j < cols; j++) dbias[j] = static_cast<float>(sums[j]);
    return undefined(env);
  });
}

}  // namespace vaelab
