// A self-contained HTML report of a benchmark: tables plus inline SVG charts (latency
// distributions, throughput over time, and for sweeps latency and throughput against load). No
// scripts, fonts or links to fetch, and well-formed XML (XHTML syntax) so tools can parse it.
#pragma once
#include <string>

#include "core/bench/bench_report.h"

namespace llmgw {

std::string render_bench_html(const BenchReport& r);

}  // namespace llmgw
