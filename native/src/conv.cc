// 2-d convolutions on oneDNN, in tfjs's layouts (x NHWC, filter HWIO): the forward pass and both gradients.
#include <dnnl.hpp>
#include <vector>
#include <map>
#include <memory>
#include <mutex>
#include <tuple>
#include "gemm.h"
#include "napi-util.h"

namespace vaelab {
namespace {

using dnnl::memory;
using tag = memory::format_tag;

dnnl::engine& engine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

/** One convolution's geometry, as tfjs's computeConv2DInfo gives it. */
struct Geometry {
  int64_t b, h, w, ci, oh, ow, co, fh, fw, sh, sw, dh, dw, pt, pl;
  memory::dims src() const { return {b, ci, h, w}; }
  memory::dims weights() const { return {co, ci, fh, fw}; }
  memory::dims dst() const { return {b, co, oh, ow}; }
  memory::dims strides() const { return {sh, sw}; }
  memory::dims dilates() const { return {dh - 1, dw - 1}; }  // oneDNN counts the gaps, tfjs the step
  memory::dims pad_l() const { return {pt, pl}; }
  // the far-side padding that makes oneDNN's output size equal tfjs's (each product is under 2^62: every
  // dimension is under 2^31, so the sum fits in int64)
  memory::dims pad_r() const { return {(oh - 1) * sh + (fh - 1) * dh + 1 - h - pt, (ow - 1) * sw + (fw - 1) * dw + 1 - w - pl}; }
  auto key() const { return std::make_tuple(b, h, w, ci, oh, ow, co, fh, fw, sh, sw, dh, dw, pt, pl); }
};

Geometry geometry(const Args& a) {
  const char* names[] = {"batch", "inHeight", "inWidth", "inChannels", "outHeight", "outWidth", "outChannels", "filterHeight",
                         "filterWidth", "strideHeight", "strideWidth", "dilationHeight", "dilationWidth", "padTop", "padLeft"};
  int64_t v[15];
  for (int i = 0; i < 15; i++) v[i] = int_arg(a, static_cast<size_t>(3 + i), names[i], i < 13 ? 1 : 0);
  Geometry g{v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], v[13], v[14]};
  const auto r = g.pad_r();
  if (r[0] < 0 || r[1] < 0) {
    const bool rows = r[0] < 0;
    throw ArgError{std::string(rows ? "outHeight" : "outWidth") + ": " + std::to_string(rows ? g.oh : g.ow) + " needs a negative far-side padding (" +
                   std::to_string(rows ? r[0] : r[1]) + ") with this input, filter, stride and dilation: not supported natively"};
  }
  return g;
}

memory::desc md(const memory::dims& dims, tag t) { return memory::desc(dims, memory::data_type::f32, t); }

// Building a primitive costs far more than running a small one: each geometry's is built once per
// process, and only the ones used (an evaluation pass never builds the backward ones).
struct PassPrimitive {
  std::unique_ptr<dnnl::primitive> prim;
  memory::desc src, wei, dst;  // the layouts it computes in (src and dst are the gradients' for the backward passes)
  std::unique_ptr<memory> src_mem, wei_mem, dst_mem;  // its own buffers, where those layouts are not tfjs's
};

/*
 * A geometry's primitives and buffers. Training runs in a worker thread and anything may run on the main one,
 * so two calls of one geometry can overlap: `lock` is held for a whole call, from building its pass to the
 * last reorder out of the shared buffers (uncontended, tens of nanoseconds against the call's tens of
 * microseconds at least). Calls of different geometries share nothing and run in parallel.
 */
struct Primitives {
  dnnl::convolution_forward::primitive_desc fwd;
  PassPrimitive pass[3];
  std::mutex lock;
};

enum class Pass { forward = 0, backward_data = 1, backward_weights = 2 };

/*
 * With 8 or more channels on both sides oneDNN is left to choose its layouts (blocked, nChw16c on AVX-512),
 * and the arrays are reordered to and from tfjs's: on NHWC it runs its im2col + GEMM path (~90 GFLOP/s on the
 * 14x14 convolutions of the conv models), on its own layouts its direct kernels.
 */
bool blocked(const Geometry& g) { return g.ci >= 8 && g.co >= 8; }

memory::desc src_md(const Geometry& g) { return md(g.src(), blocked(g) ? tag::any : tag::nhwc); }
memory::desc wei_md(const Geometry& g) { return md(g.weights(), blocked(g) ? tag::any : tag::hwio); }
memory::desc dst_md(const Geometry& g) { return md(g.dst(), blocked(g) ? tag::any : tag::nhwc); }

/** The geometry's entry, its forward descriptor built on first use under the cache's lock, which guards nothing else. */
Primitives& entry(const Geometry& g) {
  static std::map<decltype(g.key()), std::unique_ptr<Primitives>> cache;  // never erased: entries stay put
  static std::mutex lock;
  std::lock_guard<std::mutex> guard(lock);
  auto& slot = cache[g.key()];
  if (!slot) {
    auto fwd_d = dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, dnnl::algorithm::convolution_direct, src_md(g), wei_md(g),
                                                 dst_md(g), g.strides(), g.dilates(), g.pad_l(), g.pad_r());
    slot.reset(new Primitives{dnnl::convolution_forward::primitive_desc(fwd_d, engine()), {}, {}});
  }
  return *slot;
}

