#include "core/limits/redis_command.h"

#include <cassert>
#include <charconv>

namespace llmgw {

namespace {

// Room for the header and a few short arguments: most commands fit without growing.
constexpr size_t kTypicalCommandBytes = 256;

void append_number(std::string& out, uint64_t v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

}  // namespace

RedisCommand::RedisCommand(size_t args) : left_(args) {
    out_.reserve(kTypicalCommandBytes);
    out_.push_back('*');
    append_number(out_, args);
    out_.append("\r\n");
}

RedisCommand& RedisCommand::arg(std::string_view a) { return arg_joined(a, {}); }

RedisCommand& RedisCommand::arg_joined(std::string_view a, std::string_view b) {
    assert(left_ > 0);
    --left_;
    out_.push_back('$');
    append_number(out_, a.size() + b.size());
    out_.append("\r\n");
    out_.append(a).append(b);
    out_.append("\r\n");
    return *this;
}

RedisCommand& RedisCommand::arg(int64_t v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return arg(std::string_view(buf, static_cast<size_t>(r.ptr - buf)));
}

RedisCommand& RedisCommand::arg_fixed6(double v) {
    char buf[400];  // the longest double in fixed notation with six decimals fits
    auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 6);
    return arg(std::string_view(buf, static_cast<size_t>(r.ptr - buf)));
}

std::string RedisCommand::take() {
    assert(left_ == 0);
    return std::move(out_);
}

std::string redis_command(const std::vector<std::string_view>& args) {
    RedisCommand c(args.size());
    for (std::string_view a : args) c.arg(a);
    return c.take();
}

std::optional<std::vector<std::string>> redis_command_args(std::string_view wire) {
    // "<prefix><decimal>\r\n" at `at`: the number, with `at` moved past the line.
    auto line_number = [&wire](size_t& at, char prefix) -> std::optional<size_t> {
        if (at >= wire.size() || wire[at] != prefix) return std::nullopt;
        const size_t eol = wire.find("\r\n", at);
        if (eol == std::string_view::npos) return std::nullopt;
        size_t n = 0;
        auto r = std::from_chars(wire.data() + at + 1, wire.data() + eol, n);
        if (r.ec != std::errc() || r.ptr != wire.data() + eol) return std::nullopt;
        at = eol + 2;
        return n;
    };
    size_t at = 0;
    auto count = line_number(at, '*');
    if (!count || *count > wire.size()) return std::nullopt;
    std::vector<std::string> args;
    args.reserve(*count);
    for (size_t i = 0; i < *count; ++i) {
        auto len = line_number(at, '$');
        if (!len || *len > wire.size() - at || wire.size() - at - *len < 2 || wire.compare(at + *len, 2, "\r\n") != 0)
            return std::nullopt;
        args.emplace_back(wire.substr(at, *len));
        at += *len + 2;
    }
    if (at != wire.size()) return std::nullopt;
    return args;
}

}  // namespace llmgw
