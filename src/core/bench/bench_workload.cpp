#include "core/bench/bench_workload.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/json/json_parse.h"

#include <array>
#include <cmath>

namespace llmgw {

uint64_t SeededRng::next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

double SeededRng::uniform() { return double(next() >> 11) * 0x1.0p-53; }

uint64_t SeededRng::below(uint64_t n) { return n ? next() % n : 0; }

int SeededRng::between(int lo, int hi) {
    if (hi <= lo) return lo;
    return lo + int(below(uint64_t(hi - lo) + 1));
}

namespace {
// Common words that common BPE tokenizers (GPT-2/Llama/Qwen style) encode as one token each when
// preceded by a space, so N words is close to N tokens.
constexpr std::array<std::string_view, 64> kWords{
    "the", "time", "people", "year", "way", "day", "man", "thing", "woman", "life",
    "child", "world", "school", "state", "family", "student", "group", "country", "problem", "hand",
    "part", "place", "case", "week", "company", "system", "program", "question", "work", "government",
    "number", "night", "point", "home", "water", "room", "mother", "area", "money", "story",
    "fact", "month", "lot", "right", "study", "book", "eye", "job", "word", "business",
    "issue", "side", "kind", "head", "house", "service", "friend", "father", "power", "hour",
    "game", "line", "end", "member"};
}  // namespace

PromptItem synthetic_prompt(uint64_t seed, uint64_t index, const TokenRange& tokens) {
    SeededRng rng(seed * 0x9E3779B97F4A7C15ull + index * 0xD1B54A32D192ED03ull + 1);
    int n = rng.between(tokens.min, tokens.max);
    PromptItem item;
    item.input_tokens = uint64_t(n);
    std::string& p = item.prompt;
    p.reserve(size_t(n) * 7 + 16);
    // The index first (a few tokens of the budget) so requests do not share a cached prefix.
    p += std::to_string(index);
    for (int i = 1; i < n; ++i) {
        p += ' ';
        p += kWords[rng.below(kWords.size())];
    }
    return item;
}

uint64_t estimate_tokens(std::string_view text) { return (text.size() + 3) / 4; }

std::optional<std::vector<PromptItem>> parse_dataset(std::string_view jsonl, std::string* err) {
    std::vector<PromptItem> items;
    size_t line_no = 0, start = 0;
    while (start < jsonl.size()) {
        size_t nl = jsonl.find('\n', start);
        std::string_view line = jsonl.substr(start, nl == std::string_view::npos ? nl : nl - start);
        start = nl == std::string_view::npos ? jsonl.size() : nl + 1;
        ++line_no;
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
        while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
        if (line.empty()) continue;
        auto fail = [&](const std::string& why) {
            if (err) *err = "dataset line " + std::to_string(line_no) + ": " + why;
            return std::nullopt;
        };
        rapidjson::Document d;
        if (auto e = json::parse(line, d)) return fail(json::describe(*e));
        if (!d.IsObject()) return fail("not a JSON object");
        PromptItem item;
        if (auto p = d.FindMember("prompt"); p != d.MemberEnd() && p->value.IsString()) {
            item.prompt.assign(p->value.GetString(), p->value.GetStringLength());
            item.input_tokens = estimate_tokens(item.prompt);
        } else if (auto m = d.FindMember("messages"); m != d.MemberEnd() && m->value.IsArray() && !m->value.Empty()) {
            rapidjson::StringBuffer sb;
            rapidjson::Writer<rapidjson::StringBuffer> w(sb);
            m->value.Accept(w);
            item.messages_json.assign(sb.GetString(), sb.GetSize());
            // Estimate from the text contents, and keep them as a plain prompt for the APIs
            // that take one (completions, embeddings).
            for (const auto& msg : m->value.GetArray()) {
                if (!msg.IsObject()) return fail("messages must be objects");
                auto c = msg.FindMember("content");
                if (c != msg.MemberEnd() && c->value.IsString()) {
                    if (!item.prompt.empty()) item.prompt += "\n";
                    item.prompt.append(c->value.GetString(), c->value.GetStringLength());
                }
            }
            item.input_tokens = estimate_tokens(item.prompt);
        } else {
            return fail("needs \"prompt\" (string) or \"messages\" (non-empty array)");
        }
        for (const char* k : {"max_tokens", "output_tokens"}) {
            auto it = d.FindMember(k);
            if (it != d.MemberEnd() && it->value.IsInt() && it->value.GetInt() > 0) item.max_tokens = it->value.GetInt();
        }
        items.push_back(std::move(item));
    }
    if (items.empty()) {
        if (err) *err = "dataset has no prompts";
        return std::nullopt;
    }
    return items;
}

namespace {
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void write_messages(Writer& w, const PromptItem& item, bool anthropic) {
    if (item.messages_json.empty()) {
        w.Key("messages");
        w.StartArray();
        w.StartObject();
        w.Key("role"); w.String("user");
        w.Key("content"); w.String(item.prompt);
        w.EndObject();
        w.EndArray();
        return;
    }
    rapidjson::Document d;
    json::parse(item.messages_json, d);  // written by load_dataset from a parsed line
    if (!anthropic) {
        w.Key("messages");
        d.Accept(w);
        return;
    }
    // Anthropic takes system prompts beside the messages, not among them.
    std::string system;
    for (const auto& m : d.GetArray()) {
        auto r = m.FindMember("role");
        auto c = m.FindMember("content");
        if (r != m.MemberEnd() && r->value.IsString() && std::string_view(r->value.GetString()) == "system" &&
            c != m.MemberEnd() && c->value.IsString()) {
            if (!system.empty()) system += "\n";
            system += c->value.GetString();
        }
    }
    if (!system.empty()) { w.Key("system"); w.String(system); }
    w.Key("messages");
    w.StartArray();
    for (const auto& m : d.GetArray()) {
        auto r = m.FindMember("role");
        if (r != m.MemberEnd() && r->value.IsString() && std::string_view(r->value.GetString()) == "system") continue;
        m.Accept(w);
    }
    w.EndArray();
}
}  // namespace

std::string build_request_body(BenchApi api, std::string_view model, const PromptItem& item,
                               int max_tokens, bool stream, bool ignore_eos) {
    rapidjson::StringBuffer sb;
    Writer w(sb);
    w.StartObject();
    if (!model.empty()) { w.Key("model"); w.String(model.data(), rapidjson::SizeType(model.size())); }
    switch (api) {
        case BenchApi::Embeddings:
            w.Key("input"); w.String(item.prompt);
            break;
        case BenchApi::Completions:
            w.Key("prompt"); w.String(item.prompt);
            break;
        case BenchApi::Chat:
            write_messages(w, item, false);
            break;
        case BenchApi::Messages:
            write_messages(w, item, true);
            break;
    }
    if (api != BenchApi::Embeddings) {
        w.Key("max_tokens"); w.Int(max_tokens);
        w.Key("stream"); w.Bool(stream);
        if (stream && api != BenchApi::Messages) {
            // Ask for the server's own token counts at the end of the stream.
            w.Key("stream_options");
            w.StartObject();
            w.Key("include_usage"); w.Bool(true);
            w.EndObject();
        }
        if (ignore_eos) { w.Key("ignore_eos"); w.Bool(true); }
    }
    w.EndObject();
    return std::string(sb.GetString(), sb.GetSize());
}

std::string_view endpoint_path(BenchApi api) {
    switch (api) {
        case BenchApi::Chat: return "/v1/chat/completions";
        case BenchApi::Completions: return "/v1/completions";
        case BenchApi::Messages: return "/v1/messages";
        case BenchApi::Embeddings: return "/v1/embeddings";
    }
    return "/v1/chat/completions";
}

std::string endpoint_url(std::string_view base, BenchApi api) {
    while (!base.empty() && base.back() == '/') base.remove_suffix(1);
    std::string_view path = endpoint_path(api);
    if (base.size() >= path.size() && base.substr(base.size() - path.size()) == path) return std::string(base);
    if (base.size() >= 3 && base.substr(base.size() - 3) == "/v1") base.remove_suffix(3);
    return std::string(base) + std::string(path);
}

std::vector<std::string> request_headers(BenchApi api, std::string_view key, bool stream) {
    std::vector<std::string> h{"Content-Type: application/json"};
    h.push_back(stream && api != BenchApi::Embeddings ? "Accept: text/event-stream" : "Accept: application/json");
    if (api == BenchApi::Messages) {
        h.push_back("anthropic-version: 2023-06-01");
        if (!key.empty()) h.push_back("x-api-key: " + std::string(key));
    } else if (!key.empty()) {
        h.push_back("Authorization: Bearer " + std::string(key));
    }
    return h;
}

double ArrivalSchedule::next() {
    if (!started_) {
        started_ = true;
        return t_;
    }
    if (rate_ <= 0) return t_;
    if (arrival_ == Arrival::Constant) {
        t_ += 1.0 / rate_;
    } else {
        double u = rng_.uniform();
        t_ += -std::log1p(-u) / rate_;  // exponential gap with mean 1/rate
    }
    return t_;
}

}  // namespace llmgw