/** The pass's primitive, built on first use; the caller holds p.lock. */
PassPrimitive& pass_primitive(const Geometry& g, Primitives& p, Pass pass) {
  PassPrimitive& pp = p.pass[static_cast<int>(pass)];
  if (pp.prim) return pp;
  const auto src = src_md(g), wei = wei_md(g), dst = dst_md(g);
  if (pass == Pass::forward) {
    pp.prim.reset(new dnnl::convolution_forward(p.fwd));
    pp.src = p.fwd.src_desc(), pp.wei = p.fwd.weights_desc(), pp.dst = p.fwd.dst_desc();
  } else if (pass == Pass::backward_data) {
    auto d = dnnl::convolution_backward_data::desc(dnnl::algorithm::convolution_direct, src, wei, dst, g.strides(), g.dilates(), g.pad_l(), g.pad_r());
    auto pd = dnnl::convolution_backward_data::primitive_desc(d, engine(), p.fwd);
    pp.prim.reset(new dnnl::convolution_backward_data(pd));
    pp.src = pd.diff_src_desc(), pp.wei = pd.weights_desc(), pp.dst = pd.diff_dst_desc();
  } else {
    auto d = dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, src, wei, dst, g.strides(), g.dilates(), g.pad_l(), g.pad_r());
    auto pd = dnnl::convolution_backward_weights::primitive_desc(d, engine(), p.fwd);
    pp.prim.reset(new dnnl::convolution_backward_weights(pd));
    pp.src = pd.src_desc(), pp.wei = pd.diff_weights_desc(), pp.dst = pd.diff_dst_desc();
  }
  return pp;
}

/** The array in the layout the primitive computes in: tfjs's own, or its buffer, reordered into when `read`. */
memory staged(memory& user, const memory::desc& want, std::unique_ptr<memory>& own, bool read, dnnl::stream& s) {
  if (user.get_desc() == want) return user;
  if (!own) own.reset(new memory(want, engine()));
  if (read) dnnl::reorder(user, *own).execute(s, user, *own);
  return *own;
}

/** Copies a computed array back into tfjs's layout, where it was computed in another. */
void unstage(memory& computed, memory& user, dnnl::stream& s) {
  if (computed.get_data_handle() != user.get_data_handle()) dnnl::reorder(computed, user).execute(s, computed, user);
}

/*
 * A convolution with one output channel (the decoder's last, 64 -> 1 at 28x28) is a dot product of ci
 * values per tap, which oneDNN runs as im2col + a GEMM of one column (~4 GFLOP/s, ~85 ms a step for its
 * three passes). Here each pass is one GEMM between the ci channels and the taps, plus a shift:
 *   forward        t = x [pixels, ci] . w [ci, taps],  y[o] = sum over taps k of t[input of o through k, k]
 *   backward data  s[p, k] = dy[output that reads input p through k] (0 if none),  dx = s . w^T
 *   backward filt  dw^T [taps, ci] = s^T . x
 * Strides and dilations of 1 only; anything else goes to oneDNN.
 */
