#include "CRE2.h"

#include <re2/re2.h>

#include <cstring>
#include <new>
#include <string>

struct pulse_re2 {
    RE2 re;
    explicit pulse_re2(re2::StringPiece pattern, const RE2::Options &options) : re(pattern, options) {}
};

extern "C" pulse_re2 *pulse_re2_compile(const char *pattern, size_t length, char *error, size_t error_capacity) {
    RE2::Options options;
    options.set_log_errors(false);  // errors are returned, not printed
    pulse_re2 *compiled = new (std::nothrow) pulse_re2(re2::StringPiece(pattern, length), options);
    if (compiled == nullptr) {
        if (error_capacity > 0) std::strncpy(error, "out of memory", error_capacity - 1), error[error_capacity - 1] = 0;
        return nullptr;
    }
    if (!compiled->re.ok()) {
        if (error_capacity > 0) {
            const std::string &message = compiled->re.error();
            size_t n = message.size() < error_capacity - 1 ? message.size() : error_capacity - 1;
            std::memcpy(error, message.data(), n);
            error[n] = 0;
        }
        delete compiled;
        return nullptr;
    }
    return compiled;
}

extern "C" int pulse_re2_partial_match(const pulse_re2 *pattern, const char *text, size_t length) {
    return RE2::PartialMatch(re2::StringPiece(text, length), pattern->re) ? 1 : 0;
}

extern "C" void pulse_re2_free(pulse_re2 *pattern) {
    delete pattern;
}
