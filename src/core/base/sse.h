// Incremental Server-Sent Events parser (WHATWG rules: "field: value" lines, events end at a
// blank line, CRLF/LF/CR line ends, comments start with ':'). Fed arbitrary byte slices; emits
// each complete event once. What it buffers is bounded: an event (or a line) over
// kMaxSseEventBytes stops the parser instead of growing it.
#pragma once
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

namespace llmgw {

struct SseEvent {
    std::string event;  // "event:" field, empty when absent
    std::string data;   // "data:" lines joined with '\n'
    std::string id;
};

// The most one event may buffer: its partial line plus its data, event and id fields. Runtimes
// send chunks of a few hundred bytes (a whole tool call's arguments stay in the KBs); 1 MiB is
// generous for any real event, and a backend that sends more (one endless line without a
// newline) is broken or hostile: buffering it would grow the process without bound.
inline constexpr size_t kMaxSseEventBytes = 1u << 20;
// The parser keeps its current event's buffers from one event to the next, so a stream of
// ordinary events allocates nothing once warm. An event over this (a large tool call) gives its
// memory back when it is done: a long stream should not hold it to its end.
inline constexpr size_t kKeptSseEventBytes = 16u << 10;

class SseParser {
public:
    using Sink = std::function<void(const SseEvent&)>;
    explicit SseParser(Sink sink) : sink_(std::move(sink)) {}
    // No-op once overflowed().
    void feed(std::string_view bytes);
    // End of input: an event not terminated by a blank line is dispatched if it has data.
    // No-op once overflowed().
    void finish();
    // An event or a line went over kMaxSseEventBytes: its bytes were dropped, nothing more is
    // parsed or dispatched, and the stream should be ended by the caller.
    bool overflowed() const { return overflowed_; }
    size_t buffered() const { return line_.size(); }  // bytes of a partial line held between feeds

private:
    void line(std::string_view l);
    size_t field_bytes() const { return cur_.data.size() + cur_.event.size() + cur_.id.size(); }
    size_t event_bytes() const { return line_.size() + field_bytes(); }
    void overflow();
    void next_event();  // clears the current event, keeping its buffers within kKeptSseEventBytes
    Sink sink_;
    std::string line_;   // partial line carried between feeds
    bool last_cr_ = false;
    SseEvent cur_;
    bool has_data_ = false;
    bool overflowed_ = false;
};

// Appends one event to `out`: "event: X\ndata: ...\n\n" (multi-line data split into several data
// lines; no event line when `event` is empty).
void sse_append(std::string& out, std::string_view event, std::string_view data);
// The same as a new string.
std::string sse_format(std::string_view event, std::string_view data);

}  // namespace llmgw
