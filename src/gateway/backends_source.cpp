#include "gateway/backends_source.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "gateway/log.h"

namespace llmgw::gw {

std::optional<BackendsConfig> load_backends_file(const std::string& path, std::string* err) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        *err = "BACKENDS_FILE: cannot read " + path + ": " + std::strerror(errno);
        return std::nullopt;
    }
    // One byte past the limit is enough for the parser to refuse the file as too large.
    std::string text(kMaxBackendsFileBytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (in.bad()) {
        *err = "BACKENDS_FILE: cannot read " + path;
        return std::nullopt;
    }
    text.resize(static_cast<size_t>(in.gcount()));
    BackendsFileError e;
    auto env = [](std::string_view name) -> std::optional<std::string> {
        const char* v = std::getenv(std::string(name).c_str());
        if (!v) return std::nullopt;
        return std::string(v);
    };
    auto c = parse_backends_file(text, env, &e);
    if (!c) *err = "BACKENDS_FILE " + path + ": " + e.describe();
    return c;
}

void reload_backends(GatewayShared& shared) {
    const std::string& path = shared.cfg.backends_file;
    if (path.empty()) return;
    std::string err;
    auto next = load_backends_file(path, &err);
    if (!next) {
        log_event(spdlog::level::err, "serve", "SIGHUP: backends not reloaded, the pools in effect stay",
                  {{"error", err}});
        return;
    }
    size_t pools = next->pools.size();
    shared.pools.replace(*next);
    log_event(spdlog::level::info, "serve", "SIGHUP: backends reloaded",
              {{"pools", static_cast<unsigned long>(pools)}, {"file", path}});
}

}  // namespace llmgw::gw
