// Small helpers over Node's C API (node_api.h): argument checks that throw a JavaScript error, never crash.
#pragma once
#include <node_api.h>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace vaelab {

struct ArgError {
  std::string message;
};

inline void check(napi_env env, napi_status status, const char* what) {
  if (status != napi_ok) throw ArgError{std::string("N-API call failed: ") + what};
}

struct Args {
  napi_env env;
  size_t count;
  napi_value values[24];
};

inline Args args(napi_env env, napi_callback_info info, size_t expected) {
  Args a{env, 24, {}};
  check(env, napi_get_cb_info(env, info, &a.count, a.values, nullptr, nullptr), "get_cb_info");
  if (a.count != expected) throw ArgError{"expected " + std::to_string(expected) + " arguments, got " + std::to_string(a.count)};
  return a;
}

/** A number as text for a message: "NaN", "Infinity", "1e+300", "1.5". */
inline std::string number_text(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.15g", v);
  return std::isnan(v) ? "NaN" : std::isinf(v) ? (v > 0 ? "Infinity" : "-Infinity") : text;
}

// Every dimension and index fits in an int32 (tfjs's own limit), so a product of two fits in int64.
constexpr int64_t kMaxWhole = 2147483647;

/**
 * v as a whole number in [min, max], checked as a double before the cast: a cast of NaN or of a value
 * outside int64 is undefined behaviour, and NaN fails every comparison, so the test is written as
 * !(inside) to catch it. `name` makes the message, and is called only to make it.
 */
