#include "output_format.hpp"

#include <gtest/gtest.h>

#include "args.hpp"

namespace boxtool::cli {
namespace {

const std::string kDoc = R"({"digest":"sha256:abc","tags":["a","b"],"empty":[],
  "config":{"architecture":"arm64","env":["A=1","B=2"],"labels":{"x.y":"z","k":"v"}},
  "manifest":{"layers":[{"digest":"d0"},{"digest":"d/1"}]}})";

TEST(RenderFormat, FieldsAreCaseInsensitiveAndFallBackToConfig) {
    EXPECT_EQ(render_format("{{.Digest}}", kDoc), "sha256:abc");
    EXPECT_EQ(render_format("{{.digest}} {{.Architecture}}", kDoc), "sha256:abc arm64");
    EXPECT_EQ(render_format("{{.Config.Env}}", kDoc), "[A=1 B=2]");
    EXPECT_EQ(render_format("{{.Labels}}", kDoc), "map[k:v x.y:z]");
}

TEST(RenderFormat, FunctionsAndRange) {
    EXPECT_EQ(render_format("{{json .Tags}}", kDoc), "[\"a\",\"b\"]");
    EXPECT_EQ(render_format("{{index .Labels \"x.y\"}}", kDoc), "z");
    EXPECT_EQ(render_format("{{index .Tags \"1\"}}", kDoc), "b");
    EXPECT_EQ(render_format("{{join .Env \";\"}}", kDoc), "A=1;B=2");
    EXPECT_EQ(render_format("{{range .Tags}}[{{.}}]{{end}}!", kDoc), "[a][b]!");
    EXPECT_EQ(render_format("{{range .Empty}}x{{end}}done", kDoc), "done");
    EXPECT_EQ(render_format("a\\tb\\n", kDoc), "a\tb\n");
}

TEST(RenderFormat, JsonPointers) {
    EXPECT_EQ(render_format("/config/architecture", kDoc), "arm64");
    EXPECT_EQ(render_format("/manifest/layers/1/digest", kDoc), "d/1");
    EXPECT_EQ(render_format("/tags", kDoc), "[\"a\",\"b\"]");
    EXPECT_EQ(render_format("/config/labels/x.y", kDoc), "z");
}

TEST(RenderFormat, MistakesAreUsageErrors) {
    for (const char* bad : {"{{.Nope}}", "{{.Digest", "{{range .Tags}}", "{{end}}", "/nope", "/tags/9",
                            "/tags/x", "{{index .Labels}}", "{{join .Digest \",\"}}", ""})
        EXPECT_THROW(render_format(bad, kDoc), UsageError) << bad;
}

}  // namespace
}  // namespace boxtool::cli
