/*
 * Platform for the Arm MPS2 boards under QEMU: the console is semihosting (newlib's librdimon,
 * `-semihosting`), the clock is SysTick at the CPU clock (25 MHz on AN385 and AN386).
 *
 * Under `qemu-system-arm -icount shift=0` QEMU's virtual clock advances exactly 1 ns per
 * executed instruction, so platform_ns() differences count instructions (to SysTick's
 * resolution of 40). They are instructions, not cycles: QEMU models no pipeline, wait states or
 * memory latency. Without -icount they are host time and mean little.
 */
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include "platform.h"

#ifndef MPS2_CPU_HZ
#define MPS2_CPU_HZ 25000000u
#endif

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)

extern void initialise_monitor_handles(void);
extern uint32_t mps2_stack_used(void);
extern char end;

static uint32_t last_count;
static uint64_t elapsed_ticks;

void platform_init(void) {
  initialise_monitor_handles();
  SYST_RVR = 0x00FFFFFFu;
  SYST_CVR = 0;
  SYST_CSR = 0x5u; /* enable, processor clock, no interrupt */
  last_count = SYST_CVR;
}

const char *platform_name(void) {
#if defined(MPS2_BOARD)
  return MPS2_BOARD;
#else
  return "mps2";
#endif
}

/* SysTick counts down from 0xFFFFFF and wraps: accumulate the differences. Calls must be less
 * than 2^24 ticks (0.67 s at 25 MHz) apart. */
uint64_t platform_ns(void) {
  uint32_t now = SYST_CVR;
  elapsed_ticks += (last_count - now) & 0x00FFFFFFu;
  last_count = now;
  return elapsed_ticks * (1000000000u / MPS2_CPU_HZ);
}

const char *platform_clock_unit(void) { return "virtual-ns"; }

uint32_t platform_stack_used(void) { return mps2_stack_used(); }

uint32_t platform_heap_used(void) { return (uint32_t)((char *)sbrk(0) - &end); }