bool single_output(const Geometry& g) { return g.co == 1 && g.sh == 1 && g.sw == 1 && g.dh == 1 && g.dw == 1; }

/** For each image's output (oy, ox) and tap k: the input row it reads, or -1 in the padding. */
template <typename Visit>
void for_each_tap(const Geometry& g, Visit visit) {
  for (int64_t b = 0; b < g.b; b++) {
    for (int64_t oy = 0; oy < g.oh; oy++) {
      for (int64_t ox = 0; ox < g.ow; ox++) {
        const int64_t out = (b * g.oh + oy) * g.ow + ox;
        for (int64_t ky = 0; ky < g.fh; ky++) {
          const int64_t iy = oy - g.pt + ky;
          for (int64_t kx = 0; kx < g.fw; kx++) {
            const int64_t ix = ox - g.pl + kx;
            const bool inside = iy >= 0 && iy < g.h && ix >= 0 && ix < g.w;
            visit(out, ky * g.fw + kx, inside ? (b * g.h + iy) * g.w + ix : -1);
          }
        }
      }
    }
  }
}

/** The filter [taps, ci] (HWIO with O = 1 is already that, row-major). */
void single_forward(const Geometry& g, const float* x, const float* w, float* y) {
  const int64_t taps = g.fh * g.fw, pixels = g.b * g.h * g.w;
  std::vector<float> t(static_cast<size_t>(size_of({pixels, taps}, "x")));
  gemm(false, true, pixels, taps, g.ci, x, g.ci, w, g.ci, 0.0f, t.data(), taps);
  std::fill(y, y + g.b * g.oh * g.ow, 0.0f);
  for_each_tap(g, [&](int64_t out, int64_t k, int64_t in) {
    if (in >= 0) y[out] += t[static_cast<size_t>(in * taps + k)];
  });
}

/** s [input pixels, taps]: the dy each input pixel meets through each tap. */
std::vector<float> tap_gradients(const Geometry& g, const float* dy) {
  const int64_t taps = g.fh * g.fw;
  std::vector<float> s(static_cast<size_t>(size_of({g.b * g.h * g.w, taps}, "x")), 0.0f);
  for_each_tap(g, [&](int64_t out, int64_t k, int64_t in) {
    if (in >= 0) s[static_cast<size_t>(in * taps + k)] = dy[out];
  });
  return s;
}

void single_backward_data(const Geometry& g, float* dx, const float* w, const float* dy) {
  const int64_t taps = g.fh * g.fw, pixels = g.b * g.h * g.w;
  const std::vector<float> s = tap_gradients(g, dy);
  gemm(false, false, pixels, g.ci, taps, s.data(), taps, w, g.ci, 0.0f, dx, g.ci);
}

void single_backward_filter(const Geometry& g, const float* x, float* dw, const float* dy) {
  const int64_t taps = g.fh * g.fw, pixels = g.b * g.h * g.w;
  const std::vector<float> s = tap_gradients(g, dy);
  gemm(true, false, taps, g.ci, pixels, s.data(), taps, x, g.ci, 0.0f, dw, g.ci);
}

/** The three arrays of a call: (role 0, role 1, role 2) checked against the geometry's sizes. */
struct Buffers {
  float *src, *weights, *dst;
};

Buffers buffers(const Args& a, const Geometry& g) {
  return {floats_arg(a, 0, "x", {g.b, g.h, g.w, g.ci}), floats_arg(a, 1, "filter", {g.fh, g.fw, g.ci, g.co}),
          floats_arg(a, 2, "y", {g.b, g.oh, g.ow, g.co})};
}

/*
 * One input channel (the encoder's first conv, 1 -> 64): its filter gradient is a GEMM of an im2col of
 * only taps values per output, p [outputs, taps]: dw [taps, co] = p^T . dy (oneDNN's takes twice as long).
 * Its forward pass stays on oneDNN, which is faster there than this GEMM (k = taps is too short).
 */
bool single_input(const Geometry& g) { return g.ci == 1 && g.sh == 1 && g.sw == 1 && g.dh == 1 && g.dw == 1; }

