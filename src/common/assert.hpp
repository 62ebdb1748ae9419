// JIESU_ASSERT checks an invariant of the program (never user input) and aborts with the location
// when it is broken. Active in every build type: a broken invariant must not corrupt stored data.
#pragma once

#include <cstdio>
#include <cstdlib>

#define JIESU_ASSERT(cond)                                                             \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      std::fprintf(stderr, "jiesu: assertion failed: %s at %s:%d\n", #cond, __FILE__, \
                   __LINE__);                                                          \
      std::abort();                                                                    \
    }                                                                                  \
  } while (0)
