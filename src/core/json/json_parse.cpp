#include "core/json/json_parse.h"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include "core/json/json_scan.h"

namespace llmgw::json {

namespace {

using Doc = rapidjson::Document;

template <unsigned Flags, typename Stream>
std::optional<ParseError> populate(Stream& in, size_t size, Doc& out, rapidjson::Reader& reader) {
    rapidjson::ParseResult result;
    bool too_deep = false, too_big = false;
    auto generate = [&](Doc& doc) {
        DepthLimited<Doc> limit(doc);
        result = reader.Parse<Flags | rapidjson::kParseIterativeFlag>(in, limit);
        too_deep = limit.too_deep();
        too_big = limit.too_big();
        return !result.IsError();
    };
    out.Populate(generate);
    std::optional<ParseError> err = parse_error(result, too_deep, too_big, in.Tell(), size);
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

std::optional<ParseError> parse_error(const rapidjson::ParseResult& result, bool too_deep, bool too_big, size_t read,
                                      size_t size) {
    if (too_deep) return ParseError{result.Offset(), "nesting deeper than " + std::to_string(kMaxDepth) + " levels", true};
    if (too_big) return ParseError{result.Offset(), rapidjson::GetParseError_En(rapidjson::kParseErrorNumberTooBig), false};
    if (result.IsError()) return ParseError{result.Offset(), rapidjson::GetParseError_En(result.Code()), false};
    if (read < size) return ParseError{read, "unexpected NUL byte", false};  // the reader takes NUL for the end
    return std::nullopt;
}

std::string describe(const ParseError& e) {
    if (e.too_deep) return "JSON nesting deeper than " + std::to_string(kMaxDepth) + " levels";
    return "invalid JSON at offset " + std::to_string(e.offset) + ": " + e.reason;
}

}  // namespace llmgw::json
