#include "conformance_report.hpp"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

namespace boxtool::conformance {

std::string ConformanceReport::operator[](const std::string& id) const {
    auto it = result.find(id);
    return it == result.end() ? "" : it->second;
}

std::vector<std::string> ConformanceReport::must_failures() const {
    std::vector<std::string> out;
    for (const auto& id : ids)
        if (level.at(id) == "MUST" && result.at(id) == "fail") out.push_back(id);
    return out;
}

std::string ConformanceReport::describe() const {
    std::string out = run.describe() + "\n";
    for (const auto& id : ids)
        out += id + ": " + result.at(id) + " (" + level.at(id) + "): " + evidence.at(id) + "\n";
    return out;
}

ConformanceReport run_conformance(const CliEnv& env, std::vector<std::string> args, RunOptions options) {
    args.insert(args.begin(), "conformance");
    args.push_back("--json");
    ConformanceReport report;
    report.run = env.boxtool(args, std::move(options));
    try {
        auto doc = Poco::JSON::Parser().parse(report.run.out).extract<Poco::JSON::Object::Ptr>();
        auto checks = doc->getArray("checks");
        for (std::size_t i = 0; i < checks->size(); ++i) {
            auto c = checks->getObject(static_cast<unsigned>(i));
            std::string id = c->getValue<std::string>("id");
            report.ids.push_back(id);
            report.result[id] = c->getValue<std::string>("result");
            report.level[id] = c->getValue<std::string>("level");
            report.evidence[id] = c->getValue<std::string>("evidence");
        }
        report.parsed = true;
    } catch (...) {
    }
    return report;
}

std::vector<std::string> listed_check_ids(const CliEnv& env) {
    auto r = env.boxtool({"conformance", "--list", "--json"});
    std::vector<std::string> ids;
    auto doc = Poco::JSON::Parser().parse(r.out).extract<Poco::JSON::Object::Ptr>();
    auto checks = doc->getArray("checks");
    for (std::size_t i = 0; i < checks->size(); ++i)
        ids.push_back(checks->getObject(static_cast<unsigned>(i))->getValue<std::string>("id"));
    return ids;
}

JunitSummary read_junit(const std::filesystem::path& file) {
    static const char* script = R"(
import sys, xml.etree.ElementTree as ET
try:
    root = ET.parse(sys.argv[1]).getroot()
except Exception as e:
    print("INVALID", e)
    sys.exit(0)
cases = root.findall(".//testcase")
print("VALID", len(cases), len(root.findall(".//testcase/failure")), len(root.findall(".//testcase/skipped")))
for c in cases:
    print(c.get("name"))
)";
    JunitSummary s;
    auto r = harness::run({"/usr/bin/python3", "-c", script, file.string()});
    std::istringstream in(r.out);
    std::string word;
    in >> word;
    if (word != "VALID") {
        s.error = r.out + r.err;
        return s;
    }
    s.valid = true;
    in >> s.testcases >> s.failures >> s.skipped;
    std::string name;
    while (in >> name) s.names.push_back(name);
    return s;
}

}  // namespace boxtool::conformance
