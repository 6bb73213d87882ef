// Shared helpers for the [anthropic] tests: fixture loading, SSE output parsing, and an
// accumulator that rebuilds a message from Anthropic stream events the way the official SDKs do,
// checking the stream's structural rules as it goes.
#pragma once
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "core/json/json_value.h"
#include "core/base/sse.h"
#include "core/api/translate_capture.h"
#include "fixtures.h"

namespace llmgw::test {

inline std::vector<std::string> sse_data(std::string_view sse) {
    std::vector<std::string> out;
    SseParser p([&](const SseEvent& e) { out.push_back(e.data); });
    p.feed(sse);
    p.finish();
    return out;
}

struct Event {
    std::string name;
    std::string data;
};

inline std::vector<Event> sse_events(std::string_view sse) {
    std::vector<Event> out;
    SseParser p([&](const SseEvent& e) { out.push_back({e.event, e.data}); });
    p.feed(sse);
    p.finish();
    return out;
}

struct Block {
    std::string type, text, id, name, partial_json;
};

// What an Anthropic SDK would rebuild from the events.
struct Rebuilt {
    std::vector<Block> blocks;
    std::string stop_reason;
    std::string stop_sequence;
    int64_t output_tokens = -1;
    int64_t input_tokens = -1;
    bool stopped = false;        // message_stop seen
    std::string error_type;      // set when an error event ended the stream
    std::vector<std::string> names;
};

// Rebuilds and checks: event name equals data.type; exactly one message_start, first; pings only
// before blocks; indexes increase by one; a block is stopped before the next starts; deltas go to
// the open block and match its type; message_delta then message_stop end it; nothing after.
inline Rebuilt rebuild(std::string_view sse) {
    Rebuilt r;
    int open = -1;
    bool ended = false;
    for (const auto& e : sse_events(sse)) {
        INFO("event " << e.name << " " << e.data);
        REQUIRE_FALSE(ended);
        r.names.push_back(e.name);
        json::Document d;
        REQUIRE_FALSE(json::parse(e.data, d));
        REQUIRE(json::get_str(d, "type").value_or("") == e.name);
        if (e.name == "message_start") {
            REQUIRE(r.names.size() == 1);
            const auto* m = json::get(d, "message");
            REQUIRE(m);
            CHECK(json::get_str(*m, "id").value_or("").rfind("msg_", 0) == 0);
            CHECK(json::get(*m, "usage") != nullptr);
        } else if (e.name != "error") {
            REQUIRE(r.names.front() == "message_start");
        }
        if (e.name == "message_start") {
            // checked above
        } else if (e.name == "ping") {
            CHECK(r.blocks.empty());
        } else if (e.name == "content_block_start") {
            REQUIRE(open == -1);
            auto idx = json::get_int(d, "index");
            REQUIRE(idx);
            REQUIRE(*idx == static_cast<int64_t>(r.blocks.size()));
            const auto* b = json::get(d, "content_block");
            REQUIRE(b);
            Block blk;
            blk.type = json::get_str(*b, "type").value_or("");
            if (blk.type == "tool_use") {
                blk.id = json::get_str(*b, "id").value_or("");
                blk.name = json::get_str(*b, "name").value_or("");
                const auto* in = json::get(*b, "input");
                REQUIRE(in);
                CHECK(in->IsObject());
                CHECK(in->MemberCount() == 0);
            }
            r.blocks.push_back(blk);
            open = static_cast<int>(*idx);
        } else if (e.name == "content_block_delta") {
            REQUIRE(open >= 0);
            REQUIRE(json::get_int(d, "index") == open);
            const auto* dl = json::get(d, "delta");
            REQUIRE(dl);
            auto t = json::get_str(*dl, "type").value_or("");
            Block& b = r.blocks[open];
            if (t == "text_delta") { REQUIRE(b.type == "text"); b.text += *json::get_str(*dl, "text"); }
            else if (t == "thinking_delta") { REQUIRE(b.type == "thinking"); b.text += *json::get_str(*dl, "thinking"); }
            else if (t == "input_json_delta") { REQUIRE(b.type == "tool_use"); b.partial_json += *json::get_str(*dl, "partial_json"); }
            else if (t == "signature_delta") { REQUIRE(b.type == "thinking"); }
            else FAIL("unknown delta type " << t);
        } else if (e.name == "content_block_stop") {
            REQUIRE(open >= 0);
            REQUIRE(json::get_int(d, "index") == open);
            open = -1;
        } else if (e.name == "message_delta") {
            REQUIRE(open == -1);
            const auto* dl = json::get(d, "delta");
            REQUIRE(dl);
            r.stop_reason = json::get_str(*dl, "stop_reason").value_or("");
            r.stop_sequence = json::get_str(*dl, "stop_sequence").value_or("");
            const auto* u = json::get(d, "usage");
            REQUIRE(u);
            r.output_tokens = json::get_int(*u, "output_tokens").value_or(-1);
            r.input_tokens = json::get_int(*u, "input_tokens").value_or(-1);
        } else if (e.name == "message_stop") {
            REQUIRE_FALSE(r.stop_reason.empty());
            r.stopped = true;
            ended = true;
        } else if (e.name == "error") {
            const auto* er = json::get(d, "error");
            REQUIRE(er);
            r.error_type = json::get_str(*er, "type").value_or("");
            ended = true;
        } else {
            FAIL("unexpected event " << e.name);
        }
    }
    return r;
}

}  // namespace llmgw::test
