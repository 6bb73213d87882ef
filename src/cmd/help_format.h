// One --help style for every subcommand: "--flag TYPE [REQUIRED]  what it does (unit)
// [env: VAR, default: X]". CLI11's own layout puts defaults and variables in the type column
// ("INT=30 (Env:X)"), which reads differently from serve's variable-backed options.
#pragma once
#include <CLI/CLI.hpp>

namespace llmgw::cmd {

class HelpFormatter : public CLI::Formatter {
public:
    std::string make_option_opts(const CLI::Option* opt) const override;
    std::string make_option_desc(const CLI::Option* opt) const override;
};

}  // namespace llmgw::cmd
