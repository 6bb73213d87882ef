// Looks at OpenAI chat/completions stream events as they pass through, for metrics: which events
// carry generated output (TTFT, inter-token latency), the usage the runtime reported, and whether
// an event is the usage-only chunk that include_usage adds. It never changes the stream.
#pragma once
#include <cstdint>
#include <string_view>

#include "core/api/stream_chunk.h"
#include "core/json/json_scan.h"

namespace llmgw {

struct StreamEventInfo {
    bool done = false;        // "[DONE]"
    bool content = false;     // carries generated text, reasoning or tool-call fragments
    bool usage_only = false;  // "choices": [] with usage (the include_usage chunk)
    bool has_usage = false;
    bool error = false;       // in-band {"error":...}
    bool finished = false;    // a choice carries a finish_reason
    bool too_deep = false;    // not read: nesting past json::kMaxDepth (a hostile or broken runtime)
    int64_t prompt_tokens = 0;
    int64_t completion_tokens = 0;
    int64_t cached_tokens = 0;
};

// Inspects one SSE "data:" payload, already read (parsed once for all its readers, a translator's
// too): a walk of its document.
StreamEventInfo inspect_stream_event(const StreamChunk& chunk);
// The same for a payload nothing else reads (a relayed stream): scanned with `scanner`, under
// json::parse's rules but without building a document. The scanner is reused event after event.
StreamEventInfo inspect_stream_event(std::string_view data, json::Scanner& scanner);
// The same with a scanner of its own.
StreamEventInfo inspect_stream_event(std::string_view data);

enum class UsageRead {
    Found,    // *prompt and *completion set
    Absent,   // a JSON object without a usage object
    NotJson,  // not JSON, or not an object
    TooDeep,  // nesting past json::kMaxDepth: the answer is unsafe to handle further
};
// Usage from a whole (non-stream) response body, scanned without a document (`cached`:
// prompt_tokens_details.cached_tokens, 0 when absent). A member given twice counts each time (for
// a figure: the last one), for events too.
UsageRead read_usage(std::string_view body, int64_t* prompt, int64_t* completion, int64_t* cached);

}  // namespace llmgw
