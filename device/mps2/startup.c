/*
 * Start-up for the Arm MPS2 boards under QEMU (newlib has none for them): the vector table at 0,
 * a reset handler that copies .data, clears .bss, paints the stack (for the high-water mark),
 * enables the FPU on cores that have one (Cortex-M4F/M7: an FPU instruction before that faults)
 * and calls main (C only: no constructors to run). exit() reaches the debugger, here QEMU,
 * through semihosting (newlib's librdimon).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern uint32_t __stack_limit, __stack_top, __data_start, __data_end, __data_load, __bss_start, __bss_end;
extern int main(void);

#define STACK_PAINT 0xC5C5C5C5u

void Reset_Handler(void);
void SysTick_Handler(void);
static void Fault_Handler(void);

/* 16 system exceptions; the host uses no external interrupts. */
__attribute__((section(".vectors"), used)) static const void *const vectors[16] = {
  &__stack_top,   Reset_Handler, Fault_Handler, Fault_Handler, /* NMI, HardFault */
  Fault_Handler,  Fault_Handler, Fault_Handler, 0, 0, 0, 0,    /* MemManage, BusFault, UsageFault */
  Fault_Handler,  Fault_Handler, 0,             Fault_Handler, /* SVCall, DebugMon, PendSV */
  SysTick_Handler,
};

__attribute__((weak)) void SysTick_Handler(void) {}

static void Fault_Handler(void) {
  /* Semihosting still works from a fault handler: say so and stop. */
  printf("error: fault (exception %lu)\n", (unsigned long)(*(volatile uint32_t *)0xE000ED04u & 0x1FFu));
  fflush(stdout);
  exit(3);
}

/* The core loads SP from vector 0 and jumps here. */
__attribute__((noreturn)) void Reset_Handler(void) {
  uint32_t *src = &__data_load, *dst = &__data_start;
  while (dst < &__data_end) *dst++ = *src++;
  for (dst = &__bss_start; dst < &__bss_end; dst++) *dst = 0;
  /* paint the stack below the current frame */
  uint32_t *sp;
  __asm volatile("mov %0, sp" : "=r"(sp));
  for (dst = &__stack_limit; dst < sp - 16; dst++) *dst = STACK_PAINT;
#if defined(__ARM_FP)
  /* CPACR: full access to CP10 and CP11 (the FPU) */
  *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20;
  __asm volatile("dsb\n isb" ::: "memory");
#endif
  exit(main());
}

uint32_t mps2_stack_used(void) {
  const uint32_t *p = &__stack_limit;
  while (p < &__stack_top && *p == STACK_PAINT) p++;
  return (uint32_t)((const uint8_t *)&__stack_top - (const uint8_t *)p);
}
