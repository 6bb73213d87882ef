// Shared helpers for the [responses] tests: a checker that reads a Responses SSE stream the way
// the SDKs and Codex do, enforcing the stream's rules as it goes, and the output context the tests
// translate with.
#pragma once
#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <vector>

#include "anthropic/anthropic_test_util.h"
#include "core/json/json_value.h"
#include "core/responses/responses_output.h"

namespace llmgw::test {

struct RebuiltResponse {
    std::vector<std::string> names;     // event types in order
    std::vector<std::string> items;     // output_item.done items as JSON, by output_index
    std::map<size_t, std::string> text; // output_index -> text rebuilt from the deltas
    std::string terminal;               // response.completed | response.incomplete | response.failed
    std::string response;               // the terminal event's response object
    std::string response_id;
};

// Rebuilds and checks: every event's `type` equals its SSE event name; sequence_number counts from
// 0 by one; response.created then response.in_progress open the stream; output_item.added indexes
// increase by one; content events refer to an added, not yet done item; exactly one terminal event,
// last; the terminal response's output equals the done items; ids keep their prefixes.
inline RebuiltResponse rebuild_responses(std::string_view sse) {
    RebuiltResponse r;
    std::map<size_t, bool> open;  // output_index -> still open
    int64_t seq = 0;
    for (const auto& e : sse_events(sse)) {
        INFO("event " << e.name << " " << e.data);
        REQUIRE(r.terminal.empty());
        json::Document d;
        REQUIRE_FALSE(json::parse(e.data, d));
        REQUIRE(json::get_str(d, "type").value_or("") == e.name);
        REQUIRE(json::get_int(d, "sequence_number") == seq);
        ++seq;
        r.names.push_back(e.name);
        if (r.names.size() == 1) REQUIRE(e.name == "response.created");
        if (r.names.size() == 2) REQUIRE(e.name == "response.in_progress");
        if (e.name == "response.created" || e.name == "response.in_progress") {
            REQUIRE(r.names.size() <= 2);
            const auto* resp = json::get(d, "response");
            REQUIRE(resp);
            CHECK(json::get_str(*resp, "status") == std::optional<std::string_view>("in_progress"));
            r.response_id = json::get_str(*resp, "id").value_or("");
            CHECK(r.response_id.rfind("resp_", 0) == 0);
            continue;
        }
        if (e.name == "response.completed" || e.name == "response.incomplete" || e.name == "response.failed") {
            r.terminal = e.name;
            const auto* resp = json::get(d, "response");
            REQUIRE(resp);
            CHECK(json::get_str(*resp, "id").value_or("") == r.response_id);
            CHECK("response." + std::string(json::get_str(*resp, "status").value_or("")) == e.name);
            r.response = json::to_string(*resp);
            const auto* output = json::get(*resp, "output");
            REQUIRE(output);
            REQUIRE(output->IsArray());
            if (e.name != "response.failed") {
                REQUIRE(output->Size() == r.items.size());
                for (rapidjson::SizeType i = 0; i < output->Size(); ++i) CHECK(json::to_string((*output)[i]) == r.items[i]);
                for (auto& [idx, is_open] : open) CHECK_FALSE(is_open);
            }
            continue;
        }
        auto idx = json::get_int(d, "output_index");
        REQUIRE(idx);
        size_t i = static_cast<size_t>(*idx);
        if (e.name == "response.output_item.added") {
            REQUIRE(i == open.size());
            open[i] = true;
            r.items.emplace_back();
            const auto* item = json::get(d, "item");
            REQUIRE(item);
            auto id = json::get_str(*item, "id").value_or("");
            auto type = json::get_str(*item, "type").value_or("");
            std::string prefix = type == "message" ? "msg_" : type == "function_call" ? "fc_"
                               : type == "custom_tool_call" ? "ctc_" : type == "reasoning" ? "rs_" : "?";
            CHECK(std::string(id).rfind(prefix, 0) == 0);
            continue;
        }
        REQUIRE(open.count(i));
        REQUIRE(open[i]);
        if (e.name == "response.output_item.done") {
            open[i] = false;
            const auto* item = json::get(d, "item");
            REQUIRE(item);
            r.items[i] = json::to_string(*item);
            continue;
        }
        if (auto delta = json::get_str(d, "delta")) r.text[i] += *delta;
    }
    REQUIRE_FALSE(r.terminal.empty());
    return r;
}

// A parsed JSON value for CHECKs on its members.
inline json::Document json_doc(std::string_view text) {
    json::Document d;
    REQUIRE_FALSE(json::parse(text, d));
    return d;
}

}  // namespace llmgw::test
