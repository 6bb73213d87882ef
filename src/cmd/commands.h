// Each subcommand lives in its own file and registers itself on the root CLI11 app. A command's
// callback reports a non-zero exit status by throwing CLI::RuntimeError(status).
#pragma once

namespace CLI {
class App;
}

namespace llmgw::cmd {

void add_serve(CLI::App& app);
void add_mock(CLI::App& app);
void add_translate(CLI::App& app);
void add_probe(CLI::App& app);
void add_bench(CLI::App& app);

}  // namespace llmgw::cmd
