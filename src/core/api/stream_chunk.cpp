#include "core/api/stream_chunk.h"

#include "core/base/text_util.h"

namespace llmgw {

StreamChunk read_stream_chunk(std::string_view data, json::ReusedDocument& doc) {
    StreamChunk c;
    c.data = trim(data, kWhitespace);
    if (c.data.empty()) return c;
    if (c.data == "[DONE]") {
        c.done = true;
        return c;
    }
    // The JSON is trimmed of JSON's whitespace only: padded with a vertical tab it is not JSON,
    // as json::parse (and every other reader of the same bytes) says.
    c.data = trim(data, kJsonWhitespace);
    c.error = doc.parse(c.data);
    if (!c.error) c.json = &doc.root();
    return c;
}

}  // namespace llmgw
