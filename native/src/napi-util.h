// Small helpers over Node's C API (node_api.h): argument checks that throw a JavaScript error, never crash.
#pragma once
#include <node_api.h>
#include <cstddef>
#include <cstdint>
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

inline int64_t int_arg(const Args& a, size_t i, const char* name, int64_t min = 0) {
  double v;
  if (napi_get_value_double(a.env, a.values[i], &v) != napi_ok) throw ArgError{std::string(name) + ": expected a number"};
  if (v != static_cast<double>(static_cast<int64_t>(v)) || v < static_cast<double>(min) || v > 2147483647.0) {
    throw ArgError{std::string(name) + ": expected a whole number >= " + std::to_string(min)};
  }
  return static_cast<int64_t>(v);
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

/** A Float32Array argument holding at least `needed` values (its memory stays the caller's). */
inline float* floats_arg(const Args& a, size_t i, const char* name, int64_t needed) {
  bool is_typed = false;
  napi_is_typedarray(a.env, a.values[i], &is_typed);
  if (!is_typed) throw ArgError{std::string(name) + ": expected a Float32Array"};
  napi_typedarray_type type;
  size_t length;
  void* data;
  check(a.env, napi_get_typedarray_info(a.env, a.values[i], &type, &length, &data, nullptr, nullptr), "typedarray_info");
  if (type != napi_float32_array) throw ArgError{std::string(name) + ": expected a Float32Array"};
  if (needed < 0 || length < static_cast<size_t>(needed)) {
    throw ArgError{std::string(name) + ": holds " + std::to_string(length) + " values, needs " + std::to_string(needed)};
  }
  return static_cast<float*>(data);
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
  for (size_t k = 0; k < values.size(); k++) {
    const double v = values[k];
    if (v != static_cast<double>(static_cast<int64_t>(v)) || v < static_cast<double>(min) || v > 2147483647.0) {
      throw ArgError{std::string(name) + "[" + std::to_string(k) + "]: expected a whole number >= " + std::to_string(min)};
    }
    out.push_back(static_cast<int64_t>(v));
  }
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
