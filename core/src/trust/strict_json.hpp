// JSON for security documents (policies, signature payloads), read the way containers/image reads
// them: a duplicated key, an unknown key or a value of the wrong type is an error, never ignored.
// Poco's parser does the tokenizing; the document is built here so duplicates can be caught.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boxtool::trust {

class JsonError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct JsonMember;

struct Json {
    enum class Type { Null, Bool, Number, String, Array, Object };
    Type type = Type::Null;
    bool boolean = false;
    double number = 0;
    bool integral = false;  // the number was written without fraction or exponent
    std::string text;
    std::vector<Json> items;
    std::vector<JsonMember> members;  // in document order

    bool is(Type t) const noexcept { return type == t; }
};

// A key and its value; `first` and `second` as in a map, so members bind as [name, value].
struct JsonMember {
    std::string first;
    Json second;
};

// "object", "string", ... for messages.
const char* type_name(Json::Type type) noexcept;

// One JSON document. Duplicate keys, data after the document and nesting deeper than 64 levels
// throw JsonError.
Json parse_json(std::string_view text);

// Reads an object's members by name, then finish() refuses any member nobody asked for. `where`
// names the object in messages, e.g. `transports.docker["quay.io"][0]`.
class StrictObject {
  public:
    StrictObject(const Json& value, std::string where);
    const std::string& where() const noexcept { return where_; }
    // The member, or nullptr when absent.
    const Json* find(std::string_view key);
    const Json& require(std::string_view key);
    // A string member; absent: nullopt-like empty with `present` false.
    std::string string(std::string_view key, bool* present = nullptr);
    std::string required_string(std::string_view key);
    // Throws naming the first member that was never asked for.
    void finish() const;
    [[noreturn]] void fail(const std::string& why) const;

  private:
    const Json& object_;
    std::string where_;
    std::vector<bool> used_;
};

}  // namespace boxtool::trust
