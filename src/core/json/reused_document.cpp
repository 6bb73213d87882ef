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
    // A whole UTF-8 BOM is skipped, as json::parse and json::Scanner skip it.
    const size_t bom = text.substr(0, kUtf8Bom.size()) == kUtf8Bom ? kUtf8Bom.size() : 0;
    text_.assign(text.substr(bom));
    error_ = parse_insitu(text_.data(), text_.size(), *doc_, *reader_);
    if (error_) error_->offset += bom;
    return error_ ? &*error_ : nullptr;
}

}  // namespace llmgw::json
