#include "core/json/json_parse.h"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

namespace llmgw::json {

namespace {

using Doc = rapidjson::Document;
using rapidjson::SizeType;

// SAX handler between the reader and the document: counts open levels and stops the parse at
// the first one past kMaxDepth, so a hostile input never grows a deep DOM.
class DepthLimit {
public:
    explicit DepthLimit(Doc& doc) : doc_(doc) {}
    bool too_deep() const { return too_deep_; }

    bool Null() { return doc_.Null(); }
    bool Bool(bool b) { return doc_.Bool(b); }
    bool Int(int i) { return doc_.Int(i); }
    bool Uint(unsigned u) { return doc_.Uint(u); }
    bool Int64(int64_t i) { return doc_.Int64(i); }
    bool Uint64(uint64_t u) { return doc_.Uint64(u); }
    bool Double(double d) { return doc_.Double(d); }
    bool RawNumber(const char* s, SizeType n, bool copy) { return doc_.RawNumber(s, n, copy); }
    bool String(const char* s, SizeType n, bool copy) { return doc_.String(s, n, copy); }
    bool Key(const char* s, SizeType n, bool copy) { return doc_.Key(s, n, copy); }
    bool StartObject() { return open() && doc_.StartObject(); }
    bool EndObject(SizeType members) { --depth_; return doc_.EndObject(members); }
    bool StartArray() { return open() && doc_.StartArray(); }
    bool EndArray(SizeType elements) { --depth_; return doc_.EndArray(elements); }

private:
    bool open() {
        if (++depth_ <= kMaxDepth) return true;
        too_deep_ = true;
        return false;
    }
    Doc& doc_;
    int depth_ = 0;
    bool too_deep_ = false;
};

template <unsigned Flags, typename Stream>
std::optional<ParseError> populate(Stream& in, size_t size, Doc& out, rapidjson::Reader& reader) {
    rapidjson::ParseResult result;
    bool too_deep = false;
    auto generate = [&](Doc& doc) {
        DepthLimit limit(doc);
        result = reader.Parse<Flags | rapidjson::kParseIterativeFlag>(in, limit);
        too_deep = limit.too_deep();
        return !result.IsError();
    };
    out.Populate(generate);
    std::optional<ParseError> err;
    if (too_deep)
        err = ParseError{result.Offset(), "nesting deeper than " + std::to_string(kMaxDepth) + " levels", true};
    else if (result.IsError())
        err = ParseError{result.Offset(), rapidjson::GetParseError_En(result.Code()), false};
    else if (in.Tell() < size)  // the reader takes NUL for the end of the text
        err = ParseError{in.Tell(), "unexpected NUL byte", false};
    if (err) out.SetNull();
    return err;
}

}  // namespace

std::optional<ParseError> parse(std::string_view text, Doc& out) {
    // A whole UTF-8 BOM is skipped (RFC 8259 lets a parser ignore it). Not RapidJSON's
    // EncodedInputStream: it drops each of the three BOM bytes on its own, so "\xBB{...}" would
    // pass as JSON here and be forwarded to a runtime that refuses it.
    size_t bom = text.substr(0, kUtf8Bom.size()) == kUtf8Bom ? kUtf8Bom.size() : 0;
    rapidjson::MemoryStream in(text.data() + bom, text.size() - bom);
    rapidjson::Reader reader;
    auto err = populate<rapidjson::kParseDefaultFlags>(in, text.size() - bom, out, reader);
    if (err) err->offset += bom;
    return err;
}

std::optional<ParseError> parse_insitu(char* text, size_t size, Doc& out) {
    rapidjson::Reader reader;
    return parse_insitu(text, size, out, reader);
}

std::optional<ParseError> parse_insitu(char* text, size_t size, Doc& out, rapidjson::Reader& reader) {
    rapidjson::InsituStringStream in(text);
    return populate<rapidjson::kParseInsituFlag>(in, size, out, reader);
}

std::string describe(const ParseError& e) {
    if (e.too_deep) return "JSON nesting deeper than " + std::to_string(kMaxDepth) + " levels";
    return "invalid JSON at offset " + std::to_string(e.offset) + ": " + e.reason;
}

}  // namespace llmgw::json
