#ifndef PULSE_PREFETCH_H
#define PULSE_PREFETCH_H

/// Asks the processor to start loading the cache line at `address` (a hint: no fault, no effect
/// on results). Swift has no way to say this; the join of SKUs to stock records uses it to wait
/// for several lookups' cache misses at once.
static inline void pulse_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

#endif
