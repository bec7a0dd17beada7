// The Bernoulli likelihood of images under decoder logits, fused: tfjs spends about 26 passes over the
// logits on it (10 kernels forward, 16 for the gradient), this file one each, four floats at a time. On the
// calling thread: spread over OpenMP's threads, these loops fought OpenBLAS's, which spun on the other core
// after each product when the products ran on it (gemm.h), and a training step on two cores took twice as
// long as on one.
#include <xmmintrin.h>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>
#include "clones.h"
#include "likelihood.h"
#include "napi-util.h"
#include "poly-math.h"

namespace vaelab {

namespace {

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
  return {rows, cols, samples, floats_arg(a, 0, "logits", {rows, cols}), floats_arg(a, 1, "x", {rows / samples, cols})};
}

VAELAB_CLONES
void tanh_loop(const float* x, int64_t n, float* y) {
  for (int64_t i = 0; i < n; i++) y[i] = tanh_poly(x[i]);
}

}  // namespace

VAELAB_CLONES
void bernoulli_nll_rows(const float* l, const float* x, int64_t rows, int64_t cols, int64_t samples, float* t, float* out) {
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
}

VAELAB_CLONES
void bernoulli_nll_grad_rows(const float* l, const float* x, const float* dy, int64_t rows, int64_t cols, int64_t samples, float* dl) {
  for (int64_t r = 0; r < rows; r++) {
    const float* lr = l + r * cols;
    const float* xr = x + (r / samples) * cols;
    float* gr = dl + r * cols;
    const float g = dy[r];
    for (int64_t j = 0; j < cols; j++) gr[j] = g * (sigmoid(lr[j]) - xr[j]);
  }
}

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
    bernoulli_nll_rows(l, x, rows, cols, samples, terms.data(), out);
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
    float* dl = floats_arg(a, 6, "dlogits", {rows, cols});
    bernoulli_nll_grad_rows(l, x, dy, rows, cols, samples, dl);
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
    tanh_loop(x, n, y);
    return undefined(env);
  });
}

}  // namespace vaelab
