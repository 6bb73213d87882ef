// Where serve's pools come from: BACKENDS_FILE, read at start and re-read on SIGHUP.
#pragma once
#include <optional>
#include <string>

#include "core/routing/backends_file.h"
#include "gateway/gateway.h"

namespace llmgw::gw {

// The file at `path`, parsed and validated; nullopt with *err ("BACKENDS_FILE /etc/x.yaml: line
// 7: ...") when it cannot be read or is invalid.
std::optional<BackendsConfig> load_backends_file(const std::string& path, std::string* err);

// SIGHUP: re-read BACKENDS_FILE and swap the new pools in; when it cannot be read or is invalid,
// log an error and keep the pools in effect. Requests in flight finish where they started.
void reload_backends(GatewayShared& shared);

}  // namespace llmgw::gw
