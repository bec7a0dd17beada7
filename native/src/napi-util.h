// Small helpers over Node's C API (node_api.h): argument checks that throw a JavaScript error, never crash.
#pragma once
#include <node_api.h>
#include <cstddef>
#include <cstdint>
#include <string>

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
