#include "compose/dotenv.hpp"

#include <gtest/gtest.h>

#include "boxtool/error.hpp"

namespace boxtool::cli::compose {
namespace {

std::optional<std::string> env(const std::string& name) {
    if (name == "FROM_ENV") return std::string("env-value");
    return std::nullopt;
}

Variables parse(const std::string& text) {
    return parse_dotenv(text, "/p/.env", env);
}

std::string error_of(const std::string& text) {
    try {
        parse(text);
    } catch (const Failure& f) {
        EXPECT_EQ(f.error().kind, ErrorKind::Config);
        return f.error().message;
    }
    return "(no error)";
}

TEST(Dotenv, KeysValuesCommentsAndExport) {
    auto vars = parse(
        "# settings\n"
        "TAG=1.25\n"
        "  export REGISTRY = reg.example:5000  \n"
        "\n"
        "SPACED=a b c # a comment\n"
        "EMPTY=\n"
        "URL=http://x/#anchor\n");
    EXPECT_EQ(vars.at("TAG"), "1.25");
    EXPECT_EQ(vars.at("REGISTRY"), "reg.example:5000");
    EXPECT_EQ(vars.at("SPACED"), "a b c");
    EXPECT_EQ(vars.at("EMPTY"), "");
    EXPECT_EQ(vars.at("URL"), "http://x/#anchor");
    EXPECT_EQ(vars.size(), 5u);
}

TEST(Dotenv, QuotesEscapesAndInterpolation) {
    auto vars = parse(
        "SINGLE='${NOT} $expanded # kept'\n"
        "DOUBLE=\"tab\\there \\\"q\\\" ${FROM_ENV}\"\n"
        "BASE=reg:5000\n"
        "IMAGE=${BASE}/app:${TAG:-latest}\n"
        "MULTI=\"line one\n"
        "line two\"\n"
        "AFTER=ok\n");
    EXPECT_EQ(vars.at("SINGLE"), "${NOT} $expanded # kept");
    EXPECT_EQ(vars.at("DOUBLE"), "tab\there \"q\" env-value");
    EXPECT_EQ(vars.at("IMAGE"), "reg:5000/app:latest");  // earlier keys are visible
    EXPECT_EQ(vars.at("MULTI"), "line one\nline two");
    EXPECT_EQ(vars.at("AFTER"), "ok");
}

TEST(Dotenv, ErrorsNameTheFileAndLine) {
    EXPECT_NE(error_of("OK=1\nthis is not a pair\n").find("/p/.env:2:"), std::string::npos);
    EXPECT_NE(error_of("A=\"never closed\nB=2\n").find("/p/.env:1: A: the quoted value is never closed"),
              std::string::npos);
    EXPECT_NE(error_of("\n\nX=${NEED:?set NEED}\n").find("/p/.env:3: X: required variable NEED"),
              std::string::npos);
    EXPECT_NE(error_of("A='x' trailing\n").find("after the closing quote"), std::string::npos);
}

TEST(Dotenv, EnvironmentWinsOverTheFile) {
    Variables dotenv{{"FROM_ENV", "file-value"}, {"ONLY_FILE", "file"}};
    ::setenv("BOXTOOL_DOTENV_TEST", "environment", 1);
    dotenv["BOXTOOL_DOTENV_TEST"] = "file";
    auto lookup = environment_then(dotenv);
    EXPECT_EQ(lookup("BOXTOOL_DOTENV_TEST"), "environment");
    EXPECT_EQ(lookup("ONLY_FILE"), "file");
    EXPECT_FALSE(lookup("BOXTOOL_DOTENV_NOWHERE"));
    ::unsetenv("BOXTOOL_DOTENV_TEST");
}

}  // namespace
}  // namespace boxtool::cli::compose
