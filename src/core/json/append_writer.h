// Writes JSON onto the end of a std::string (a stream's output buffer), with no intermediate
// string: rapidjson::Writer over a sink that appends. The writer and its level stack are kept
// between uses, so once its owner is warm a write allocates nothing unless `out` must grow.
#pragma once
#include <rapidjson/document.h>
#include <rapidjson/writer.h>

#include <string>

namespace llmgw::json {

class AppendWriter {
public:
    struct Sink {
        using Ch = char;
        std::string* out = nullptr;
        void Put(char c) { out->push_back(c); }
        void Flush() {}
    };
    using Writer = rapidjson::Writer<Sink>;

    AppendWriter() : writer_(sink_) {}
    AppendWriter(const AppendWriter&) = delete;
    AppendWriter& operator=(const AppendWriter&) = delete;

    // A writer for one JSON value appended to `out` (SAX calls: StartObject, Key, ...).
    Writer& begin(std::string& out) {
        sink_.out = &out;
        writer_.Reset(sink_);
        return writer_;
    }
    // `v` rendered compactly onto the end of `out`.
    void write(const rapidjson::Value& v, std::string& out) { v.Accept(begin(out)); }

private:
    Sink sink_;
    Writer writer_;
};

}  // namespace llmgw::json
