// --port-file: tells a launcher (tests, scripts) which port a server bound when it asked for port 0.
#pragma once
#include <string>

namespace llmgw::net {

// Writes "<port>\n" to `path` via a temporary file and a rename, so a reader polling the file never
// sees it half-written. Call once listening, so a reader that sees the port can connect.
// Returns false if the file could not be written.
bool write_port_file(const std::string& path, int port);

}  // namespace llmgw::net
