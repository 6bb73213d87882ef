// One upstream SSE "data:" payload of a chat (or completions) stream, parsed once and then read by
// everything that needs it: serve's metrics observer (stream_observer.h) and the translators to
// Anthropic Messages and Responses events. Parsing it once, into a document the caller reuses from
// one event to the next, is what keeps a relayed event free of allocations.
#pragma once
#include <string_view>

#include "core/json/reused_document.h"

namespace llmgw {

struct StreamChunk {
    std::string_view data;                    // the payload, trimmed of surrounding whitespace
    bool done = false;                        // "[DONE]"
    const rapidjson::Value* json = nullptr;   // the parsed payload; null when blank, [DONE] or not JSON
    const json::ParseError* error = nullptr;  // why it is not JSON
};

// What a payload is before anything reads it: blank (json empty, not done), "[DONE]", or JSON text
// to read, trimmed of JSON's whitespace (padded with a vertical tab it is not JSON, as json::parse
// and every other reader of the same bytes say). A UTF-8 BOM is JSON's only as the payload's first
// bytes: whitespace in front of one is kept, so the readers refuse it as json::parse does.
struct StreamPayload {
    std::string_view trimmed;  // trimmed of all whitespace
    bool done = false;
    std::string_view json;
};
StreamPayload classify_stream_payload(std::string_view data);

// Reads `data` into `doc` (blank and "[DONE]" are not parsed). Valid until doc's next parse.
StreamChunk read_stream_chunk(std::string_view data, json::ReusedDocument& doc);

}  // namespace llmgw
