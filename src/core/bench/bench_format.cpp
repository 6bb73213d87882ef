#include "core/bench/bench_format.h"

#include <cstdio>

namespace llmgw::bench_format {

std::string fmt(const char* printf_format, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, printf_format, v);
    return buf;
}

std::string load_text(const BenchRun& run) {
    return run.load_kind == "rate" ? fmt("%g req/s", run.load) : fmt("%g concurrent", run.load);
}

}  // namespace llmgw::bench_format
