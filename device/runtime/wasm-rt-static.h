/* What device/runtime/wasm-rt-static.c adds to <wasm-rt.h> (wabt 1.0.32's header). */
#ifndef WASM_RT_STATIC_H
#define WASM_RT_STATIC_H

#include "wasm-rt.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Size of the static linear memory block, in 64 KiB pages (WASM_RT_STATIC_PAGES). */
uint32_t wasm_rt_static_pages(void);

/* Called for a trap when no unwind target is set. Weak: a host may define its own. */
void wasm_rt_fatal_trap(wasm_rt_trap_t trap);

#ifdef __cplusplus
}
#endif

#endif
