#include "core/mock/mock_script.h"

#include "core/base/text_util.h"
#include "core/json/json_parse.h"
#include "core/mock/mock_json.h"
#include "core/mock/mock_plan.h"
#include "core/mock/mock_text.h"
#include "core/mock/mock_wire.h"

namespace llmgw::mock {

namespace {
using json::get;

std::string_view sv(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }

// An optional string member; false (and `err` set) when present but not a string.
bool read_string(const rapidjson::Value& obj, const char* name, std::string& out, std::string& err) {
    auto* v = get(obj, name);
    if (!v) return true;
    if (!v->IsString()) {
        err = std::string("'") + name + "' must be a string";
        return false;
    }
    out = std::string(sv(*v));
    return true;
}

bool read_tool_call(const rapidjson::Value& tc, ScriptedToolCall& out, std::string& err) {
    if (!tc.IsObject()) {
        err = "'tool_call' must be an object";
        return false;
    }
    if (!read_string(tc, "name", out.name, err) || !read_string(tc, "id", out.id, err)) return false;
    if (out.name.empty()) {
        err = "'tool_call.name' is required";
        return false;
    }
    auto* args = get(tc, "arguments");
    if (!args) out.arguments = "{}";
    else if (args->IsString()) out.arguments = std::string(sv(*args));
    else if (args->IsObject()) out.arguments = jw::serialize(*args);
    else {
        err = "'tool_call.arguments' must be an object or a string";
        return false;
    }
    return true;
}

bool read_step(const rapidjson::Value& v, ScriptStep& step, std::string& err) {
    if (!v.IsObject()) {
        err = "a step must be an object";
        return false;
    }
    for (auto& m : v.GetObject()) {
        std::string_view k = sv(m.name);
        if (k != "text" && k != "reasoning" && k != "tool_call") {
            err = "unknown field '" + std::string(k) + "' (a step has text, reasoning, tool_call)";
            return false;
        }
    }
    if (!read_string(v, "text", step.text, err) || !read_string(v, "reasoning", step.reasoning, err)) return false;
    if (auto* tc = get(v, "tool_call")) {
        if (get(v, "text")) {
            err = "a step is either a text or a tool_call, not both";
            return false;
        }
        step.tool_call.emplace();
        if (!read_tool_call(*tc, *step.tool_call, err)) return false;
    } else if (!get(v, "text")) {
        err = "a step needs 'text' or 'tool_call'";
        return false;
    }
    return true;
}

bool add_step(std::deque<ScriptStep>& steps, const rapidjson::Value& v, std::string& err) {
    std::string why;
    ScriptStep step;
    if (steps.size() == kMaxScriptSteps) why = "a script holds at most " + std::to_string(kMaxScriptSteps) + " steps";
    else if (read_step(v, step, why)) {
        steps.push_back(std::move(step));
        return true;
    }
    err = "step " + std::to_string(steps.size() + 1) + ": " + why;
    return false;
}

// Text split the way a runtime streams it: each piece a word with the whitespace before it.
// Concatenated the pieces give the text back.
std::vector<std::string> word_pieces(std::string_view text) {
    std::vector<std::string> out;
    size_t start = 0;
    for (size_t i = 1; i <= text.size(); ++i) {
        auto blank = [&text](size_t at) { return text[at] == ' ' || text[at] == '\n'; };
        if (i < text.size() && !(blank(i) && !blank(i - 1))) continue;
        out.emplace_back(text.substr(start, i - start));
        start = i;
    }
    return out;
}
}  // namespace

std::optional<std::deque<ScriptStep>> parse_script(std::string_view text, std::string& err) {
    std::deque<ScriptStep> steps;
    std::string_view body = trim(text, kWhitespace);
    if (!body.empty() && body.front() == '[') {
        rapidjson::Document doc;
        if (auto bad = json::parse(body, doc)) {
            err = json::describe(*bad);
            return std::nullopt;
        }
        for (auto& v : doc.GetArray())
            if (!add_step(steps, v, err)) return std::nullopt;
        return steps;
    }
    while (!body.empty()) {
        size_t nl = body.find('\n');
        std::string_view line = trim(body.substr(0, nl), kWhitespace);
        body = nl == std::string_view::npos ? std::string_view() : body.substr(nl + 1);
        if (line.empty() || line.front() == '#') continue;
        rapidjson::Document doc;
        if (auto bad = json::parse(line, doc)) {
            err = "step " + std::to_string(steps.size() + 1) + ": " + json::describe(*bad);
            return std::nullopt;
        }
        if (!add_step(steps, doc, err)) return std::nullopt;
    }
    return steps;
}

void apply_step(Plan& p, const ScriptStep& step, const Options& opt) {
    p.reasoning.clear();
    if (!wire_for(opt.profile).reasoning_field.empty()) p.reasoning = word_pieces(step.reasoning);
    int reasoning_tokens = p.reasoning.empty() ? 0 : count_tokens(step.reasoning);
    p.stop_hit.reset();
    p.content.clear();
    p.tool.reset();
    if (!step.tool_call) {
        p.content = word_pieces(step.text);
        p.completion_tokens = reasoning_tokens + count_tokens(step.text);
        p.finish = "stop";
        return;
    }
    const ScriptedToolCall& s = *step.tool_call;
    ToolCallPlan call;
    call.name = s.name;
    call.id = s.id.empty() ? tool_call_id(opt.profile, mix64(hash64(s.name + s.arguments, p.seed))) : s.id;
    call.arguments = s.arguments;
    call.fragments = fragment(call.arguments, p.seed);
    p.completion_tokens = reasoning_tokens + static_cast<int>(call.fragments.size());
    p.tool = std::move(call);
    p.finish = "tool_calls";
}

void RequestLog::add(std::string_view body) {
    rapidjson::Document doc;
    std::string kept;
    if (!json::parse(body, doc)) {
        kept = jw::serialize(doc);
    } else {
        rapidjson::Value s(body.data(), static_cast<rapidjson::SizeType>(body.size()));
        kept = jw::serialize(s);
    }
    bytes_ += kept.size();
    bodies_.push_back(std::move(kept));
    // The newest stays even past the byte bound: the server's body limit bounds it.
    while (bodies_.size() > kMaxLoggedRequests || (bytes_ > kMaxLoggedBytes && bodies_.size() > 1)) {
        bytes_ -= bodies_.front().size();
        bodies_.pop_front();
        ++dropped_;
    }
}

std::string RequestLog::to_json() const {
    std::string out = R"({"requests":[)";
    for (size_t i = 0; i < bodies_.size(); ++i) {
        if (i) out += ',';
        out += bodies_[i];
    }
    out += R"(],"dropped":)" + std::to_string(dropped_) + "}";
    return out;
}

void RequestLog::clear() {
    bodies_.clear();
    bytes_ = 0;
    dropped_ = 0;
}

}  // namespace llmgw::mock
