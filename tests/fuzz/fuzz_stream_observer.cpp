// inspect_stream_event and read_usage (stream_observer.h) on arbitrary event payloads. They only
// feed metrics, so the properties are consistency: "[DONE]" and nothing else is done, a
// non-object reports nothing, usage_only implies usage, and the usage the per-event inspection
// reports is the usage read_usage finds in the same bytes. The scan without a document (a relayed
// event) and the walk of a parsed one (a translated event) report the same, and json::Scanner
// accepts exactly what json::parse accepts, stopping at the same offset.
#include <cstdint>

#include "core/api/stream_chunk.h"
#include "core/api/stream_observer.h"
#include "core/base/text_util.h"
#include "core/json/json_scan.h"
#include "fuzz_check.h"

using namespace llmgw;
using namespace llmgw::fuzz;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view payload(reinterpret_cast<const char*>(data), size);
    StreamEventInfo info = inspect_stream_event(payload);
    FUZZ_CHECK(info.done == (trim(payload, kWhitespace) == "[DONE]"));
    FUZZ_CHECK(!info.usage_only || info.has_usage);
    bool object = accepted_object(payload);
    if (!object) FUZZ_CHECK(!info.content && !info.has_usage && !info.error && !info.finished);

    json::Scanner scanner;
    json::ReusedDocument doc;
    StreamEventInfo walked = inspect_stream_event(read_stream_chunk(payload, doc));
    FUZZ_CHECK(info.done == walked.done && info.content == walked.content && info.usage_only == walked.usage_only &&
               info.has_usage == walked.has_usage && info.error == walked.error && info.finished == walked.finished &&
               info.too_deep == walked.too_deep && info.prompt_tokens == walked.prompt_tokens &&
               info.completion_tokens == walked.completion_tokens && info.cached_tokens == walked.cached_tokens);

    struct Ignore : rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Ignore> {} ignore;
    const json::ParseError* scanned = scanner.scan(payload, ignore);
    StackDocument parsed;
    auto refused = json::parse(payload, parsed);
    FUZZ_CHECK((scanned == nullptr) == !refused);
    if (scanned) FUZZ_CHECK(scanned->offset == refused->offset && scanned->too_deep == refused->too_deep);

    int64_t prompt = -1, completion = -1, cached = -1;
    bool usage = read_usage(payload, &prompt, &completion, &cached) == UsageRead::Found;
    FUZZ_CHECK(!usage || object);
    if (info.has_usage) {
        FUZZ_CHECK(usage);
        FUZZ_CHECK(prompt == info.prompt_tokens && completion == info.completion_tokens && cached == info.cached_tokens);
    }
    return 0;
}
