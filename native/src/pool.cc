// The gradients of max-pooling and of nearest-neighbour upsampling (NHWC), as plain loops: each output
// cell passes its gradient to the one input cell it came from.
#include <algorithm>
#include <cstring>
#include <vector>
#include "napi-util.h"

namespace vaelab {

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
    const float* x = floats_arg(a, 0, "x", B * H * W * C);
    const float* dy = floats_arg(a, 1, "dy", B * OH * OW * C);
    float* dx = floats_arg(a, 2, "dx", B * H * W * C);
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

/**
 * resizeNearestGrad(dy, rows, cols, dx, b, inH, inW, c, outH, outW): rows[y] and cols[x] name the input
 * cell each output cell copied (computed by the caller with tfjs's rule); dx sums what reaches each cell.
 */
napi_value ResizeNearestGrad(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a = args(env, info, 10);
    const int64_t B = int_arg(a, 4, "batch", 1), H = int_arg(a, 5, "inHeight", 1), W = int_arg(a, 6, "inWidth", 1), C = int_arg(a, 7, "channels", 1);
    const int64_t OH = int_arg(a, 8, "outHeight", 1), OW = int_arg(a, 9, "outWidth", 1);
    const float* dy = floats_arg(a, 0, "dy", B * OH * OW * C);
    const float* rows = floats_arg(a, 1, "rows", OH);
    const float* cols = floats_arg(a, 2, "cols", OW);
    float* dx = floats_arg(a, 3, "dx", B * H * W * C);
    std::memset(dx, 0, static_cast<size_t>(B * H * W * C) * sizeof(float));
    for (int64_t y = 0; y < OH; y++) if (rows[y] < 0 || rows[y] >= H) throw ArgError{"rows: index outside the input"};
    for (int64_t x = 0; x < OW; x++) if (cols[x] < 0 || cols[x] >= W) throw ArgError{"cols: index outside the input"};
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

}  // namespace vaelab
