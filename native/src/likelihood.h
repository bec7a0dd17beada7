// The Bernoulli likelihood's loops, shared by its kernels (likelihood.cc) and the fused MLP step (mlp.cc).
#pragma once
#include <cstdint>

namespace vaelab {

/** out[r] = sum_j softplus(l[r, j]) - l[r, j] x[r / samples, j]; t holds cols floats of scratch. */
void bernoulli_nll_rows(const float* l, const float* x, int64_t rows, int64_t cols, int64_t samples, float* t, float* out);

/** dl[r, j] = dy[r] (sigmoid(l[r, j]) - x[r / samples, j]): the gradient of sum_r dy[r] out[r]. */
void bernoulli_nll_grad_rows(const float* l, const float* x, const float* dy, int64_t rows, int64_t cols, int64_t samples, float* dl);

}  // namespace vaelab
