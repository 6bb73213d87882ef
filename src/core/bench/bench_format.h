// Formatting shared by the benchmark's text and HTML renderers (internal to bench_report.cpp and
// bench_html.cpp), so both describe a run the same way.
#pragma once
#include <string>

#include "core/bench/bench_report.h"

namespace llmgw::bench_format {

// One number through a printf format: fmt("%.2f", 1.5) == "1.50".
std::string fmt(const char* printf_format, double v);
// The run's load level: "8 concurrent" or "2.5 req/s".
std::string load_text(const BenchRun& run);

}  // namespace llmgw::bench_format
