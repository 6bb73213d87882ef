// llmgw: an OpenAI- and Anthropic-compatible gateway for self-hosted LLM runtimes.
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstdio>
#include <string>

#include "cmd/commands.h"
#include "cmd/help_format.h"

int main(int argc, char** argv) {
    std::signal(SIGPIPE, SIG_IGN);  // a client closing mid-write is an error code, not a signal
    CLI::App app{"llmgw: one stable OpenAI- and Anthropic-compatible API in front of self-hosted LLM runtimes"};
    app.set_version_flag("--version,-V", std::string("llmgw ") + LLMGW_VERSION);
    app.require_subcommand(1);
    app.formatter(std::make_shared<llmgw::cmd::HelpFormatter>());  // before the subcommands, which copy it
    llmgw::cmd::add_serve(app);
    llmgw::cmd::add_mock(app);
    llmgw::cmd::add_translate(app);
    llmgw::cmd::add_probe(app);
    llmgw::cmd::add_bench(app);
    // A first word that is no subcommand (nor an option) is named, rather than CLI11's "A
    // subcommand is required".
    if (argc > 1 && argv[1][0] != '-') {
        bool known = false;
        std::string names;
        for (const auto* sub : app.get_subcommands({})) {
            known = known || sub->get_name() == argv[1];
            names += (names.empty() ? "" : ", ") + sub->get_name();
        }
        if (!known) {
            std::fprintf(stderr, "llmgw: unknown subcommand %s (one of: %s; see llmgw --help)\n", argv[1], names.c_str());
            return 2;
        }
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::RuntimeError& e) {
        return e.get_exit_code();  // a command's own failure status
    } catch (const CLI::ParseError& e) {
        // --help and --version exit 0; every usage error exits 2.
        int rc = app.exit(e);
        return rc == 0 ? 0 : 2;
    }
    return 0;
}
