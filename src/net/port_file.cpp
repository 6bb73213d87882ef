#include "net/port_file.h"

#include <cstdio>

namespace llmgw::net {

bool write_port_file(const std::string& path, int port) {
    const std::string tmp = path + ".tmp";
    FILE* f = std::fopen(tmp.c_str(), "w");
    if (!f) return false;
    const bool written = std::fprintf(f, "%d\n", port) > 0;
    if (std::fclose(f) != 0 || !written) return false;
    return std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace llmgw::net
