#include "core/base/sse.h"

#include <cstring>

namespace llmgw {

namespace {
// The next CR or LF at or after `from`, or npos: two memchr calls (vectorised in glibc) rather
// than a loop over every byte, which cost a tenth of a relayed stream's CPU.
size_t next_line_end(std::string_view s, size_t from) {
    if (from >= s.size()) return std::string_view::npos;  // (memchr must not see a null pointer)
    const char* p = s.data() + from;
    const size_t n = s.size() - from;
    const char* lf = static_cast<const char*>(std::memchr(p, '\n', n));
    const size_t before_lf = lf ? static_cast<size_t>(lf - p) : n;
    const char* cr = static_cast<const char*>(std::memchr(p, '\r', before_lf));
    if (cr) return from + static_cast<size_t>(cr - p);
    return lf ? from + before_lf : std::string_view::npos;
}
}  // namespace

void SseParser::feed(std::string_view bytes) {
    if (overflowed_) return;
    size_t start = 0;
    for (size_t i = next_line_end(bytes, 0); i != std::string_view::npos && !overflowed_;
         i = next_line_end(bytes, start)) {
        char c = bytes[i];
        if (c == '\n' && last_cr_ && i == start && line_.empty()) {  // LF of a CRLF split across feeds
            last_cr_ = false;
            start = i + 1;
            continue;
        }
        if (line_.empty()) {
            line(bytes.substr(start, i - start));
        } else {
            if (event_bytes() + (i - start) > kMaxSseEventBytes) return overflow();
            line_.append(bytes.substr(start, i - start));
            line(line_);
            if (line_.capacity() > kKeptSseEventBytes) std::string().swap(line_);
            else line_.clear();
        }
        last_cr_ = (c == '\r');
        if (c == '\r' && i + 1 < bytes.size() && bytes[i + 1] == '\n') { ++i; last_cr_ = false; }
        start = i + 1;
    }
    if (overflowed_) return;
    if (start < bytes.size()) {
        if (event_bytes() + (bytes.size() - start) > kMaxSseEventBytes) return overflow();
        line_.append(bytes.substr(start));
        last_cr_ = false;
    }
}

void SseParser::overflow() {
    overflowed_ = true;
    // Give the memory back, not just the size: the point is a bounded process.
    std::string().swap(line_);
    cur_ = SseEvent{};
    has_data_ = false;
}

void SseParser::next_event() {
    for (std::string* f : {&cur_.event, &cur_.data, &cur_.id}) {
        if (f->capacity() > kKeptSseEventBytes) std::string().swap(*f);
        else f->clear();
    }
    has_data_ = false;
}

void SseParser::line(std::string_view l) {
    // `l` is line_ or line_ is empty: the event's fields and this line are all it holds.
    if (field_bytes() + l.size() > kMaxSseEventBytes) return overflow();
    if (l.empty()) {
        if (has_data_) {  // WHATWG: an event without data is not dispatched
            if (sink_) sink_(cur_);
        }
        next_event();
        return;
    }
    if (l.front() == ':') return;  // comment
    std::string_view field = l, value;
    auto colon = l.find(':');
    if (colon != std::string_view::npos) {
        field = l.substr(0, colon);
        value = l.substr(colon + 1);
        if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    }
    if (field == "data") {
        if (has_data_) cur_.data.push_back('\n');
        cur_.data.append(value);
        has_data_ = true;
    } else if (field == "event") {
        cur_.event.assign(value);
    } else if (field == "id") {
        cur_.id.assign(value);
    }
}

void SseParser::finish() {
    if (overflowed_) return;
    if (!line_.empty()) {
        std::string l;
        l.swap(line_);
        line(l);
    }
    if (has_data_) line({});
}

std::string sse_format(std::string_view event, std::string_view data) {
    std::string out;
    out.reserve(event.size() + data.size() + 16);
    sse_append(out, event, data);
    return out;
}

void sse_append(std::string& out, std::string_view event, std::string_view data) {
    if (!event.empty()) {
        out.append("event: ").append(event).push_back('\n');
    }
    size_t start = 0;
    while (true) {
        auto nl = data.find('\n', start);
        out.append("data: ").append(data.substr(start, nl == std::string_view::npos ? nl : nl - start));
        out.push_back('\n');
        if (nl == std::string_view::npos) break;
        start = nl + 1;
    }
    out.push_back('\n');
}

}  // namespace llmgw
