// Parses a whole SSE byte string into its events, for targets that check what a translator wrote.
#pragma once
#include <string_view>
#include <vector>

#include "core/base/sse.h"

namespace llmgw::fuzz {

inline std::vector<SseEvent> sse_events(std::string_view bytes) {
    std::vector<SseEvent> events;
    SseParser p([&](const SseEvent& e) { events.push_back(e); });
    p.feed(bytes);
    p.finish();
    return events;
}

inline bool same_event(const SseEvent& a, const SseEvent& b) {
    return a.event == b.event && a.data == b.data && a.id == b.id;
}

inline bool same_events(const std::vector<SseEvent>& a, const std::vector<SseEvent>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (!same_event(a[i], b[i])) return false;
    return true;
}

}  // namespace llmgw::fuzz
