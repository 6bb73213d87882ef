#include "core/json/reused_document.h"

namespace llmgw::json {

void ReusedDocument::renew() {
    doc_.emplace(&values_);
    reader_.emplace();
    std::string().swap(text_);
}

const ParseError* ReusedDocument::parse(std::string_view text) {
    doc_->SetNull();  // its values live in values_, which is cleared next
    values_.Clear();
    if (text_.capacity() > kKeptTextBytes) renew();
    text_.assign(text);
    error_ = parse_insitu(text_.data(), text_.size(), *doc_, *reader_);
    return error_ ? &*error_ : nullptr;
}

}  // namespace llmgw::json
