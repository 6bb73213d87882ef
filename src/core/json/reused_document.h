// Parsing one small JSON text after another (a stream's events) without allocating once warm.
// StackDocument (stack_document.h) keeps a parse's values off the heap, but each parse still
// mallocs the reader's and the document's work stacks and, to parse in place, a copy of the text.
// This keeps all three between parses: its values live in an inline pool that every parse clears,
// and its reader, document and text buffer are reused. It is meant to be shared by everything one
// event loop parses in turn (a gateway worker's stream events), not held per stream.
#pragma once
#include <rapidjson/document.h>
#include <rapidjson/reader.h>

#include <optional>
#include <string>
#include <string_view>

#include "core/json/json_parse.h"

namespace llmgw::json {

class ReusedDocument {
public:
    ReusedDocument() { renew(); }
    ReusedDocument(const ReusedDocument&) = delete;
    ReusedDocument& operator=(const ReusedDocument&) = delete;

    // Parses a copy of `text` in place, under json::parse's rules (kMaxDepth, no NUL). The root
    // and the error stay valid until the next parse. nullptr on success.
    const ParseError* parse(std::string_view text);
    const rapidjson::Value& root() const { return *doc_; }

private:
    // Values of a chat stream chunk (a few hundred bytes of JSON) fit inline; bigger ones spill to
    // heap chunks that the next parse frees.
    static constexpr size_t kInlineValueBytes = 8192;
    // A text over this leaves work stacks and a text buffer its own size behind: they are freed
    // before the next parse, so one large event does not keep its memory for the loop's life.
    static constexpr size_t kKeptTextBytes = 64u << 10;
    void renew();

    char value_bytes_[kInlineValueBytes];
    rapidjson::MemoryPoolAllocator<> values_{value_bytes_, kInlineValueBytes};
    std::optional<rapidjson::Document> doc_;
    std::optional<rapidjson::Reader> reader_;
    std::string text_;
    std::optional<ParseError> error_;
};

}  // namespace llmgw::json
