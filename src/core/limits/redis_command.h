// A Redis command as the bytes on the wire (a RESP array of bulk strings), written straight into
// one string. The client hands these bytes to hiredis as they are (redisAsyncFormattedCommand):
// a call holds one buffer instead of a vector of argument strings, and nothing formats it twice.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace llmgw {

class RedisCommand {
public:
    // `args` is part of the header, so it is given first; take() checks that many were written.
    explicit RedisCommand(size_t args);
    RedisCommand& arg(std::string_view a);
    RedisCommand& arg_joined(std::string_view a, std::string_view b);  // one argument: a then b
    RedisCommand& arg(int64_t v);
    RedisCommand& arg_fixed6(double v);  // as printf's "%.6f": how the scripts read a fraction
    std::string take();  // the bytes; the command is empty afterwards

private:
    std::string out_;
    size_t left_;
};

// The whole command from its arguments (setup commands, the EVAL retry).
std::string redis_command(const std::vector<std::string_view>& args);
// The arguments of a command in RESP (tests, the EVAL retry); nullopt when `wire` is not exactly
// one array of bulk strings.
std::optional<std::vector<std::string>> redis_command_args(std::string_view wire);

}  // namespace llmgw
