#include <gtest/gtest.h>

#include <Poco/AutoPtr.h>
#include <Poco/DOM/DOMParser.h>
#include <Poco/DOM/Document.h>
#include <Poco/DOM/Element.h>
#include <Poco/DOM/NodeList.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include "boxtool/checks/report.hpp"

namespace boxtool::checks {
namespace {

std::vector<CheckResult> sample() {
    std::vector<CheckResult> out;
    auto add = [&](const char* id, Level level, Outcome outcome, std::string evidence) {
        CheckResult r;
        r.info = CheckInfo{id, level, "section <&> \"quoted\"", "title", false};
        r.outcome = outcome;
        r.evidence = std::move(evidence);
        r.seconds = 0.25;
        out.push_back(r);
    };
    add("pull.ping", Level::Must, Outcome::Pass, "200");
    add("pull.manifest.get-by-digest", Level::Must, Outcome::Fail, "served <html> & \"junk\" \x01\x1b[31m");
    add("tls.expiry", Level::Boxtool, Outcome::Warn, "expires in 3 days");
    add("push.blob.chunked", Level::Must, Outcome::Skip, "a write workflow: enable with --push");
    add("pull.blob.range.bounded", Level::Should, Outcome::Fail, "ignored");
    return out;
}

TEST(Report, SummaryCountsAndRequiredFailures) {
    auto s = summarize(sample(), "reg/ns", "read-only", 1.5);
    EXPECT_EQ(s.pass, 1);
    EXPECT_EQ(s.fail, 2);
    EXPECT_EQ(s.warn, 1);
    EXPECT_EQ(s.skip, 1);
    EXPECT_EQ(s.required_failures, 1);  // the SHOULD failure does not count
}

TEST(Report, JsonEscapeKeepsControlCharactersAndDelOutAndStaysJson) {
    const std::string raw = std::string("say \"hi\"\\ \n\t\x01\x1b[31m\x7f end");
    const std::string escaped = json_escape(raw);
    for (char c : escaped) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << "raw byte " << int(c) << " in " << escaped;
    EXPECT_NE(escaped.find("\\u007f"), std::string::npos) << escaped;
    EXPECT_NE(escaped.find("\\u001b"), std::string::npos) << escaped;
    Poco::JSON::Parser parser;
    auto obj = parser.parse("{\"v\":\"" + escaped + "\"}").extract<Poco::JSON::Object::Ptr>();
    EXPECT_EQ(obj->getValue<std::string>("v"), raw);
}

TEST(Report, JsonIsOneDocumentWithEveryCheck) {
    auto results = sample();
    auto json = render_json(results, summarize(results, "reg/ns", "push", 1), 1);
    auto doc = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
    EXPECT_EQ(doc->getValue<int>("exit_code"), 1);
    auto checks = doc->getArray("checks");
    ASSERT_EQ(checks->size(), results.size());
    auto second = checks->getObject(1);
    EXPECT_EQ(second->getValue<std::string>("id"), "pull.manifest.get-by-digest");
    EXPECT_EQ(second->getValue<std::string>("result"), "fail");
    EXPECT_EQ(second->getValue<std::string>("level"), "MUST");
    EXPECT_EQ(second->getValue<std::string>("evidence"), results[1].evidence);
    EXPECT_EQ(doc->getObject("summary")->getValue<int>("required_failures"), 1);
}

TEST(Report, JunitIsValidXmlWithOneTestcasePerCheck) {
    auto results = sample();
    auto xml = render_junit(results, summarize(results, "reg/ns", "push", 1));
    Poco::XML::DOMParser parser;
    Poco::AutoPtr<Poco::XML::Document> doc = parser.parseString(xml);  // throws when not well-formed
    Poco::AutoPtr<Poco::XML::NodeList> cases = doc->getElementsByTagName("testcase");
    ASSERT_EQ(cases->length(), results.size());
    Poco::AutoPtr<Poco::XML::NodeList> failures = doc->getElementsByTagName("failure");
    EXPECT_EQ(failures->length(), 2u);
    Poco::AutoPtr<Poco::XML::NodeList> skipped = doc->getElementsByTagName("skipped");
    EXPECT_EQ(skipped->length(), 1u);
    auto* second = static_cast<Poco::XML::Element*>(cases->item(1));
    EXPECT_EQ(second->getAttribute("name"), "pull.manifest.get-by-digest");
    EXPECT_EQ(second->getAttribute("classname"), "boxtool.conformance.pull");
    auto* suites = doc->documentElement();
    EXPECT_EQ(suites->getAttribute("tests"), "5");
    EXPECT_EQ(suites->getAttribute("failures"), "2");
    EXPECT_EQ(suites->getAttribute("skipped"), "1");
}

TEST(Report, TableEscapesTerminalControlCharacters) {
    auto results = sample();
    auto table = render_table(results, summarize(results, "reg/ns", "push", 1));
    EXPECT_EQ(table.find('\x1b'), std::string::npos);
    EXPECT_NE(table.find("\\x1b[31m"), std::string::npos);
    EXPECT_NE(table.find("FAIL   MUST"), std::string::npos);
    EXPECT_NE(table.find("1 required (MUST) check(s) failed"), std::string::npos);
}

TEST(Report, CatalogRenderings) {
    auto json = render_catalog_json(catalog());
    auto doc = Poco::JSON::Parser().parse(json).extract<Poco::JSON::Object::Ptr>();
    EXPECT_EQ(doc->getArray("checks")->size(), catalog().size());
    auto table = render_catalog_table(catalog());
    for (const auto& c : catalog()) EXPECT_NE(table.find(c.id), std::string::npos) << c.id;
}

}  // namespace
}  // namespace boxtool::checks
