#include "core/api/stream_chunk.h"

#include "core/base/text_util.h"

namespace llmgw {

StreamPayload classify_stream_payload(std::string_view data) {
    StreamPayload p;
    p.trimmed = trim(data, kWhitespace);
    if (p.trimmed.empty()) return p;
    if (p.trimmed == "[DONE]") {
        p.done = true;
        return p;
    }
    p.json = trim(data, kJsonWhitespace);
    if (p.json.starts_with(json::kUtf8Bom) && p.json.data() != data.data())
        p.json = data.substr(0, static_cast<size_t>(p.json.data() - data.data()) + p.json.size());
    return p;
}

StreamChunk read_stream_chunk(std::string_view data, json::ReusedDocument& doc) {
    const StreamPayload p = classify_stream_payload(data);
    StreamChunk c;
    c.done = p.done;
    c.data = p.json.empty() ? p.trimmed : p.json;
    if (p.json.empty()) return c;
    c.error = doc.parse(p.json);
    if (!c.error) c.json = &doc.root();
    return c;
}

}  // namespace llmgw
