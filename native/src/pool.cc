// The gradients of max-pooling and of nearest-neighbour upsampling (NHWC), as plain loops: each output
// cell passes its gradient to the one input cell it came from.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>
#include "napi-util.h"

namespace vaelab {

namespace {

/**
 * Windows that tile the input exactly (the models' 2x2 pooling with stride 2): every input cell is in one
 * window, so each cell is written once, with its window's gradient or 0, and no scatter. The first pass
 * finds each channel's first maximum as a position in the window; both loops over channels vectorise.
 */
void window_max(const float* __restrict xi, float* __restrict best, int32_t* __restrict where, int64_t C, int32_t at) {
  for (int64_t k = 0; k < C; k++) {
    const float v = xi[k], cur = best[k];
    const int32_t more = -static_cast<int32_t>(v > cur);  // a mask, so the loop vectorises
    best[k] = v > cur ? v : cur;
    where[k] = (at & more) | (where[k] & ~more);
  }
}

void window_grad(const float* __restrict g, float* __restrict out, const int32_t* __restrict where, int64_t C, int32_t at) {
  for (int64_t k = 0; k < C; k++) {
    const float gk = g[k];
    out[k] = where[k] == at ? gk : 0.0f;
  }
}

void tiled_max_pool_grad(const float* x, const float* dy, float* dx, int64_t B, int64_t H, int64_t W, int64_t C, int64_t FH, int64_t FW) {
  const int64_t OH = H / FH, OW = W / FW;
  std::vector<float> best(static_cast<size_t>(C));
  std::vector<int32_t> where(static_cast<size_t>(C));
  float* bp = best.data();
  int32_t* wp = where.data();
  for (int64_t b = 0; b < B; b++) {
    for (int64_t oh = 0; oh < OH; oh++) {
      for (int64_t ow = 0; ow < OW; ow++) {
        const auto cell = [&](int64_t i) { return ((b * H + oh * FH + i / FW) * W + ow * FW + i % FW) * C; };
        const float* first = x + cell(0);
        for (int64_t k = 0; k < C; k++) {
          bp[k] = first[k];
          wp[k] = 0;
        }
        for (int64_t i = 1; i < FH * FW; i++) window_max(x + cell(i), bp, wp, C, static_cast<int32_t>(i));
        const float* g = dy + ((b * OH + oh) * OW + ow) * C;
        for (int64_t i = 0; i < FH * FW; i++) window_grad(g, dx + cell(i), wp, C, static_cast<int32_t>(i));
      }
    }
  }
}

}  // namespace

/**
 * maxPoolGrad(x, dy, dx, b, h, w, c, oh, ow, fh, fw, sh, sw, padTop, padLeft): dx = 0, then each window's
 * gradient goes to its maximum (the first one on ties, as tfjs's cpu backend picks it).
 */
napi_value MaxPoolGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a = args(env, info, 15);
    int64_t v[12];
    const char* names[] = {"batch", "inHeight", "inWidth", "channels", "outHeight", "outWidth", "filterHeight", "filterWidth", "strideHeight", "strideWidth", "padTop", "padLeft"};
    for (int i = 0; i < 12; i++) v[i] = int_arg(a, static_cast<size_t>(3 + i), names[i], i < 10 ? 1 : 0);
    const int64_t B = v[0], H = v[1], W = v[2], C = v[3], OH = v[4], OW = v[5], FH = v[6], FW = v[7], SH = v[8], SW = v[9], PT = v[10], PL = v[11];
    const float* x = floats_arg(a, 0, "x", {B, H, W, C});
    const float* dy = floats_arg(a, 1, "dy", {B, OH, OW, C});
    float* dx = floats_arg(a, 2, "dx", {B, H, W, C});
    if (SH == FH && SW == FW && PT == 0 && PL == 0 && OH * SH == H && OW * SW == W) {
      tiled_max_pool_grad(x, dy, dx, B, H, W, C, FH, FW);
      return undefined(env);
    }
    std::memset(dx, 0, static_cast<size_t>(B * H * W * C) * sizeof(float));
    std::vector<float> best(static_cast<size_t>(C));
    std::vector<int64_t> where(static_cast<size_t>(C));
    for (int64_t b = 0; b < B; b++) {
      for (int64_t oh = 0; oh < OH; oh++) {
        const int64_t h0 = oh * SH - PT;
        for (int64_t ow = 0; ow < OW; ow++) {
          const int64_t w0 = ow * SW - PL;
          bool seen = false;
          for (int64_t h = std::max<int64_t>(0, h0); h < std::min(H, h0 + FH); h++) {
            for (int64_t w = std::max<int64_t>(0, w0); w < std::min(W, w0 + FW); w++) {
              const int64_t base = ((b * H + h) * W + w) * C;
              for (int64_t k = 0; k < C; k++) {
                const float value = x[base + k];
                if (!seen || value > best[static_cast<size_t>(k)]) {
                  best[static_cast<size_t>(k)] = value;
                  where[static_cast<size_t>(k)] = base + k;
                }
              }
              seen = true;
            }
          }
          if (!seen) continue;  // a window entirely in the padding passes nothing back
          const float* g = dy + ((b * OH + oh) * OW + ow) * C;
          for (int64_t k = 0; k < C; k++) dx[where[static_cast<size_t>(k)]] += g[k];
        }
      }
    }
    return undefined(env);
  });
}