template <typename Name>
int64_t whole(double v, int64_t min, int64_t max, Name name) {
  if (!(v >= static_cast<double>(min) && v <= static_cast<double>(max)) || v != std::floor(v)) {
    throw ArgError{std::string(name()) + ": expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) + ", got " + number_text(v)};
  }
  return static_cast<int64_t>(v);
}

inline int64_t int_arg(const Args& a, size_t i, const char* name, int64_t min = 0, int64_t max = kMaxWhole) {
  double v;
  if (napi_get_value_double(a.env, a.values[i], &v) != napi_ok) throw ArgError{std::string(name) + ": expected a number"};
  return whole(v, min, max, [&] { return name; });
}

/**
 * How many values an array of these dimensions holds, or an ArgError naming the array: a product that
 * overflows int64 wraps around to a small or negative size, which would pass the length check and let the
 * loops write past the array. Any partial product that overflows is refused, even where a later zero
 * would bring it back.
 */
inline int64_t size_of(std::initializer_list<int64_t> dims, const char* what) {
  const auto shape = [&] {  // for the message only: a kernel call builds no string
    std::string text;
    for (int64_t d : dims) text += (text.empty() ? "" : " x ") + std::to_string(d);
    return text;
  };
  int64_t n = 1;
  for (int64_t d : dims) {
    if (d < 0) throw ArgError{std::string(what) + ": a negative dimension in " + shape()};
    if (__builtin_mul_overflow(n, d, &n)) throw ArgError{std::string(what) + ": " + shape() + " values overflow 64 bits; expected a size an array can hold"};
  }
  return n;
}

/** a + b for sizes (both >= 0), or an ArgError naming the array where the sum overflows int64. */
inline int64_t size_sum(int64_t a, int64_t b, const char* what) {
  int64_t n;
  if (a < 0 || b < 0 || __builtin_add_overflow(a, b, &n)) throw ArgError{std::string(what) + ": the size overflows 64 bits; expected a size an array can hold"};
  return n;
}

inline double number_arg(const Args& a, size_t i, const char* name) {
  double v;
  if (napi_get_value_double(a.env, a.values[i], &v) != napi_ok) throw ArgError{std::string(name) + ": expected a number"};
  return v;
}

inline bool bool_arg(const Args& a, size_t i, const char* name) {
  bool v;
  if (napi_get_value_bool(a.env, a.values[i], &v) != napi_ok) throw ArgError{std::string(name) + ": expected a boolean"};
  return v;
}

/** A Float32Array argument: its data and length (its memory stays the caller's). */
inline std::pair<float*, size_t> float_array_arg(const Args& a, size_t i, const char* name) {
  bool is_typed = false;
  napi_is_typedarray(a.env, a.values[i], &is_typed);
  if (!is_typed) throw ArgError{std::string(name) + ": expected a Float32Array"};
  napi_typedarray_type type;
  size_t length;
  void* data;
  check(a.env, napi_get_typedarray_info(a.env, a.values[i], &type, &length, &data, nullptr, nullptr), "typedarray_info");
  if (type != napi_float32_array) throw ArgError{std::string(name) + ": expected a Float32Array"};
  return {static_cast<float*>(data), length};
}

/** A Float32Array argument holding at least `needed` values (its memory stays the caller's). */
inline float* floats_arg(const Args& a, size_t i, const char* name, int64_t needed) {
  const auto [data, length] = float_array_arg(a, i, name);
  if (needed < 0 || length < static_cast<size_t>(needed)) {
    throw ArgError{std::string(name) + ": holds " + std::to_string(length) + " values, needs " + std::to_string(needed)};
  }
  return data;
}

/** A Float32Array argument holding at least the product of `dims` values, that product checked first. */
inline float* floats_arg(const Args& a, size_t i, const char* name, std::initializer_list<int64_t> dims) {
  return floats_arg(a, i, name, size_of(dims, name));
}

/** A JavaScript array argument of Float32Arrays: each one's data and length (their memory stays the caller's). */
inline std::vector<std::pair<float*, size_t>> float_arrays_arg(const Args& a, size_t i, const char* name) {
  bool is_array = false;
  napi_is_array(a.env, a.values[i], &is_array);
  if (!is_array) throw ArgError{std::string(name) + ": expected an array of Float32Arrays"};
  uint32_t n;
  check(a.env, napi_get_array_length(a.env, a.values[i], &n), "array_length");
  std::vector<std::pair<float*, size_t>> out;
  for (uint32_t k = 0; k < n; k++) {
    napi_value item;
    check(a.env, napi_get_element(a.env, a.values[i], k, &item), "get_element");
    bool is_typed = false;
    napi_is_typedarray(a.env, item, &is_typed);
    napi_typedarray_type type = napi_int8_array;
    size_t length = 0;
    void* data = nullptr;
    if (is_typed) check(a.env, napi_get_typedarray_info(a.env, item, &type, &length, &data, nullptr, nullptr), "typedarray_info");
    if (!is_typed || type != napi_float32_array) throw ArgError{std::string(name) + "[" + std::to_string(k) + "]: expected a Float32Array"};
    out.emplace_back(static_cast<float*>(data), length);
  }
  return out;
}

/** A JavaScript array argument of numbers. */
inline std::vector<double> numbers_arg(const Args& a, size_t i, const char* name) {
  bool is_array = false;
  napi_is_array(a.env, a.values[i], &is_array);
  if (!is_array) throw ArgError{std::string(name) + ": expected an array of numbers"};
  uint32_t n;
  check(a.env, napi_get_array_length(a.env, a.values[i], &n), "array_length");
  std::vector<double> out;
  for (uint32_t k = 0; k < n; k++) {
    napi_value item;
    double v;
    check(a.env, napi_get_element(a.env, a.values[i], k, &item), "get_element");
    if (napi_get_value_double(a.env, item, &v) != napi_ok) throw ArgError{std::string(name) + "[" + std::to_string(k) + "]: expected a number"};
    out.push_back(v);
  }
  return out;
}

/** A JavaScript array argument of whole numbers >= min. */
inline std::vector<int64_t> ints_arg(const Args& a, size_t i, const char* name, int64_t min = 0) {
  std::vector<int64_t> out;
  const std::vector<double> values = numbers_arg(a, i, name);
  for (size_t k = 0; k < values.size(); k++) out.push_back(whole(values[k], min, kMaxWhole, [&] { return std::string(name) + "[" + std::to_string(k) + "]"; }));
  return out;
}

/** Wraps a C++ function body: an ArgError (or any std::exception) becomes a thrown JavaScript Error. */
template <typename F>
napi_value guarded(napi_env env, F body) {
  try {
    return body();
  } catch (const ArgError& e) {
    napi_throw_error(env, nullptr, e.message.c_str());
  } catch (const std::exception& e) {
    napi_throw_error(env, nullptr, e.what());
  }
  return nullptr;
}

inline napi_value undefined(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

}  // namespace vaelab
