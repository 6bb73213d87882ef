// Start-up check against the simplest request loop: BACKEND_BASE_URL naming serve's own listener
// (with no settings both are 127.0.0.1:8000), where every request would call itself until the
// descriptors run out.
#pragma once
#include <string>

#include "core/ops/config.h"

namespace llmgw {

// True when a connection to `backend` would reach a socket listening on listen_host:listen_port:
// the same port, and a host that resolves to the listen address, or, for a listener on every
// address (0.0.0.0, ::), to loopback, the any-address or an address of this machine's
// interfaces. A host that does not resolve is not judged (false).
bool reaches_own_listener(const Url& backend, const std::string& listen_host, int listen_port);

}  // namespace llmgw
