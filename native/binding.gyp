{
  "targets": [
    {
      "target_name": "vaelab_native",
      "sources": ["src/addon.cc", "src/gemm.cc", "src/conv.cc", "src/reduce.cc", "src/pool.cc", "src/likelihood.cc", "src/norm.cc", "src/mlp.cc"],
      "libraries": ["-ldnnl", "-lgomp"],
      "cflags_cc": ["-O3", "-std=c++17", "-fexceptions", "-ffp-contract=off", "-fno-trapping-math", "-fno-math-errno"],
      "cflags_cc!": ["-fno-exceptions"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
