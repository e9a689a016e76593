#include "compose/interpolation.hpp"

#include <gtest/gtest.h>

#include <map>

namespace boxtool::cli::compose {
namespace {

const std::map<std::string, std::string> kVars = {{"TAG", "1.25"}, {"EMPTY", ""}, {"HOST", "reg:5000"}};

std::optional<std::string> lookup(const std::string& name) {
    if (auto it = kVars.find(name); it != kVars.end()) return it->second;
    return std::nullopt;
}

std::string expand(const std::string& text) {
    return interpolate(text, lookup);
}

std::string error_of(const std::string& text) {
    try {
        interpolate(text, lookup);
    } catch (const InterpolationError& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(Interpolation, PlainAndBracedVariables) {
    EXPECT_EQ(expand("nginx:${TAG}"), "nginx:1.25");
    EXPECT_EQ(expand("nginx:$TAG"), "nginx:1.25");
    EXPECT_EQ(expand("${HOST}/app:$TAG-slim"), "reg:5000/app:1.25-slim");
    EXPECT_EQ(expand("no variables"), "no variables");
    std::vector<std::string> unset;
    EXPECT_EQ(interpolate("x${MISSING}y$ALSO_MISSING", lookup, &unset), "xy");
    EXPECT_EQ(unset, (std::vector<std::string>{"MISSING", "ALSO_MISSING"}));
}

TEST(Interpolation, DefaultsForUnsetOrEmpty) {
    EXPECT_EQ(expand("${MISSING:-3.19}"), "3.19");
    EXPECT_EQ(expand("${EMPTY:-3.19}"), "3.19");  // ':-' also replaces an empty value
    EXPECT_EQ(expand("${TAG:-3.19}"), "1.25");
    EXPECT_EQ(expand("${MISSING-3.19}"), "3.19");
    EXPECT_EQ(expand("${EMPTY-3.19}"), "");  // '-' keeps an empty value
    EXPECT_EQ(expand("${MISSING:-}"), "");
    EXPECT_EQ(expand("${MISSING:-${HOST}/x}"), "reg:5000/x");  // nested
    EXPECT_EQ(expand("${MISSING:-${ALSO:-deep}}"), "deep");
}

TEST(Interpolation, RequiredVariables) {
    EXPECT_EQ(expand("${TAG:?need a tag}"), "1.25");
    EXPECT_EQ(error_of("${MISSING:?set MISSING to the release}"),
              "required variable MISSING is missing a value: set MISSING to the release");
    EXPECT_EQ(error_of("${EMPTY:?}"), "required variable EMPTY is missing a value");
    EXPECT_EQ(expand("${EMPTY?}"), "");  // '?' accepts an empty value
    EXPECT_EQ(error_of("${MISSING?gone}"), "required variable MISSING is missing a value: gone");
}

TEST(Interpolation, Replacements) {
    EXPECT_EQ(expand("${TAG:+-debug}"), "-debug");
    EXPECT_EQ(expand("${EMPTY:+-debug}"), "");
    EXPECT_EQ(expand("${EMPTY+-debug}"), "-debug");
    EXPECT_EQ(expand("${MISSING+-debug}"), "");
}

TEST(Interpolation, DollarDollarIsALiteralDollar) {
    EXPECT_EQ(expand("price: $$5"), "price: $5");
    EXPECT_EQ(expand("$${TAG}"), "${TAG}");
    EXPECT_EQ(expand("$$$TAG"), "$1.25");
}

TEST(Interpolation, MalformedTemplatesAreErrors) {
    EXPECT_NE(error_of("${TAG").find("never closed"), std::string::npos);
    EXPECT_NE(error_of("${}").find("variable name"), std::string::npos);
    EXPECT_NE(error_of("${1X}").find("variable name"), std::string::npos);
    EXPECT_NE(error_of("${TAG:}").find("ends after ':'"), std::string::npos);
    EXPECT_NE(error_of("${TAG/x/y}").find("unknown operator"), std::string::npos);
    EXPECT_NE(error_of("cost $5").find("$$"), std::string::npos);
    EXPECT_NE(error_of("end $").find("$$"), std::string::npos);
}

}  // namespace
}  // namespace boxtool::cli::compose
