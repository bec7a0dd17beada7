// vaelab's native kernels: plain functions over Float32Arrays and shapes. The addon never allocates tensors
// and keeps no pointer past a call; the TypeScript side (src/backend/native) owns tfjs and every shape check.
#include "napi-util.h"

namespace vaelab {
napi_value Sgemm(napi_env, napi_callback_info);
napi_value BiasActivation(napi_env, napi_callback_info);
napi_value SetThreads(napi_env, napi_callback_info);
napi_value FlushDenormals(napi_env, napi_callback_info);
napi_value Threads(napi_env, napi_callback_info);
napi_value Conv2d(napi_env, napi_callback_info);
napi_value Conv2dBackpropInput(napi_env, napi_callback_info);
napi_value Conv2dBackpropFilter(napi_env, napi_callback_info);
napi_value DnnlInfo(napi_env, napi_callback_info);
napi_value SumRows(napi_env, napi_callback_info);
napi_value AdamStep(napi_env, napi_callback_info);
napi_value IwaeAdamStep(napi_env, napi_callback_info);
napi_value BatchNorm(napi_env, napi_callback_info);
napi_value MaxPoolGrad(napi_env, napi_callback_info);
napi_value ResizeNearestGrad(napi_env, napi_callback_info);
napi_value BernoulliNll(napi_env, napi_callback_info);
napi_value BernoulliNllGrad(napi_env, napi_callback_info);
napi_value Tanh(napi_env, napi_callback_info);
napi_value BatchNormTrain(napi_env, napi_callback_info);
napi_value BatchNormTrainGrad(napi_env, napi_callback_info);
napi_value ReluGrad(napi_env, napi_callback_info);
napi_value ResizeNearest(napi_env, napi_callback_info);
napi_value AddRows(napi_env, napi_callback_info);
napi_value BiasReluGrad(napi_env, napi_callback_info);
napi_value MlpElbo(napi_env, napi_callback_info);
}  // namespace vaelab

static napi_value Init(napi_env env, napi_value exports) {
  const napi_property_descriptor fns[] = {
      {"sgemm", nullptr, vaelab::Sgemm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"biasActivation", nullptr, vaelab::BiasActivation, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"setThreads", nullptr, vaelab::SetThreads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"flushDenormals", nullptr, vaelab::FlushDenormals, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"threads", nullptr, vaelab::Threads, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2d", nullptr, vaelab::Conv2d, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropInput", nullptr, vaelab::Conv2dBackpropInput, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"conv2dBackpropFilter", nullptr, vaelab::Conv2dBackpropFilter, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"dnnlInfo", nullptr, vaelab::DnnlInfo, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"sumRows", nullptr, vaelab::SumRows, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"adamStep", nullptr, vaelab::AdamStep, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"iwaeAdamStep", nullptr, vaelab::IwaeAdamStep, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNorm", nullptr, vaelab::BatchNorm, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"maxPoolGrad", nullptr, vaelab::MaxPoolGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"resizeNearestGrad", nullptr, vaelab::ResizeNearestGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"bernoulliNll", nullptr, vaelab::BernoulliNll, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"bernoulliNllGrad", nullptr, vaelab::BernoulliNllGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"tanh", nullptr, vaelab::Tanh, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormTrain", nullptr, vaelab::BatchNormTrain, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"batchNormTrainGrad", nullptr, vaelab::BatchNormTrainGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"reluGrad", nullptr, vaelab::ReluGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"resizeNearest", nullptr, vaelab::ResizeNearest, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"addRows", nullptr, vaelab::AddRows, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"biasReluGrad", nullptr, vaelab::BiasReluGrad, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"mlpElbo", nullptr, vaelab::MlpElbo, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(fns) / sizeof(fns[0]), fns);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
