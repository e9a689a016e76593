// Flag parsing for the subcommands: "--flag value", "--flag=value", repeatable flags, positionals.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace boxtool::cli {

struct FlagSpec {
    std::set<std::string> with_value;  // e.g. "--registry"
    std::set<std::string> switches;    // e.g. "--password-stdin", "-q"
};

class Args {
  public:
    // Throws UsageError on an unknown flag or a missing value.
    Args(const std::vector<std::string>& argv, const FlagSpec& spec);

    const std::vector<std::string>& positionals() const { return positionals_; }
    std::vector<std::string> all(const std::string& flag) const;
    std::optional<std::string> last(const std::string& flag) const;
    bool has(const std::string& flag) const;

  private:
    std::multimap<std::string, std::string> values_;
    std::vector<std::string> order_;
    std::vector<std::string> positionals_;
};

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace boxtool::cli
