#include "harness/request_log.hpp"

#include <cctype>
#include <fstream>
#include <regex>
#include <sstream>

namespace boxtool::harness {

std::vector<LoggedRequest> parse_access_log(const std::filesystem::path& log) {
    static const std::regex line_re(R"re("([A-Z]+) (\S+) HTTP/[0-9.]+" ([0-9]{3}) )re");
    std::vector<LoggedRequest> requests;
    std::ifstream in(log);
    std::smatch m;
    for (std::string line; std::getline(in, line);) {
        if (std::regex_search(line, m, line_re)) requests.push_back({m[1], m[2], std::stoi(m[3])});
    }
    return requests;
}

std::vector<LoggedRequest> parse_proxy_log(const std::filesystem::path& log) {
    std::vector<LoggedRequest> requests;
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) {
        std::istringstream fields(line);
        LoggedRequest request;
        if (!(fields >> request.method >> request.path >> request.status)) continue;
        for (std::string word; fields >> word;) {
            auto eq = word.find('=');
            if (eq == std::string::npos) {
                request.fault = word;
            } else if (word.compare(0, eq, "conn") == 0) {
                request.connection = word.substr(eq + 1);
            } else if (word.compare(0, eq, "auth") == 0) {
                request.authorization = word.substr(eq + 1) == "yes";
            } else if (word.compare(0, eq, "range") == 0 && eq + 1 < word.size() &&
                       std::isdigit(static_cast<unsigned char>(word[eq + 1]))) {
                request.range_start = std::stoll(word.substr(eq + 1));
            }
        }
        requests.push_back(request);
    }
    return requests;
}

int count_matching(const std::vector<LoggedRequest>& requests, std::string_view method,
                   const std::string& path_regex) {
    const std::regex re(path_regex);
    int count = 0;
    for (const auto& r : requests) {
        if ((method.empty() || r.method == method) && std::regex_search(r.path, re)) ++count;
    }
    return count;
}

}  // namespace boxtool::harness
