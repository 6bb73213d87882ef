// A Redis reply as plain data, so what the scripts answer is parsed and tested without a server.
// The client (gateway/redis_client) converts hiredis's reply into this.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace llmgw {

struct RedisValue {
    enum class Type { Nil, Integer, String, Status, Error, Array };
    Type type = Type::Nil;
    int64_t integer = 0;
    std::string str;  // String, Status and Error
    std::vector<RedisValue> elements;

    static RedisValue of_integer(int64_t v) { return {Type::Integer, v, {}, {}}; }
    static RedisValue of_error(std::string e) { return {Type::Error, 0, std::move(e), {}}; }
    static RedisValue of_array(std::vector<RedisValue> e) { return {Type::Array, 0, {}, std::move(e)}; }
    bool is_error() const { return type == Type::Error; }
};

}  // namespace llmgw
