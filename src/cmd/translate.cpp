// `llmgw translate`: offline Anthropic <-> OpenAI and Responses <-> OpenAI chat translation of
// captured requests, responses and SSE streams, with the very same core code serve uses. Output goes to stdout; exit 1 for
// malformed input (the message names the line and column), 2 for usage errors.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include "cmd/commands.h"
#include "core/json/json_value.h"
#include "core/anthropic/anthropic_request.h"
#include "core/anthropic/anthropic_response.h"
#include "core/anthropic/anthropic_reverse.h"
#include "core/anthropic/anthropic_stream.h"
#include "core/backend/backend_profile.h"
#include "core/base/sse.h"
#include "core/api/translate_capture.h"
#include "core/responses/responses_request.h"
#include "core/responses/responses_response.h"
#include "core/responses/responses_reverse.h"
#include "core/responses/responses_stream.h"

namespace llmgw::cmd {

namespace {

struct TranslateFlags {
    std::string kind;   // request | response | stream
    std::string from;   // anthropic | openai | responses
    std::string to;     // openai | anthropic | responses (default: openai, from openai anthropic)
    std::string input = "-";
    bool pretty = false;
    std::string backend = "openai";
    int64_t max_tokens_cap = 0;
    std::string model;
    bool thinking = false;
    std::string responses_request;  // the Responses request a chat answer was for
};

struct Failure {
    int status;
    std::string message;
};

[[noreturn]] void usage(const std::string& m) { throw Failure{2, m}; }
[[noreturn]] void malformed(const std::string& m) { throw Failure{1, m}; }

std::string read_input(const std::string& path) {
    if (path == "-") return {std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
    std::ifstream f(path, std::ios::binary);
    if (!f) malformed("cannot open " + path);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// Position of a body offset, in lines of the original input.
std::string where(const CaptureBody& cap, size_t offset) {
    std::string pos = describe_position(cap.body, offset);  // "line L, column C"
    size_t l = std::stoul(pos.substr(5, pos.find(',') - 5));
    return "line " + std::to_string(l + cap.body_line - 1) + pos.substr(pos.find(','));
}

void check_json(const CaptureBody& cap, std::string_view what) {
    json::Document d;
    if (auto f = json::parse(cap.body, d))
        malformed(std::string(what) + " is not valid JSON: " + f->reason + " at " + where(cap, f->offset));
}

std::string pretty_sse(std::string_view sse) {
    std::string out;
    SseParser p([&](const SseEvent& e) {
        out += sse_format(e.event, e.data == "[DONE]" ? e.data : json::prettify(e.data));
    });
    p.feed(sse);
    p.finish();
    return out;
}

struct InputEvent {
    std::string data;
    size_t line;  // line of the input holding the event's last data line
};

std::vector<InputEvent> read_events(const CaptureBody& cap) {
    std::vector<InputEvent> events;
    size_t line = cap.body_line, data_line = 0;
    SseParser parser([&](const SseEvent& e) { events.push_back({e.data, data_line}); });
    std::string_view body = cap.body;
    size_t pos = 0;
    while (pos < body.size()) {
        size_t nl = body.find('\n', pos);
        size_t end = nl == std::string_view::npos ? body.size() : nl + 1;
        std::string_view l = body.substr(pos, end - pos);
        if (l.rfind("data:", 0) == 0) data_line = line;
        parser.feed(l);
        pos = end;
        ++line;
    }
    parser.finish();
    for (const auto& e : events) {
        if (e.data == "[DONE]") continue;
        json::Document d;
        if (auto f = json::parse(e.data, d))
            malformed("stream event at line " + std::to_string(e.line) + " is not valid JSON: " + f->reason +
                      " at column " + std::to_string(f->offset + 1) + " of its data");
    }
    return events;
}

const BackendProfile& flag_profile(const TranslateFlags& fl) {
    auto kind = parse_backend_kind(fl.backend);
    if (!kind) usage("--backend: unknown runtime '" + fl.backend + "' (" + std::string(backend_kind_names()) + ")");
    return backend_profile(*kind);
}

// The output context of openai->responses translations; a Responses request given with
// --responses-request supplies the tool names to map back, the echo and the reasoning style.
ResponsesOutputContext responses_context(const TranslateFlags& fl, std::string model) {
    ResponsesOutputContext ctx;
    ctx.model = std::move(model);
    if (fl.responses_request.empty()) return ctx;
    CaptureBody cap = extract_capture_body(read_input(fl.responses_request));
    if (cap.error) malformed(*cap.error);
    auto t = translate_responses_request(cap.body, {flag_profile(fl)});
    if (!t.ok()) malformed("invalid Responses request in " + fl.responses_request + ": " + t.error->message);
    if (fl.model.empty()) ctx.model = t.facts.model;
    ctx.response_echo = t.facts.response_echo;
    ctx.tools = t.facts.tools;
    ctx.reasoning_summary = t.facts.reasoning_summary;
    return ctx;
}

std::string run_request(const TranslateFlags& fl, const CaptureBody& cap) {
    check_json(cap, "request body");
    if (fl.from == "responses") {
        ResponsesRequestOptions opts{flag_profile(fl), fl.max_tokens_cap};
        auto t = translate_responses_request(cap.body, opts);
        if (!t.ok()) malformed("invalid Responses request: " + t.error->message);
        if (!t.facts.dropped_tools.empty()) {
            std::string names;
            for (const auto& n : t.facts.dropped_tools) names += (names.empty() ? "" : ", ") + n;
            std::cerr << "llmgw translate: note: hosted tools dropped: " << names << "\n";
        }
        return t.body;
    }
    if (fl.to == "responses") {
        auto t = translate_chat_request_to_responses(cap.body);
        if (!t.ok()) malformed("cannot translate OpenAI request: " + t.error->message);
        return t.body;
    }
    if (fl.from == "anthropic") {
        AnthropicRequestOptions opts{flag_profile(fl), fl.max_tokens_cap, true, true};
        auto t = translate_anthropic_request(cap.body, opts);
        if (!t.ok()) malformed("invalid Anthropic request: " + t.error->message);
        return t.body;
    }
    auto t = translate_openai_request(cap.body);
    if (!t.ok()) malformed("cannot translate OpenAI request: " + t.error->message);
    return t.body;
}

std::string run_response(const TranslateFlags& fl, const CaptureBody& cap) {
    check_json(cap, "response body");
    if (fl.from == "responses") {
        auto t = translate_response_to_chat(cap.body);
        if (!t.ok()) malformed("cannot translate Responses response: " + t.error->message);
        return t.body;
    }
    if (fl.to == "responses") {
        json::Document d;
        json::parse(cap.body, d);
        auto ctx = responses_context(fl, !fl.model.empty() ? fl.model : std::string(json::get_str(d, "model").value_or("")));
        auto t = translate_chat_to_response(cap.body, ctx);
        if (t.ok()) return t.body;
        if (inband_upstream_error(d, 502)) return render_openai_error(*t.error);
        malformed("cannot translate OpenAI response: " + t.error->message);
    }
    if (fl.from == "openai") {
        json::Document d;
        json::parse(cap.body, d);
        std::string model = !fl.model.empty() ? fl.model : std::string(json::get_str(d, "model").value_or(""));
        AnthropicResponseContext ctx{model, fl.thinking, {}};
        auto t = translate_openai_response(cap.body, ctx);
        if (t.ok()) return t.body;
        // An upstream error envelope is a valid input: show what an Anthropic client would get.
        if (inband_upstream_error(d, 502)) return render_anthropic_error(*t.error);
        malformed("cannot translate OpenAI response: " + t.error->message);
    }
    auto t = translate_anthropic_response(cap.body);
    if (!t.ok()) malformed("cannot translate Anthropic response: " + t.error->message);
    return t.body;
}

std::string run_stream(const TranslateFlags& fl, const CaptureBody& cap) {
    auto events = read_events(cap);
    std::string out;
    if (fl.from == "responses") usage("stream --from responses is not supported: translate its final response instead");
    if (fl.to == "responses") {
        std::string model = fl.model;
        for (const auto& e : events) {
            if (!model.empty()) break;
            json::Document d;
            if (!json::parse(e.data, d)) model = json::get_str(d, "model").value_or("");
        }
        ResponsesStreamTranslator tr(responses_context(fl, model));
        for (const auto& e : events) tr.feed(e.data, out);
        tr.finish(out);
        if (tr.error()) std::cerr << "llmgw translate: note: the stream ends with response.failed: " << tr.error()->message << "\n";
        return out;
    }
    if (fl.from == "openai") {
        std::string model = fl.model;
        for (const auto& e : events) {
            if (!model.empty()) break;
            json::Document d;
            if (!json::parse(e.data, d)) model = json::get_str(d, "model").value_or("");
        }
        AnthropicStreamTranslator tr({model, fl.thinking, {}});
        for (const auto& e : events) tr.feed(e.data, out);
        tr.finish(out);
        if (tr.error()) std::cerr << "llmgw translate: note: the stream ends with an error event: " << tr.error()->message << "\n";
    } else {
        OpenAIStreamFromAnthropic tr(true);
        for (const auto& e : events) tr.feed(e.data, out);
        tr.finish(out);
        if (tr.error()) std::cerr << "llmgw translate: note: the stream ends with an error event: " << tr.error()->message << "\n";
    }
    return out;
}

int run_translate(const TranslateFlags& flags, const std::vector<std::string>& extras) {
    TranslateFlags fl = flags;
    try {
        if (!extras.empty()) usage("unexpected argument '" + extras.front() + "'");
        if (fl.kind != "request" && fl.kind != "response" && fl.kind != "stream")
            usage("first argument must be request, response or stream");
        auto api = [](const std::string& s) { return s == "anthropic" || s == "openai" || s == "responses"; };
        if (!api(fl.from)) usage("--from must be anthropic, openai or responses");
        if (fl.to.empty()) fl.to = fl.from == "openai" ? "anthropic" : "openai";
        if (!api(fl.to)) usage("--to must be anthropic, openai or responses");
        if (fl.to == fl.from) usage("--from and --to must differ");
        if (fl.from != "openai" && fl.to != "openai") usage("one side of a translation is openai (chat completions)");

        std::string input = read_input(fl.input);
        CaptureBody cap = extract_capture_body(input);
        if (cap.error) malformed(*cap.error);

        std::string out;
        if (fl.kind == "request") out = run_request(fl, cap);
        else if (fl.kind == "response") out = run_response(fl, cap);
        else out = run_stream(fl, cap);

        if (fl.kind == "stream") {
            std::cout << (fl.pretty ? pretty_sse(out) : out);
        } else {
            std::cout << (fl.pretty ? json::prettify(out) : out) << "\n";
        }
        std::cout.flush();
        return 0;
    } catch (const Failure& f) {
        std::cerr << "llmgw translate: " << f.message << "\n";
        if (f.status == 2) std::cerr << "Run 'llmgw translate --help' for usage.\n";
        return f.status;
    }
}

}  // namespace

void add_translate(CLI::App& app) {
    auto flags = std::make_shared<TranslateFlags>();
    auto* sub = app.add_subcommand(
        "translate",
        "Translate a captured request, response or SSE stream between the OpenAI chat API and the Anthropic "
        "Messages or OpenAI Responses API");
    sub->allow_extras();
    sub->add_option("kind", flags->kind, "what the input is: request | response | stream")->type_name("KIND");
    sub->add_option("input", flags->input, "input file; '-' or absent reads stdin")->type_name("FILE");
    sub->add_option("--from", flags->from, "API the input is written for: anthropic | openai | responses")
        ->type_name("API");
    sub->add_option("--to", flags->to,
                    "API to translate to: openai | anthropic | responses [default: openai; from openai: anthropic]")
        ->type_name("API");
    sub->add_flag("--pretty", flags->pretty, "indent JSON output (streams: one data line per JSON line)");
    sub->add_option("--backend", flags->backend,
                    "runtime profile for anthropic->openai and responses->openai requests (top_k, stream usage, "
                    "thinking switch): " +
                        std::string(backend_kind_names()) + " [default: openai]")
        ->type_name("KIND");
    sub->add_option("--max-tokens-cap", flags->max_tokens_cap,
                    "clamp max_tokens as serve does with MAX_TOKENS_CAP [default: no cap]")
        ->type_name("N");
    sub->add_option("--model", flags->model,
                    "model name to report in openai->anthropic responses and streams [default: the runtime's]")
        ->type_name("NAME");
    sub->add_option("--responses-request", flags->responses_request,
                    "openai->responses responses and streams: the Responses request they answer, to map tool "
                    "names back (namespace, custom tools) and echo its parameters")
        ->type_name("FILE");
    sub->add_flag("--thinking", flags->thinking,
                  "openai->anthropic responses and streams: render reasoning as thinking blocks, as serve does "
                  "when the client enabled thinking");
    sub->footer(
        "Directions: request anthropic->openai is what serve sends to the runtime; response and stream\n"
        "openai->anthropic is what serve returns to Anthropic clients; the reverse directions translate\n"
        "captures from runtimes that serve /v1/messages natively, for comparison. The same holds for the\n"
        "Responses API (/v1/responses): request responses->openai, response and stream openai->responses,\n"
        "and back request openai->responses and response responses->openai.\n"
        "Input may be a bare body or a raw HTTP capture (curl -i / curl -N output, with or without the head;\n"
        "chunked transfer encoding is undone). Streams are raw SSE bodies.\n"
        "Exit status: 0 translated, 1 malformed input (the message names line and column), 2 usage error.\n"
        "Examples:\n"
        "  llmgw translate request --from anthropic --backend llamacpp body.json --pretty\n"
        "  curl -sN .../v1/chat/completions -d @req.json | llmgw translate stream --from openai --thinking\n"
        "  llmgw translate stream --from anthropic capture.sse\n"
        "  llmgw translate request --from responses codex-request.json --pretty\n"
        "  llmgw translate stream --from openai --to responses --responses-request req.json chat.sse");
    sub->callback([flags, sub] {
        int rc = run_translate(*flags, sub->remaining());
        if (rc != 0) throw CLI::RuntimeError(rc);
    });
}

}  // namespace llmgw::cmd