namespace {

/** The shapes and source rows and columns of a nearest-neighbour resize call, checked against the input. */
struct Resize {
  int64_t B, H, W, C, OH, OW;
  const float *rows, *cols;
};

/**
 * Each of the n indices a whole number in [0, size): written !(inside) so that NaN, which fails every
 * comparison, fails the check too (a cast of NaN to an integer is undefined behaviour: on x86, a far negative index).
 */
void check_indices(const float* index, int64_t n, int64_t size, const char* name, const char* size_name) {
  for (int64_t i = 0; i < n; i++) {
    const float v = index[i];
    if (!(v >= 0.0f && static_cast<double>(v) < static_cast<double>(size)) || v != std::floor(v)) {
      throw ArgError{std::string(name) + "[" + std::to_string(i) + "]: expected a whole number from 0 to " + size_name + " - 1 = " +
                     std::to_string(size - 1) + ", got " + number_text(v)};
    }
  }
}

Resize resize_args(const Args& a) {
  Resize r{int_arg(a, 4, "batch", 1), int_arg(a, 5, "inHeight", 1), int_arg(a, 6, "inWidth", 1), int_arg(a, 7, "channels", 1),
           int_arg(a, 8, "outHeight", 1), int_arg(a, 9, "outWidth", 1), nullptr, nullptr};
  r.rows = floats_arg(a, 1, "rows", r.OH);
  r.cols = floats_arg(a, 2, "cols", r.OW);
  check_indices(r.rows, r.OH, r.H, "rows", "inHeight");
  check_indices(r.cols, r.OW, r.W, "cols", "inWidth");
  return r;
}

}  // namespace

/**
 * resizeNearestGrad(dy, rows, cols, dx, b, inH, inW, c, outH, outW): rows[y] and cols[x] name the input
 * cell each output cell copied (computed by the caller with tfjs's rule); dx sums what reaches each cell.
 */
napi_value ResizeNearestGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a = args(env, info, 10);
    const Resize r = resize_args(a);
    const int64_t B = r.B, H = r.H, W = r.W, C = r.C, OH = r.OH, OW = r.OW;
    const float *rows = r.rows, *cols = r.cols;
    const float* dy = floats_arg(a, 0, "dy", {B, OH, OW, C});
    float* dx = floats_arg(a, 3, "dx", {B, H, W, C});
    std::memset(dx, 0, static_cast<size_t>(B * H * W * C) * sizeof(float));
    const float* from = dy;
    for (int64_t b = 0; b < B; b++) {
      for (int64_t y = 0; y < OH; y++) {
        const int64_t row = (b * H + static_cast<int64_t>(rows[y])) * W;
        for (int64_t x = 0; x < OW; x++, from += C) {
          float* to = dx + (row + static_cast<int64_t>(cols[x])) * C;
          for (int64_t k = 0; k < C; k++) to[k] += from[k];
        }
      }
    }
    return undefined(env);
  });
}

/**
 * resizeNearest(x, rows, cols, y, b, inH, inW, c, outH, outW): y's cell (yy, xx) is x's (rows[yy], cols[xx]),
 * the sources computed by the caller with tfjs's rule (the decoder's x2 upsampling: whole channel rows copied).
 */
napi_value ResizeNearest(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a = args(env, info, 10);
    const Resize z = resize_args(a);
    const int64_t B = z.B, H = z.H, W = z.W, C = z.C, OH = z.OH, OW = z.OW;
    const float *rows = z.rows, *cols = z.cols;
    const float* x = floats_arg(a, 0, "x", {B, H, W, C});
    float* y = floats_arg(a, 3, "y", {B, OH, OW, C});
    float* to = y;
    for (int64_t b = 0; b < B; b++) {
      for (int64_t r = 0; r < OH; r++) {
        const float* row = x + (b * H + static_cast<int64_t>(rows[r])) * W * C;
        for (int64_t q = 0; q < OW; q++, to += C) std::memcpy(to, row + static_cast<int64_t>(cols[q]) * C, static_cast<size_t>(C) * sizeof(float));
      }
    }
    return undefined(env);
  });
}

}  // namespace vaelab
