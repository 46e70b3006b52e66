/* What the C host needs from its platform: device/host/platform_hosted.c (Linux, macOS) and
 * device/mps2/platform_mps2.c (Arm MPS2 boards under QEMU, semihosting). */
#ifndef EDGERNN_PLATFORM_H
#define EDGERNN_PLATFORM_H

#include <stdint.h>

/* Sets up the console (stdout). */
void platform_init(void);

/* The platform's name, for the report. */
const char *platform_name(void);

/* A monotonic clock in nanoseconds. On MPS2 it is derived from SysTick at the CPU clock: under
 * `qemu-system-arm -icount shift=0` the virtual clock advances 1 ns per executed instruction, so
 * differences are instruction counts (not cycles). */
uint64_t platform_ns(void);

/* What platform_ns() measures: "ns" (wall clock) or "virtual ns" (QEMU). */
const char *platform_clock_unit(void);

/* Bytes of stack used so far (high-water mark), or 0 if unknown. */
uint32_t platform_stack_used(void);

/* Bytes taken from the C heap (newlib malloc, for stdio buffers), or 0 if unknown. */
uint32_t platform_heap_used(void);

#endif
