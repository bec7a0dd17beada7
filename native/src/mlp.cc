// One training step's objective and gradients of an MLP VAE or CVAE in one call: the forward pass, the
// one-sample ELBO (Bernoulli likelihood, closed-form KL, beta, reconstruction weight, free bits) and the
// backward pass, on oneDNN's GEMM and the loops of poly-math.h. Through tfjs the same step is ~120
// kernels (55 of them the engine's clones of tensors it saves for the backward pass), and their dispatch,
// not the arithmetic, took most of a step at batch 128.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>
#include "clones.h"
#include "gemm.h"
#include "likelihood.h"
#include "napi-util.h"
#include "poly-math.h"
#include "reduce.h"

namespace vaelab {

namespace {

enum class Act { kLinear, kRelu, kTanh };

/** One dense layer's weights [in, out] and bias [out], and where their gradients go. */
struct Layer {
  const float* w;
  const float* b;
  float* dw;
  float* db;
  int64_t in, out;
};

/** One part of a layer's input, [rows, cols]: the layer's input is the parts side by side (x and a label). */
struct Piece {
  const float* a;
  int64_t cols;
  float* grad;  // where d objective / d a goes, or nullptr where no one needs it
  bool accumulate;  // add to grad (a second layer reads the same input) instead of writing it
};

VAELAB_CLONES
void bias_activation(float* out, int64_t rows, int64_t cols, const float* bias, Act act) {
  for (int64_t r = 0; r < rows; r++) {
    float* row = out + r * cols;
    for (int64_t j = 0; j < cols; j++) row[j] += bias[j];
    if (act == Act::kRelu) for (int64_t j = 0; j < cols; j++) row[j] = row[j] > 0.0f ? row[j] : 0.0f;
    if (act == Act::kTanh) for (int64_t j = 0; j < cols; j++) row[j] = tanh_poly(row[j]);
  }
}

/** dy = the gradient through y = act(pre), from y: ReLU's where y > 0, tanh's 1 - y^2 (tfjs's TanhGrad). */
VAELAB_CLONES
void activation_grad(float* dy, const float* y, int64_t n, Act act) {
  if (act == Act::kRelu) for (int64_t i = 0; i < n; i++) dy[i] = y[i] > 0.0f ? dy[i] : 0.0f;
  if (act == Act::kTanh) for (int64_t i = 0; i < n; i++) dy[i] = dy[i] * (1.0f - y[i] * y[i]);
}

/** out [rows, l.out] = act(pieces side by side x l.w + l.b): the product first, then the bias, as tfjs adds them. */
void forward(const std::vector<Piece>& in, int64_t rows, const Layer& l, Act act, float* out) {
  int64_t offset = 0;
  for (const Piece& p : in) {
    gemm(false, false, rows, l.out, p.cols, p.a, p.cols, l.w + offset * l.out, l.out, offset == 0 ? 0.0f : 1.0f, out, l.out);
    offset += p.cols;
  }
  bias_activation(out, rows, l.out, l.b, act);
}

/**
 * The layer's gradients from dy [rows, l.out], the gradient of its output y (overwritten with the
 * pre-activation's): the weights', the bias's (summed in double), and each input piece's that is asked for.
 */
void backward(const std::vector<Piece>& in, int64_t rows, const Layer& l, Act act, const float* y, float* dy) {
  activation_grad(dy, y, rows * l.out, act);
  sum_rows(dy, rows, l.out, 1.0, l.db);  // the bias's gradient, as tfjs's Sum over the rows gives it on native
  int64_t offset = 0;
  for (const Piece& p : in) {
    gemm(true, false, p.cols, l.out, rows, p.a, p.cols, dy, l.out, 0.0f, l.dw + offset * l.out, l.out);
    if (p.grad != nullptr) gemm(false, true, rows, p.cols, l.out, dy, l.out, l.w + offset * l.out, l.out, p.accumulate ? 1.0f : 0.0f, p.grad, p.cols);
    offset += p.cols;
  }
}

std::vector<Piece> pieces(const float* a, int64_t cols, float* grad, const float* label, int64_t classes) {
  std::vector<Piece> out{{a, cols, grad, false}};
  if (label != nullptr) out.push_back({label, classes, nullptr, false});
  return out;
}

}  // namespace

/**
 * mlpElbo(x, y | null, eps, params, grads, terms, dims, hidden, activation, scalars): the objective of
 * src/train/step.ts's one-sample ELBO for an MLP with one stochastic layer, and its gradient for every weight.
 * - x [B, P] images, y [B, C] one-hot labels (a CVAE: joined to the encoder's input and to z) or null, eps [B, D];
 * - params and grads: the weights in the models' order, each layer's kernel [in, out] then bias [out]: the
 *   encoder's hidden layers, its mu and logVar layers, the decoder's hidden layers (hidden reversed), its logits layer;
 * - dims [B, P, C, D]; hidden the encoder's widths; activation 0 ReLU, 1 tanh, for every hidden layer;
 * - scalars [beta, reconstructionWeight, freeBits (NaN: none), gradScale (1, or B with reduction sum)].
 * terms gets [loss, recon, kl] batch means and, with free bits, [klFloored, atFloor] (loss.ts's objective).
 */
napi_value MlpElbo(napi_env env, napi_callback_info info) {
  return guarded(env, [&] {
    Args a = args(env, info, 10);
    const std::vector<int64_t> dims = ints_arg(a, 6, "dims", 0);
    if (dims.size() != 4) throw ArgError{"dims: expected [batch, pixels, classes, latent]"};
    const int64_t batch = dims[0], pixels = dims[1], classes = dims[2], latent = dims[3];
    if (batch < 1 || pixels < 1 || latent < 1) throw ArgError{"dims: batch, pixels and latent must be >= 1"};
    const std::vector<int64_t> hidden = ints_arg(a, 7, "hidden", 1);
    const int64_t act_code = int_arg(a, 8, "activation", 0);
    if (act_code > 1) throw ArgError{"activation: expected 0 (relu) or 1 (tanh)"};
    const Act act = act_code == 0 ? Act::kRelu : Act::kTanh;
    const float* x = floats_arg(a, 0, "x", {batch, pixels});
    napi_valuetype y_type;
    napi_typeof(env, a.values[1], &y_type);
    const float* y = y_type == napi_null ? nullptr : floats_arg(a, 1, "y", {batch, classes});
    const float* eps = floats_arg(a, 2, "eps", {batch, latent});
    const auto params = float_arrays_arg(a, 3, "params");
    const auto grads = float_arrays_arg(a, 4, "grads");
    const std::vector<double> scalars = numbers_arg(a, 9, "scalars");
    if (scalars.size() != 4) throw ArgError{"scalars: expected [beta, reconstructionWeight, freeBits, gradScale]"};
    const double beta = scalars[0], recon_weight = scalars[1], free_bits = scalars[2], grad_scale = scalars[3];
    const bool floored = !std::isnan(free_bits);
    const int64_t input = pixels + (y == nullptr ? 0 : classes), depth = static_cast<int64_t>(hidden.size());

    // the layers in the params' order, each checked against the sizes its shapes imply
    std::vector<Layer> layers;
    const auto add_layer = [&](int64_t in, int64_t out) {
      const size_t k = layers.size() * 2;
      if (k + 1 >= params.size() || k + 1 >= grads.size()) throw ArgError{"params and grads: expected " + std::to_string(4 * depth + 6) + " arrays each"};
      const auto check_size = [&](const std::pair<float*, size_t>& p, int64_t need, const char* what) {
        if (p.second != static_cast<size_t>(need)) throw ArgError{std::string(what) + "[" + std::to_string(k) + "]: holds " + std::to_string(p.second) + " values, expected " + std::to_string(need)};
      };
      check_size(params[k], size_of({in, out}, "params"), "params");
      check_size(params[k + 1], out, "params");
      check_size(grads[k], size_of({in, out}, "grads"), "grads");
      check_size(grads[k + 1], out, "grads");
      layers.push_back({params[k].first, params[k + 1].first, grads[k].first, grads[k + 1].first, in, out});
    };
    for (int64_t i = 0; i < depth; i++) add_layer(i == 0 ? input : hidden[i - 1], hidden[i]);
    const int64_t features = depth == 0 ? input : hidden[depth - 1];
    add_layer(features, latent);  // mu
    add_layer(features, latent);  // logVar
    for (int64_t i = 0; i < depth; i++) add_layer(i == 0 ? latent + (y == nullptr ? 0 : classes) : hidden[depth - i], hidden[depth - 1 - i]);
    add_layer(depth == 0 ? latent + (y == nullptr ? 0 : classes) : hidden[0], pixels);  // logits
    if (params.size() != layers.size() * 2 || grads.size() != layers.size() * 2) throw ArgError{"params and grads: expected " + std::to_string(layers.size() * 2) + " arrays each"};
    float* terms = floats_arg(a, 5, "terms", floored ? 5 : 3);

    const auto buffer = [&](int64_t cols) { return std::vector<float>(static_cast<size_t>(size_of({batch, cols}, "hidden"))); };
    std::vector<std::vector<float>> enc(static_cast<size_t>(depth)), dec(static_cast<size_t>(depth));
    std::vector<std::vector<float>> denc(static_cast<size_t>(depth)), ddec(static_cast<size_t>(depth));
    for (int64_t i = 0; i < depth; i++) {
      enc[i] = buffer(hidden[i]);
      denc[i] = buffer(hidden[i]);
      dec[i] = buffer(hidden[depth - 1 - i]);
      ddec[i] = buffer(hidden[depth - 1 - i]);
    }
    std::vector<float> mu = buffer(latent), log_var = buffer(latent), z = buffer(latent), dz = buffer(latent), logits = buffer(pixels);

    // forward
    const Layer* l = layers.data();
    const auto enc_in = [&](int64_t i) { return i == 0 ? pieces(x, pixels, nullptr, y, classes) : pieces(enc[i - 1].data(), hidden[i - 1], denc[i - 1].data(), nullptr, 0); };
    for (int64_t i = 0; i < depth; i++) forward(enc_in(i), batch, *l++, act, enc[i].data());
    std::vector<Piece> top = depth == 0 ? pieces(x, pixels, nullptr, y, classes) : pieces(enc[depth - 1].data(), features, denc[depth - 1].data(), nullptr, 0);
    const Layer& mu_layer = *l++;
    const Layer& log_var_layer = *l++;
    forward(top, batch, mu_layer, Act::kLinear, mu.data());
    forward(top, batch, log_var_layer, Act::kLinear, log_var.data());
    for (int64_t i = 0; i < batch * latent; i++) z[i] = mu[i] + std::exp(log_var[i] * 0.5f) * eps[i];
    const auto dec_in = [&](int64_t i) { return i == 0 ? pieces(z.data(), latent, dz.data(), y, classes) : pieces(dec[i - 1].data(), dec[i - 1].size() / batch, ddec[i - 1].data(), nullptr, 0); };
    const Layer* dec_layers = l;
    for (int64_t i = 0; i < depth; i++) forward(dec_in(i), batch, *l++, act, dec[i].data());
    const Layer& logits_layer = *l;
    const std::vector<Piece> last = dec_in(depth);
    forward(last, batch, logits_layer, Act::kLinear, logits.data());

    // the objective's terms
    double recon_sum = 0, kl_sum = 0, loss_sum = 0;
    std::vector<double> kl_dim(static_cast<size_t>(latent), 0.0);
    std::vector<float> recons(static_cast<size_t>(batch)), scratch(static_cast<size_t>(pixels));
    bernoulli_nll_rows(logits.data(), x, batch, pixels, 1, scratch.data(), recons.data());
    for (int64_t r = 0; r < batch; r++) {
      const double recon = recons[static_cast<size_t>(r)];
      double kl = 0;
      for (int64_t d = 0; d < latent; d++) {
        const float m = mu[r * latent + d], v = log_var[r * latent + d];
        const float term = 0.5f * ((m * m + std::exp(v)) - (v + 1.0f));
        kl += term;
        kl_dim[static_cast<size_t>(d)] += term;
      }
      recon_sum += recon;
      kl_sum += kl;
      loss_sum += recon_weight * recon + beta * kl;
    }
    const double recon_mean = recon_sum / batch, kl_mean = kl_sum / batch;
    std::vector<float> kl_weight(static_cast<size_t>(latent), static_cast<float>(grad_scale * beta / batch));
    terms[1] = static_cast<float>(recon_mean);
    terms[2] = static_cast<float>(kl_mean);
    if (!floored) {
      terms[0] = static_cast<float>(loss_sum / batch);
    } else {
      double kl_floored = 0, at_floor = 0;
      for (int64_t d = 0; d < latent; d++) {
        const double per_dim = kl_dim[static_cast<size_t>(d)] / batch;
        kl_floored += std::max(per_dim, free_bits);
        at_floor += per_dim < free_bits ? 1 : 0;
        // max passes the gradient to the KL where it is >= the floor (tfjs's maximum), none under it
        if (per_dim < free_bits) kl_weight[static_cast<size_t>(d)] = 0.0f;
      }
      terms[0] = static_cast<float>(recon_weight * recon_mean + beta * kl_floored);
      terms[3] = static_cast<float>(kl_floored);
      terms[4] = static_cast<float>(at_floor);
    }

    // backward: the logits' gradient in place of the logits, then the decoder, z, the encoder
    const float recon_coef = static_cast<float>(grad_scale * recon_weight / batch);
    const std::vector<float> coefs(static_cast<size_t>(batch), recon_coef);
    bernoulli_nll_grad_rows(logits.data(), x, coefs.data(), batch, pixels, 1, logits.data());
    backward(last, batch, logits_layer, Act::kLinear, nullptr, logits.data());
    for (int64_t i = depth - 1; i >= 0; i--) backward(dec_in(i), batch, dec_layers[i], act, dec[i].data(), ddec[i].data());
    std::vector<float>& dmu = z;  // z's values are not needed again
    std::vector<float> dlog_var = buffer(latent);
    for (int64_t r = 0; r < batch; r++) {
      for (int64_t d = 0; d < latent; d++) {
        const int64_t i = r * latent + d;
        const float w = kl_weight[static_cast<size_t>(d)], v = log_var[i];
        dmu[i] = dz[i] + w * mu[i];
        dlog_var[i] = dz[i] * eps[i] * 0.5f * std::exp(v * 0.5f) + w * 0.5f * (std::exp(v) - 1.0f);
      }
    }
    backward(top, batch, mu_layer, Act::kLinear, nullptr, dmu.data());
    for (Piece& p : top) p.accumulate = true;
    backward(top, batch, log_var_layer, Act::kLinear, nullptr, dlog_var.data());
    for (int64_t i = depth - 1; i >= 0; i--) backward(enc_in(i), batch, layers[static_cast<size_t>(i)], act, enc[i].data(), denc[i].data());
    return undefined(env);
  });
}

}  // namespace vaelab
