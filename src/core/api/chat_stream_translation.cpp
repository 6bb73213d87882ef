#include "core/api/chat_stream_translation.h"

namespace llmgw {

void ChatStreamTranslation::feed(std::string_view data, std::string& out) {
    json::ReusedDocument doc;
    feed(read_stream_chunk(data, doc), out);
}

void ChatStreamTranslation::feed(const StreamChunk& in, std::string& out) {
    if (done()) return;
    auto event = tally_.read(in);
    switch (event.step) {
        case ChatStreamStep::Skip: return;
        case ChatStreamStep::Done: complete(out); return;
        case ChatStreamStep::Fail: fail(*event.error, out); return;
        case ChatStreamStep::Chunk: chunk(*in.json, out); return;
    }
}

void ChatStreamTranslation::finish(std::string& out) {
    if (done()) return;
    if (tally_.runtime_ended()) {
        complete(out);
        return;
    }
    fail(ApiError::bad_gateway("upstream stream ended before the response was complete"), out);
}

void ChatStreamTranslation::fail(const ApiError& e, std::string& out) {
    if (done()) return;
    // The runtime already said how the turn ended; only trailing usage can be missing.
    if (tally_.saw_finish) {
        complete(out);
        return;
    }
    started_before_error_ = started();
    error_ = e;
    emit_failure(e, out);
}

}  // namespace llmgw
