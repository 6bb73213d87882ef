// Where serve's client keys come from: API_KEYS and API_KEYS_FILE together, read at start and
// re-read on SIGHUP. Only digests are kept (see core/api_keys.h).
#pragma once
#include <memory>
#include <string>

#include "core/ops/api_keys.h"
#include "core/ops/config.h"
#include "gateway/gateway.h"

namespace llmgw::gw {

// The key set of API_KEYS plus the keys in API_KEYS_FILE (when set), with the file's per-key
// limits. nullptr with *err set ("API_KEYS_FILE: cannot read ...", "API_KEYS_FILE: <path>: line 3:
// ...") when the file cannot be read or a line is malformed.
std::shared_ptr<const KeySet> load_key_set(const ServeConfig& cfg, std::string* err);

// SIGHUP: re-read API_KEYS_FILE and swap the new set in (its limits apply from the next request);
// if it cannot be read or parsed, log an error and keep the current set. Open connections are
// untouched.
void reload_key_set(GatewayShared& shared);

}  // namespace llmgw::gw