void single_input_backward_filter(const Geometry& g, const float* x, float* dw, const float* dy) {
  const int64_t taps = g.fh * g.fw, outputs = g.b * g.oh * g.ow;
  std::vector<float> p(static_cast<size_t>(size_of({outputs, taps}, "y")));
  for_each_tap(g, [&](int64_t out, int64_t k, int64_t in) { p[static_cast<size_t>(out * taps + k)] = in >= 0 ? x[in] : 0.0f; });
  gemm(true, false, taps, g.co, outputs, p.data(), taps, dy, g.co, 0.0f, dw, g.co);
}

template <typename Run>
napi_value conv_call(napi_env env, napi_callback_info info, Pass pass, Run run) {
  return guarded(env, [&] {
    Args a = args(env, info, 18);
    const Geometry g = geometry(a);
    const Buffers buf = buffers(a, g);
    if (single_output(g)) {
      if (pass == Pass::forward) single_forward(g, buf.src, buf.weights, buf.dst);
      if (pass == Pass::backward_data) single_backward_data(g, buf.src, buf.weights, buf.dst);
      if (pass == Pass::backward_weights) single_backward_filter(g, buf.src, buf.weights, buf.dst);
      return undefined(env);
    }
    if (pass == Pass::backward_weights && single_input(g)) {
      single_input_backward_filter(g, buf.src, buf.weights, buf.dst);
      return undefined(env);
    }
    Primitives& p = entry(g);
    std::lock_guard<std::mutex> guard(p.lock);
    PassPrimitive& pp = pass_primitive(g, p, pass);
    memory user_src(md(g.src(), tag::nhwc), engine(), buf.src), user_wei(md(g.weights(), tag::hwio), engine(), buf.weights),
        user_dst(md(g.dst(), tag::nhwc), engine(), buf.dst);
    dnnl::stream s(engine());
    // forward reads src and weights, backward data reads weights and dst (dy), backward weights src and dst
    memory src = staged(user_src, pp.src, pp.src_mem, pass != Pass::backward_data, s);
    memory wei = staged(user_wei, pp.wei, pp.wei_mem, pass != Pass::backward_weights, s);
    memory dst = staged(user_dst, pp.dst, pp.dst_mem, pass != Pass::forward, s);
    run(*pp.prim, s, src, wei, dst);
    if (pass == Pass::forward) unstage(dst, user_dst, s);
    if (pass == Pass::backward_data) unstage(src, user_src, s);
    if (pass == Pass::backward_weights) unstage(wei, user_wei, s);
    s.wait();
    return undefined(env);
  });
}

}  // namespace

// Each takes (x, filter, y, ...geometry): the arrays in tfjs's layouts, and writes the one it computes.

/** conv2d: y = x (*) filter. */
napi_value Conv2d(napi_env env, napi_callback_info info) {
  return conv_call(env, info, Pass::forward, [](dnnl::primitive& p, dnnl::stream& s, memory& src, memory& wei, memory& dst) {
    p.execute(s, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, dst}});
  });
}

/** conv2dBackpropInput: x = the gradient for the input, from y = dy and the filter. */
napi_value Conv2dBackpropInput(napi_env env, napi_callback_info info) {
  return conv_call(env, info, Pass::backward_data, [](dnnl::primitive& p, dnnl::stream& s, memory& src, memory& wei, memory& dst) {
    p.execute(s, {{DNNL_ARG_DIFF_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DIFF_DST, dst}});
  });
}

/** conv2dBackpropFilter: filter = the gradient for the filter, from x and y = dy. */
napi_value Conv2dBackpropFilter(napi_env env, napi_callback_info info) {
  return conv_call(env, info, Pass::backward_weights, [](dnnl::primitive& p, dnnl::stream& s, memory& src, memory& wei, memory& dst) {
    p.execute(s, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_WEIGHTS, wei}, {DNNL_ARG_DIFF_DST, dst}});
  });
}

/** dnnlInfo(): "major.minor.patch". */
napi_value DnnlInfo(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    args(env, info, 0);
    const dnnl_version_t* v = dnnl_version();
    const std::string text = std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch);
    napi_value out;
    napi_create_string_utf8(env, text.c_str(), NAPI_AUTO_LENGTH, &out);
    return out;
  });
}

}  // namespace vaelab
