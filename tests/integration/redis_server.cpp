#include "redis_server.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

#include "harness.h"

extern char** environ;

namespace harness {

namespace {

constexpr const char* kRedisServer = "/usr/bin/redis-server";

}  // namespace

bool have_redis_server() { return access(kRedisServer, X_OK) == 0; }

RedisServer::RedisServer(std::vector<std::string> extra) : port_(free_port()), extra_(std::move(extra)) { spawn(); }

RedisServer::~RedisServer() { kill(); }

void RedisServer::spawn() {
    std::vector<std::string> args{kRedisServer, "--port", std::to_string(port_), "--bind", "127.0.0.1",
                                  "--save", "", "--appendonly", "no", "--protected-mode", "no",
                                  "--daemonize", "no", "--loglevel", "warning", "--dir", "/tmp"};
    args.insert(args.end(), extra_.begin(), extra_.end());
    auto argv = c_strings(args);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    int rc = posix_spawn(&pid_, kRedisServer, &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw std::runtime_error("cannot start redis-server");
    // Ready when it answers PING (with or without a password: NOAUTH is an answer too).
    if (!wait_until([&] { return !command("PING").empty(); }, 20)) throw std::runtime_error("redis-server not answering");
}

void RedisServer::kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    int st = 0;
    waitpid(pid_, &st, 0);
    pid_ = -1;
}

void RedisServer::restart() {
    kill();
    spawn();
}

std::string RedisServer::command(const std::string& inline_cmd) const {
    RawConn c(port_);
    if (!c.ok() || !c.send(inline_cmd + "\r\nQUIT\r\n")) return {};
    return c.recv_all(5);
}

}  // namespace harness
