#include "core/routing/model_rewrite.h"

#include <optional>

#include "core/api/request_body.h"
#include "core/json/json_value.h"
#include "core/json/json_parse.h"
#include "core/json/json_span.h"

namespace llmgw {

namespace {

bool names(const rapidjson::Value* v, std::string_view name) {
    return v && v->IsString() && std::string_view(v->GetString(), v->GetStringLength()) == name;
}

}  // namespace

std::string with_model(std::string_view body, std::string_view model) {
    if (auto span = member_value_span(body, "model")) return splice(body, *span, json_quote(model));
    return insert_member(body, "model", json_quote(model));
}

bool rewrite_answer_model(std::string& text, std::string_view from, std::string_view to) {
    // Most events (every token's chunk) name the model: the cheap test first, then one parse.
    if (from.empty() || from == to || text.find(from) == std::string::npos) return false;
    rapidjson::Document doc;
    if (json::parse(text, doc) || !doc.IsObject()) return false;
    const std::string quoted = json_quote(to);
    bool changed = false;
    // Each edit finds its span again in the text as edited so far.
    for (const char* container : {"message", "response"}) {
        const rapidjson::Value* nested = json::get(doc, container);
        if (!nested || !names(json::get(*nested, "model"), from)) continue;
        auto outer = member_value_span(text, container);
        if (!outer) continue;
        std::string_view inner_text = std::string_view(text).substr(outer->begin, outer->end - outer->begin);
        auto inner = member_value_span(inner_text, "model");
        if (!inner) continue;
        text = splice(text, {outer->begin + inner->begin, outer->begin + inner->end}, quoted);
        changed = true;
    }
    if (names(json::get(doc, "model"), from)) {
        if (auto span = member_value_span(text, "model")) {
            text = splice(text, *span, quoted);
            changed = true;
        }
    }
    return changed;
}

}  // namespace llmgw
