#include <catch2/catch.hpp>

#include "core/base/query_string.h"

using namespace llmgw;

TEST_CASE("query string: values are percent-decoded, names kept as sent, empty items skipped", "[query]") {
    std::string bad;
    auto q = parse_query("limit=5&&after_id=a%2Fb%20c&flag&empty=", &bad);
    REQUIRE(q);
    REQUIRE(q->size() == 4);
    CHECK((*q)[0].name == "limit");
    CHECK((*q)[0].value == "5");
    CHECK((*q)[1].name == "after_id");
    CHECK((*q)[1].value == "a/b c");
    CHECK((*q)[2].name == "flag");
    CHECK((*q)[2].value.empty());
    CHECK((*q)[3].name == "empty");
    CHECK((*q)[3].value.empty());
    CHECK(bad.empty());
}

TEST_CASE("query string: a value that is not valid percent-encoding names its parameter", "[query]") {
    std::string bad;
    CHECK_FALSE(parse_query("limit=5&after=%zz", &bad));
    CHECK(bad == "after");
    CHECK_FALSE(parse_query("x=%00", &bad));  // an encoded NUL is refused
    CHECK(bad == "x");
    CHECK_FALSE(parse_query(std::string(500, 'n') + "=%", &bad));
    CHECK(bad.size() == kMaxQueryNameEcho);
}

TEST_CASE("query string: integers are whole decimal numbers within the range", "[query]") {
    CHECK(integer_in_range("12", 1, 100) == 12);
    CHECK(integer_in_range("1", 1, 100) == 1);
    CHECK(integer_in_range("100", 1, 100) == 100);
    CHECK_FALSE(integer_in_range("0", 1, 100));
    CHECK_FALSE(integer_in_range("101", 1, 100));
    CHECK_FALSE(integer_in_range("", 1, 100));
    CHECK_FALSE(integer_in_range("12x", 1, 100));
    CHECK_FALSE(integer_in_range(" 12", 1, 100));
    CHECK_FALSE(integer_in_range("1e3", 1, 10000));
    CHECK_FALSE(integer_in_range("-5", 0, 100));
    CHECK_FALSE(integer_in_range("99999999999999999999", 0, INT64_MAX));
}
