// Per-turn scripting of `llmgw mock`, so a test can drive a real agent through a tool round trip
// deterministically: "answer the next chat request with this tool call, the one after with this
// text". A script is a queue of steps, given as a JSON array of step objects or as JSON lines (one
// step object a line; blank lines and lines starting with '#' skipped):
//
//   {"tool_call": {"name": "Bash", "arguments": {"command": "echo hi"}, "id": "call_1"}}
//   {"text": "All done.", "reasoning": "optional reasoning text"}
//
// `arguments` is an object (sent as its compact JSON text) or a string (sent as is, so a test can
// script arguments that are not JSON); `id` is optional (default: the profile's usual id shape).
// `reasoning` is sent in the profile's reasoning field where it has one. A step is either a text
// or a tool call. Each chat completion the mock answers with 200 takes the next step, streamed or
// not, in the profile's wire shape; when the queue is empty the mock answers as usual.
//
// RequestLog keeps the last chat requests the mock received, so a test can assert what reached
// the runtime (GET /mock/requests).
#pragma once
#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "core/mock/mock_engine.h"

namespace llmgw::mock {

// A test scripts a handful of turns; the bound keeps a control endpoint from holding unbounded memory.
inline constexpr size_t kMaxScriptSteps = 1024;

struct ScriptedToolCall {
    std::string id;         // "" = generated
    std::string name;
    std::string arguments;  // the arguments text as sent
};

struct ScriptStep {
    std::string text;
    std::string reasoning;
    std::optional<ScriptedToolCall> tool_call;
};

// Parses a script (a JSON array of steps, or JSON lines). nullopt and `err` set on the first bad
// step, naming it ("step 2: ...").
std::optional<std::deque<ScriptStep>> parse_script(std::string_view text, std::string& err);

// The steps not yet answered, in order.
class Script {
public:
    void replace(std::deque<ScriptStep> steps) { steps_ = std::move(steps); }
    const ScriptStep* front() const { return steps_.empty() ? nullptr : &steps_.front(); }
    void pop() {
        if (!steps_.empty()) steps_.pop_front();
    }
    size_t remaining() const { return steps_.size(); }

private:
    std::deque<ScriptStep> steps_;
};

// Chat requests kept for GET /mock/requests, oldest first, oldest dropped past either bound.
// Agents send 50-100 KB a request (tool schemas); 32 of them cover any multi-turn test.
inline constexpr size_t kMaxLoggedRequests = 32;
inline constexpr size_t kMaxLoggedBytes = 8u << 20;

class RequestLog {
public:
    // Keeps `body` (JSON text; anything else is kept as a JSON string).
    void add(std::string_view body);
    // {"requests":[<body>,...],"dropped":N}: the bodies as JSON values, oldest first; `dropped`
    // counts requests evicted by the bounds since the last clear.
    std::string to_json() const;
    void clear();
    size_t size() const { return bodies_.size(); }

private:
    std::deque<std::string> bodies_;  // each a JSON value's text
    size_t bytes_ = 0;
    size_t dropped_ = 0;
};

}  // namespace llmgw::mock
