// Upstream error bodies (api_error.h): whatever a runtime answers with an error status, the client
// gets one well-formed envelope of its route's API. Properties: both renderings are JSON in the
// right shape; an OpenAI envelope passes through unchanged on OpenAI routes; the message is the
// one upstream_error_message extracts; valid UTF-8 in means valid UTF-8 out (SDKs decode strictly).
#include <array>
#include <cstdint>
#include <string>

#include "core/api/api_error.h"
#include "fuzz_check.h"
#include "fuzz_options.h"
#include "utf8.h"

using namespace llmgw;
using namespace llmgw::fuzz;

namespace {
constexpr std::array<int, 14> kStatuses{400, 401, 403, 404, 408, 413, 422, 429, 500, 502, 503, 504, 529, 599};

bool openai_envelope(const rapidjson::Value& d) {
    const auto& e = member(d, "error");
    return member(e, "message").IsString() && member(e, "type").IsString();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view body(reinterpret_cast<const char*>(data), size);
    int status = kStatuses[input_hash(data, size) % kStatuses.size()];
    std::string message = upstream_error_message(body);
    FUZZ_CHECK(!message.empty());

    // Relayed as is when the gateway's own parse (a BOM skipped) finds an OpenAI envelope.
    llmgw::StackDocument in;
    bool passthrough = !json::parse(body, in) && in.IsObject() && openai_envelope(in);

    std::string openai = wrap_upstream_error(ApiStyle::OpenAI, status, body);
    if (passthrough) {
        FUZZ_CHECK(openai == body);
    } else {
        llmgw::StackDocument o;
        FUZZ_CHECK(parses(openai, o) && o.IsObject() && openai_envelope(o));
        FUZZ_CHECK(str_member(member(o, "error"), "message") == message);
        FUZZ_CHECK(str_member(member(o, "error"), "type") == openai_error_type(status));
    }

    std::string anthropic = wrap_upstream_error(ApiStyle::Anthropic, status, body);
    llmgw::StackDocument a;
    FUZZ_CHECK(parses(anthropic, a) && a.IsObject() && str_member(a, "type") == "error");
    FUZZ_CHECK(str_member(member(a, "error"), "type") == anthropic_error_type(status));
    FUZZ_CHECK(str_member(member(a, "error"), "message") == message);

    if (valid_utf8(body)) {
        FUZZ_CHECK(valid_utf8(openai));
        FUZZ_CHECK(valid_utf8(anthropic));
    }
    return 0;
}
