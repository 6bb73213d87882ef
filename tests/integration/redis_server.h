// A real redis-server (Debian's package) for the shared-limit tests: started on a free loopback
// port with persistence off, killed when the test ends. restart() brings it back on the same port
// (empty, as a Redis without persistence comes back).
#pragma once
#include <sys/types.h>

#include <string>
#include <vector>

namespace harness {

class RedisServer {
public:
    // `extra`: more redis-server arguments (e.g. {"--requirepass", "pw"}).
    explicit RedisServer(std::vector<std::string> extra = {});
    ~RedisServer();
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    int port() const { return port_; }
    std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
    void kill();     // SIGKILL: what a crash looks like to the gateway
    void restart();  // on the same port
    // Runs one inline command (RESP inline form, e.g. "KEYS *") and returns the raw reply.
    std::string command(const std::string& inline_cmd) const;

private:
    void spawn();
    int port_ = 0;
    pid_t pid_ = -1;
    std::vector<std::string> extra_;
};

// True when redis-server is installed (scripts/install-deps.sh installs it).
bool have_redis_server();

}  // namespace harness
