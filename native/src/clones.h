// Loops that run once per element of a tensor are built twice: for AVX2 (8 floats a step) and for the x86-64
// baseline node-gyp targets (SSE2, 4), the first picked at load time where the CPU has it. Both clones round
// every operation alike (no FMA contraction: -ffp-contract=off), so they give the same bits.
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define VAELAB_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define VAELAB_CLONES
#endif
