// A small C interface to RE2 (Debian: libre2-dev), Google's linear-time regular expression
// engine, for CEL's `matches` (CEL specifies RE2 syntax and semantics). Only PulseExpressions
// imports it.
#ifndef PULSE_CRE2_H
#define PULSE_CRE2_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A compiled pattern; immutable once made, so it may be matched from several threads.
typedef struct pulse_re2 pulse_re2;

/// Compiles `pattern` (UTF-8, `length` bytes). On failure returns NULL and writes RE2's message,
/// NUL-terminated and cut to fit, into `error` (`error_capacity` bytes).
pulse_re2 *pulse_re2_compile(const char *pattern, size_t length, char *error, size_t error_capacity);

/// 1 when `pattern` matches somewhere in `text` (UTF-8, `length` bytes), else 0.
int pulse_re2_partial_match(const pulse_re2 *pattern, const char *text, size_t length);

/// Frees a compiled pattern.
void pulse_re2_free(pulse_re2 *pattern);

#ifdef __cplusplus
}
#endif

#endif
