#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "core/docs/openapi.h"

using namespace llmgw;

namespace {

rapidjson::Document parse(const std::string& s) {
    rapidjson::Document d;
    d.Parse(s.c_str(), s.size());
    return d;
}

}  // namespace

TEST_CASE("openapi: every route becomes an operation, known or not", "[openapi]") {
    std::vector<ApiRoute> routes{{"/v1/models/{model}", "GET", true, false},
                                 {"/v1/messages", "POST", true, true},
                                 {"/v1/something-new", "POST", true, false}};
    auto d = parse(openapi_document(routes, {"9.9.9", "http://127.0.0.1:1", true}));
    REQUIRE(!d.HasParseError());
    CHECK(d["info"]["version"] == "9.9.9");
    const auto& model = d["paths"]["/v1/models/{model}"]["get"];
    CHECK(model["operationId"] == "retrieveModel");
    CHECK(model["parameters"][0]["name"] == "model");
    CHECK(model["parameters"][0]["in"] == "path");
    CHECK(d["paths"]["/v1/messages"]["post"]["responses"]["default"]["content"]["application/json"]["schema"]["$ref"] ==
          "#/components/schemas/AnthropicError");
    CHECK(d["paths"]["/v1/messages"]["post"]["responses"]["200"]["content"].HasMember("text/event-stream"));
    // A route added to the table before the catalogue knows it is still documented.
    const auto& fresh = d["paths"]["/v1/something-new"]["post"];
    CHECK(fresh["operationId"] == "postV1SomethingNew");
    CHECK(fresh["requestBody"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/JsonObject");
    CHECK(fresh["responses"]["default"]["content"]["application/json"]["schema"]["$ref"] ==
          "#/components/schemas/OpenAIError");
    // Every $ref names a schema the document has.
    const auto& schemas = d["components"]["schemas"];
    for (auto p = d["paths"].MemberBegin(); p != d["paths"].MemberEnd(); ++p)
        for (auto op = p->value.MemberBegin(); op != p->value.MemberEnd(); ++op)
            for (auto resp = op->value["responses"].MemberBegin(); resp != op->value["responses"].MemberEnd(); ++resp) {
                const auto& s = resp->value["content"].MemberBegin()->value["schema"];
                if (!s.HasMember("$ref")) continue;
                std::string name = std::string(s["$ref"].GetString()).substr(sizeof("#/components/schemas/") - 1);
                INFO(name);
                CHECK(schemas.HasMember(name.c_str()));
            }
}

TEST_CASE("openapi: the description says whether keys are needed", "[openapi]") {
    auto open = parse(openapi_document({{"/livez", "GET", false, false}}, {"1", "http://h", false}));
    CHECK(std::string(open["info"]["description"].GetString()).find("no API keys") != std::string::npos);
    CHECK(open["paths"]["/livez"]["get"]["security"].Size() == 0);
}
