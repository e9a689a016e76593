#include "boxtool/checks/report.hpp"

#include <cstdio>
#include <ctime>

#include "util/json_text.hpp"

namespace boxtool::checks {
namespace {

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string pad(std::string s, std::size_t width) {
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
}

std::string utc_timestamp() {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    ::gmtime_r(&now, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    return buf;
}

std::string family_of(const std::string& id) {
    auto dot = id.find('.');
    return dot == std::string::npos ? id : id.substr(0, dot);
}

}  // namespace

std::string json_escape(std::string_view text) {
    std::string quoted = util::json_quote(text);  // the one JSON string writer, without its quotes
    return quoted.substr(1, quoted.size() - 2);
}

std::string xml_escape(std::string_view text) {
    std::string out;
    for (unsigned char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                // XML 1.0 allows no control characters but tab, newline and carriage return.
                if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
                    out += '?';
                else
                    out += static_cast<char>(c);
        }
    }
    return out;
}

std::string terminal_safe(std::string_view text) {
    std::string out;
    for (unsigned char c : text) {
        if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

RunSummary summarize(const std::vector<CheckResult>& results, std::string target, std::string mode,
                     double seconds) {
    RunSummary s;
    s.target = std::move(target);
    s.mode = std::move(mode);
    s.seconds = seconds;
    for (const auto& r : results) {
        switch (r.outcome) {
            case Outcome::Pass:
                ++s.pass;
                break;
            case Outcome::Fail:
                ++s.fail;
                break;
            case Outcome::Warn:
                ++s.warn;
                break;
            case Outcome::Skip:
                ++s.skip;
                break;
        }
        if (is_required_failure(r)) ++s.required_failures;
    }
    return s;
}

std::string render_table(const std::vector<CheckResult>& results, const RunSummary& summary) {
    std::size_t id_width = 2;
    for (const auto& r : results) id_width = std::max(id_width, r.info.id.size());
    std::string out = "Conformance of " + terminal_safe(summary.target) + " (" + summary.mode + ")\n";
    out += pad("RESULT", 7) + pad("LEVEL", 8) + pad("ID", id_width + 2) + "EVIDENCE\n";
    for (const auto& r : results) {
        std::string result = to_string(r.outcome);
        for (auto& ch : result) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        out += pad(result, 7) + pad(to_string(r.info.level), 8) + pad(r.info.id, id_width + 2) +
               terminal_safe(r.evidence) + "\n";
    }
    out += "Result: " + std::to_string(summary.pass) + " pass, " + std::to_string(summary.fail) + " fail, " +
           std::to_string(summary.warn) + " warn, " + std::to_string(summary.skip) + " skip; ";
    out += summary.required_failures == 0
               ? std::string("every required (MUST) check passed")
               : std::to_string(summary.required_failures) + " required (MUST) check(s) failed";
    out += " (" + fixed(summary.seconds, 1) + " s)\n";
    return out;
}

std::string render_json(const std::vector<CheckResult>& results, const RunSummary& summary, int exit_code) {
    std::string out = "{\"target\":\"" + json_escape(summary.target) + "\",\"mode\":\"" +
                      json_escape(summary.mode) + "\",\"exit_code\":" + std::to_string(exit_code) +
                      ",\"summary\":{\"pass\":" + std::to_string(summary.pass) +
                      ",\"fail\":" + std::to_string(summary.fail) +
                      ",\"warn\":" + std::to_string(summary.warn) +
                      ",\"skip\":" + std::to_string(summary.skip) +
                      ",\"required_failures\":" + std::to_string(summary.required_failures) +
                      ",\"seconds\":" + fixed(summary.seconds, 3) + "},\"checks\":[";
    for (std::size_t i = 0; i < results.size(); ++i) {
        const auto& r = results[i];
        out += std::string(i ? "," : "") + "{\"id\":\"" + json_escape(r.info.id) + "\",\"level\":\"" +
               to_string(r.info.level) + "\",\"section\":\"" + json_escape(r.info.section) +
               "\",\"title\":\"" + json_escape(r.info.title) + "\",\"result\":\"" + to_string(r.outcome) +
               "\",\"evidence\":\"" + json_escape(r.evidence) + "\",\"seconds\":" + fixed(r.seconds, 3) + "}";
    }
    out += "]}\n";
    return out;
}

std::string render_junit(const std::vector<CheckResult>& results, const RunSummary& summary) {
    std::string cases;
    for (const auto& r : results) {
        std::string level = to_string(r.info.level);
        cases += "    <testcase classname=\"boxtool.conformance." + xml_escape(family_of(r.info.id)) +
                 "\" name=\"" + xml_escape(r.info.id) + "\" time=\"" + fixed(r.seconds, 3) + "\">\n";
        cases += "      <properties><property name=\"level\" value=\"" + level +
                 "\"/><property name=\"section\" value=\"" + xml_escape(r.info.section) +
                 "\"/></properties>\n";
        if (r.outcome == Outcome::Fail)
            cases += "      <failure type=\"" + level + "\" message=\"" + xml_escape(r.evidence) + "\">" +
                     xml_escape(r.info.title + "\n" + r.evidence) + "</failure>\n";
        else if (r.outcome == Outcome::Skip)
            cases += "      <skipped message=\"" + xml_escape(r.evidence) + "\"/>\n";
        else
            cases += "      <system-out>" +
                     xml_escape(std::string(r.outcome == Outcome::Warn ? "warning: " : "") + r.evidence) +
                     "</system-out>\n";
        cases += "    </testcase>\n";
    }
    std::string counts = "tests=\"" + std::to_string(results.size()) + "\" failures=\"" +
                         std::to_string(summary.fail) + "\" errors=\"0\" skipped=\"" +
                         std::to_string(summary.skip) + "\" time=\"" + fixed(summary.seconds, 3) + "\"";
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"boxtool conformance\" " + counts +
           ">\n  <testsuite name=\"boxtool conformance " + xml_escape(summary.target) + "\" " + counts +
           " timestamp=\"" + utc_timestamp() + "\" hostname=\"" + xml_escape(summary.target) + "\">\n" +
           cases + "  </testsuite>\n</testsuites>\n";
}

std::string render_catalog_table(const std::vector<CheckInfo>& checks) {
    std::size_t id_width = 2;
    for (const auto& c : checks) id_width = std::max(id_width, c.id.size());
    std::string out = pad("ID", id_width + 2) + pad("LEVEL", 8) + pad("WRITES", 7) + "CHECK (SECTION)\n";
    for (const auto& c : checks)
        out += pad(c.id, id_width + 2) + pad(to_string(c.level), 8) + pad(c.writes ? "push" : "", 7) +
               c.title + " (" + c.section + ")\n";
    return out;
}

std::string render_catalog_json(const std::vector<CheckInfo>& checks) {
    std::string out = "{\"checks\":[";
    for (std::size_t i = 0; i < checks.size(); ++i) {
        const auto& c = checks[i];
        out += std::string(i ? "," : "") + "{\"id\":\"" + json_escape(c.id) + "\",\"level\":\"" +
               to_string(c.level) + "\",\"section\":\"" + json_escape(c.section) + "\",\"title\":\"" +
               json_escape(c.title) + "\",\"writes\":" + (c.writes ? "true" : "false") + "}";
    }
    return out + "]}\n";
}

}  // namespace boxtool::checks
