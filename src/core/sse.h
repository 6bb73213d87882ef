// Incremental Server-Sent Events parser (WHATWG rules: "field: value" lines, events end at a
// blank line, CRLF/LF/CR line ends, comments start with ':'). Fed arbitrary byte slices; emits
// each complete event once.
#pragma once
#include <functional>
#include <string>
#include <string_view>

namespace llmgw {

struct SseEvent {
    std::string event;  // "event:" field, empty when absent
    std::string data;   // "data:" lines joined with '\n'
    std::string id;
};

class SseParser {
public:
    using Sink = std::function<void(const SseEvent&)>;
    explicit SseParser(Sink sink) : sink_(std::move(sink)) {}
    void feed(std::string_view bytes);
    // End of input: an event not terminated by a blank line is dispatched if it has data.
    void finish();
    size_t buffered() const { return line_.size(); }

private:
    void line(std::string_view l);
    Sink sink_;
    std::string line_;   // partial line carried between feeds
    bool last_cr_ = false;
    SseEvent cur_;
    bool has_data_ = false;
};

// Renders one event: "event: X\ndata: ...\n\n" (multi-line data split into several data lines).
std::string sse_format(std::string_view event, std::string_view data);

}  // namespace llmgw
