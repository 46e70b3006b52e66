/* Platform for hosted builds (Linux with glibc, macOS): stdio is already set up. */
#define _POSIX_C_SOURCE 199309L
#include <time.h>

#include "platform.h"

void platform_init(void) {}

const char *platform_name(void) { return "hosted"; }

uint64_t platform_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

const char *platform_clock_unit(void) { return "ns"; }

uint32_t platform_stack_used(void) { return 0; }

uint32_t platform_heap_used(void) { return 0; }
