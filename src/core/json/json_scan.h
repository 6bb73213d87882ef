// Reading untrusted JSON without building a document: RapidJSON's SAX events go straight to a
// handler, under json::parse's rules (iterative reader, nothing past kMaxDepth, a NUL byte is an
// error, a leading UTF-8 BOM is skipped). For hot paths that need a few members of each text (a
// stream event's usage and finish_reason) and would otherwise build and search a whole DOM.
#pragma once
#include <rapidjson/reader.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/json/json_parse.h"

namespace llmgw::json {

// Forwards a handler's SAX events, counting open levels, and stops the reader at the first one
// past kMaxDepth, and at a number too big for a double: RapidJSON 1.1 reads one with many digits
// and a large exponent ("44000000000000000000E308") as infinity without an error, and its writer
// then stops at that value, so a translated body would be cut short. json::parse puts it in front
// of its document too.
template <class Handler>
class DepthLimited {
public:
    explicit DepthLimited(Handler& h) : h_(h) {}
    bool too_deep() const { return too_deep_; }
    bool too_big() const { return too_big_; }

    bool Null() { return h_.Null(); }
    bool Bool(bool b) { return h_.Bool(b); }
    bool Int(int i) { return h_.Int(i); }
    bool Uint(unsigned u) { return h_.Uint(u); }
    bool Int64(int64_t i) { return h_.Int64(i); }
    bool Uint64(uint64_t u) { return h_.Uint64(u); }
    bool Double(double d) {
        if (std::isfinite(d)) return h_.Double(d);
        too_big_ = true;
        return false;
    }
    bool RawNumber(const char* s, rapidjson::SizeType n, bool copy) { return h_.RawNumber(s, n, copy); }
    bool String(const char* s, rapidjson::SizeType n, bool copy) { return h_.String(s, n, copy); }
    bool Key(const char* s, rapidjson::SizeType n, bool copy) { return h_.Key(s, n, copy); }
    bool StartObject() { return open() && h_.StartObject(); }
    bool EndObject(rapidjson::SizeType members) { --depth_; return h_.EndObject(members); }
    bool StartArray() { return open() && h_.StartArray(); }
    bool EndArray(rapidjson::SizeType elements) { --depth_; return h_.EndArray(elements); }

private:
    bool open() {
        if (++depth_ <= kMaxDepth) return true;
        too_deep_ = true;
        return false;
    }
    Handler& h_;
    int depth_ = 0;
    bool too_deep_ = false;
    bool too_big_ = false;
};

// The error json::parse reports for a reader's result (nullopt: the whole text was read).
std::optional<ParseError> parse_error(const rapidjson::ParseResult& result, bool too_deep, bool too_big, size_t read,
                                      size_t size);

// Scans one text after another with one reader, whose work stack (open levels) and copy of the
// text are kept between scans, so a warm scan of a small text allocates nothing. Strings reach the
// handler unescaped, pointing into that copy, valid until the next scan.
class Scanner {
public:
    Scanner() { reader_.emplace(); }
    Scanner(const Scanner&) = delete;
    Scanner& operator=(const Scanner&) = delete;

    // Sends `text`'s events to `handler` (a RapidJSON SAX handler; returning false stops the
    // scan, reported as an error). The events seen before an error have been sent. nullptr when
    // the text is one whole JSON value; the error stays valid until the next scan.
    template <class Handler>
    const ParseError* scan(std::string_view text, Handler& handler) {
        const size_t bom = text.substr(0, kUtf8Bom.size()) == kUtf8Bom ? kUtf8Bom.size() : 0;
        // Read in place from a copy: RapidJSON then unescapes strings where they are, where a
        // read from the caller's bytes pushes every string byte onto its work stack (that doubled
        // the scan's cost on chat stream events).
        text_.assign(text.substr(bom));
        rapidjson::InsituStringStream in(text_.data());
        DepthLimited<Handler> limited(handler);
        auto result = reader_->Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseInsituFlag>(in, limited);
        error_ = parse_error(result, limited.too_deep(), limited.too_big(), in.Tell(), text_.size());
        if (error_) error_->offset += bom;
        // A long text leaves a copy and a work stack its size behind: not kept.
        if (text.size() > kKeptTextBytes) {
            reader_.emplace();
            std::string().swap(text_);
        }
        return error_ ? &*error_ : nullptr;
    }

private:
    // Chat stream events are a few hundred bytes; past this the buffers are renewed after the scan.
    static constexpr size_t kKeptTextBytes = 64u << 10;
    std::optional<rapidjson::Reader> reader_;
    std::string text_;  // the copy read in place
    std::optional<ParseError> error_;
};

}  // namespace llmgw::json
