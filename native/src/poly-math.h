// exp, log1p, softplus, sigmoid and tanh on floats, shared by the likelihood kernels and the fused MLP step.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

// always inlined, also into the AVX2 clones of the loops that call them (clones.h), which then vectorize them
#define VAELAB_INLINE __attribute__((always_inline)) inline

namespace vaelab {

/**
 * c ? x : y by bits. The compiler vectorizes a ?: between two computed values for SSE2, but for AVX2 it
 * moves each value's arithmetic into a branch of its own and then vectorizes nothing; this it cannot.
 */
VAELAB_INLINE float pick(bool c, float x, float y) {
  int32_t xi, yi;
  std::memcpy(&xi, &x, sizeof xi);
  std::memcpy(&yi, &y, sizeof yi);
  const int32_t mask = -static_cast<int32_t>(c);
  const int32_t bits = (xi & mask) | (yi & ~mask);
  float out;
  std::memcpy(&out, &bits, sizeof out);
  return out;
}

// exp, log1p and tanh as branch-free polynomials (Cephes' single-precision ones, about 1 ulp), so the
// compiler vectorizes the loops that call them; glibc's scalar calls cost 5-15 ns an element.

/** exp(a) for a <= 0: 0 below the smallest normal float, NaN for NaN. */
VAELAB_INLINE float exp_nonpositive(float a) {
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
  return pick(a != a, a, pick(a < -87.3f, 0.0f, e));
}

/** log(1 + t) for t in [0, 1], without forming 1 + t (which would drop t's low bits when t is small). */
VAELAB_INLINE float log1p_unit(float t) {
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
VAELAB_INLINE float softplus(float v) {
  return (v > 0.0f ? v : 0.0f) + log1p_unit(exp_nonpositive(-std::fabs(v)));
}

VAELAB_INLINE float sigmoid(float v) {
  const float e = exp_nonpositive(-std::fabs(v));
  const float s = pick(v >= 0, 1.0f / (1.0f + e), e / (1.0f + e));
  return pick(v != v, v, s);
}

VAELAB_INLINE float tanh_poly(float v) {
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
  return pick(a >= 0.625f, large, small);  // NaN takes the polynomial, which keeps it
}

}  // namespace vaelab
