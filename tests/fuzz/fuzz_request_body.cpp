// Request body inspection and surgical edits (request_body.h), as the OpenAI routes apply them to
// a client's body before forwarding it. Properties: what inspect_request_body accepts is a JSON
// object; the bodies with_include_usage and insert_member produce are JSON objects that say what
// was asked for, keep model and stream, and never add a second member of the edited name (a
// duplicate key is read differently by first-key-wins and last-key-wins runtimes); a key the client
// repeated says what was asked for in every occurrence; json_quote round-trips any bytes.
#include <algorithm>
#include <cstdint>
#include <string>

#include "core/api/request_body.h"
#include "fuzz_check.h"

using namespace llmgw;
using namespace llmgw::fuzz;

namespace {
constexpr std::string_view kDefaultModel = "fuzz-default-model";

int members_named(std::string_view body, std::string_view key) {
    llmgw::StackDocument d;
    FUZZ_CHECK(!json::parse(body, d) && d.IsObject());  // parsed as the input was (a BOM kept)
    return count_members(d, key);
}

void check_edit(std::string_view edited, std::string_view key, int members_before, const RequestFacts& before) {
    FUZZ_CHECK(members_named(edited, key) == std::max(members_before, 1));
    RequestFacts after = inspect_request_body(edited);
    FUZZ_CHECK(after.ok);
    FUZZ_CHECK(after.stream == before.stream);
    if (key != "model") FUZZ_CHECK(after.model == before.model && after.has_model == before.has_model);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view body(reinterpret_cast<const char*>(data), size);

    std::string quoted = json_quote(body);
    llmgw::StackDocument q;
    FUZZ_CHECK(parses(quoted, q) && q.IsString());
    FUZZ_CHECK(std::string_view(q.GetString(), q.GetStringLength()) == body);

    RequestFacts facts = inspect_request_body(body);
    if (!facts.ok) {
        FUZZ_CHECK(!facts.error.empty());
        return 0;
    }
    FUZZ_CHECK(accepted_object(body));

    int options_before = members_named(body, "stream_options");
    std::string usage = with_include_usage(body, facts);
    check_edit(usage, "stream_options", options_before, facts);
    RequestFacts after = inspect_request_body(usage);
    FUZZ_CHECK(after.has_stream_options && after.include_usage);

    if (!facts.has_model) {  // serve inserts MODEL_NAME then
        FUZZ_CHECK(members_named(body, "model") == 0);
        std::string with_model = insert_member(body, "model", json_quote(kDefaultModel));
        check_edit(with_model, "model", 0, facts);
        FUZZ_CHECK(inspect_request_body(with_model).model == kDefaultModel);
    }
    return 0;
}
