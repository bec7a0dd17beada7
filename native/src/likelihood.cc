// The Bernoulli likelihood of images under decoder logits, fused: tfjs spends about 26 passes over the
// logits on it (10 kernels forward, 16 for the gradient), this file one each, four floats at a time. On the
// calling thread: spread over OpenMP's threads, these loops fought OpenBLAS's (which spin on the other core
// after each product) and a training step on two cores took twice as long as on one.
#include <xmmintrin.h>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>
#include "napi-util.h"

namespace vaelab {

namespace {

// exp, log1p and tanh as branch-free polynomials (Cephes' single-precision ones, about 1 ulp), so the
// compiler runs the loops below 4 floats at a time; glibc's scalar calls cost 5-15 ns an element.

/** exp(a) for a <= 0: 0 below the smallest normal float, NaN for NaN. */
inline float exp_nonpositive(float a) {
  const float clamped = a < -87.3f ? -87.3f : a;
  const int32_t n = static_cast<int32_t>(clamped * 1.44269504f - 0.5f);  // round(a / ln 2), a <= 0
  const float nf = static_cast<float>(n);
  const float r = (clamped - nf * 0.693359375f) - nf * -2.12194440e-4f;  // a - n ln 2, in two parts
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * (r * r) + r + 1.0f;
  const int32_t bits = (n + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  const float e = p * scale;
  return a != a ? a : (a < -87.3f ? 0.0f : e);
}

/** log(1 + t) for t in [0, 1], without forming 1 + t (which would drop t's low bits when t is small). */
inline float log1p_unit(float t) {
  const bool halve = t > 0.41421356f;  // 1 + t > sqrt(2): log(1 + t) = log((1 + t) / 2) + ln 2
  const float x = halve ? (t - 1.0f) * 0.5f : t;  // (1 + t) / 2^e - 1, exactly
  const float e = halve ? 1.0f : 0.0f;
  const float z = x * x;
  float y = 7.0376836292e-2f;
  y = y * x - 1.1514610310e-1f;
  y = y * x + 1.1676998740e-1f;
  y = y * x - 1.2420140846e-1f;
  y = y * x + 1.4249322787e-1f;
  y = y * x - 1.6668057665e-1f;
  y = y * x + 2.0000714765e-1f;
  y = y * x - 2.4999993993e-1f;
  y = y * x + 3.3333331174e-1f;
  y = y * x * z;
  y += e * -2.12194440e-4f;
  y += -0.5f * z;
  return (x + y) + e * 0.693359375f;
}

/** softplus(v) = log(1 + exp(v)) = max(v, 0) + log1p(exp(-|v|)). */
inline float softplus(float v) {
  return (v > 0.0f ? v : 0.0f) + log1p_unit(exp_nonpositive(-std::fabs(v)));
}

inline float sigmoid(float v) {
  const float e = exp_nonpositive(-std::fabs(v));
  const float s = v >= 0 ? 1.0f / (1.0f + e) : e / (1.0f + e);
  return v != v ? v : s;
}

inline float tanh_poly(float v) {
  const float a = std::fabs(v);
  const float z = v * v;
  float p = -5.70498872745e-3f;
  p = p * z + 2.06390887954e-2f;
  p = p * z - 5.37397155531e-2f;
  p = p * z + 1.33314422036e-1f;
  p = p * z - 3.33332819422e-1f;
  const float small = p * z * v + v;
  const float e = exp_nonpositive(-2.0f * a);
  const float large = std::copysign((1.0f - e) / (1.0f + e), v);
  return a >= 0.625f ? large : small;  // NaN takes the polynomial, which keeps it
}

/** The arguments both likelihood kernels start with: logits [rows, cols], x [rows / samples, cols], then
 * rows, cols and samples from argument `first` on. */
struct Operands {
  int64_t rows, cols, samples;
  const float* l;
  const float* x;
};

Operands operands(const Args& a, size_t first) {
  const int64_t rows = int_arg(a, first, "rows", 0), cols = int_arg(a, first + 1, "cols", 1), samples = int_arg(a, first + 2, "samples", 1);
  if (rows % samples != 0) throw ArgError{"rows: " + std::to_string(rows) + " is not a multiple of samples " + std::to_string(samples)};
  return {rows, cols, samples, floats_arg(a, 0, "logits", rows * cols), floats_arg(a, 1, "x", rows / samples * cols)};
}

}  // namespace

/**
 * bernoulliNll(logits, x, rows, cols, samples, out): out[r] = sum_j softplus(l[r, j]) - l[r, j] x[r / samples, j],
 * the negative log-likelihood of image r / samples under row r of logits, in the stable form
 * max(l, 0) - l x + log1p(exp(-|l|)).
 */
napi_value BernoulliNll(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a = args(env, info, 6);
    const auto [rows, cols, samples, l, x] = operands(a, 2);  // locals: stores to terms cannot change them
    float* out = floats_arg(a, 5, "out", rows);
    std::vector<float> terms(static_cast<size_t>(cols));
    float* t = terms.data();
    for (int64_t r = 0; r < rows; r++) {
      const float* lr = l + r * cols;
      const float* xr = x + (r / samples) * cols;
      for (int64_t j = 0; j < cols; j++) t[j] = softplus(lr[j]) - lr[j] * xr[j];
      // four running sums in a fixed order, added up in double
      __m128 lanes = _mm_setzero_ps();
      int64_t j = 0;
      for (; j + 4 <= cols; j += 4) lanes = _mm_add_ps(lanes, _mm_loadu_ps(t + j));
      float part[4];
      _mm_storeu_ps(part, lanes);
      double sum = static_cast<double>(part[0]) + part[1] + part[2] + part[3];
      for (; j < cols; j++) sum += t[j];
      out[r] = static_cast<float>(sum);
    }
    return undefined(env);
  });
}

/**
 * bernoulliNllGrad(logits, x, dy, rows, cols, samples, dlogits): the gradient of sum_r dy[r] out[r] with
 * respect to the logits, dy[r] (sigmoid(l[r, j]) - x[r / samples, j]).
 */
napi_value BernoulliNllGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a = args(env, info, 7);
    const auto [rows, cols, samples, l, x] = operands(a, 3);
    const float* dy = floats_arg(a, 2, "dy", rows);
    float* dl = floats_arg(a, 6, "dlogits", rows * cols);
    for (int64_t r = 0; r < rows; r++) {
      const float* lr = l + r * cols;
      const float* xr = x + (r / samples) * cols;
      float* gr = dl + r * cols;
      const float g = dy[r];
      for (int64_t j = 0; j < cols; j++) gr[j] = g * (sigmoid(lr[j]) - xr[j]);
    }
    return undefined(env);
  });
}

/** tanh(x, n, y): y = tanh(x), elementwise. */
napi_value Tanh(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a = args(env, info, 3);
    const int64_t n = int_arg(a, 1, "n", 0);
    const float* x = floats_arg(a, 0, "x", n);
    float* y = floats_arg(a, 2, "y", n);
    for (int64_t i = 0; i < n; i++) y[i] = tanh_poly(x[i]);
    return undefined(env);
  });
}

}  // namespace vaelab
