#include "trust/strict_json.hpp"

#include <Poco/Exception.h>
#include <Poco/JSON/Handler.h>
#include <Poco/JSON/Parser.h>

namespace boxtool::trust {
namespace {

constexpr std::size_t kMaxDepth = 64;

// Builds a Json tree from Poco's parse events, refusing a key an object already has.
class TreeBuilder final : public Poco::JSON::Handler {
  public:
    void reset() override {
        root_ = Json{};
        stack_.clear();
        pending_key_.clear();
        have_root_ = false;
    }
    void startObject() override { open(Json::Type::Object); }
    void endObject() override { close(); }
    void startArray() override { open(Json::Type::Array); }
    void endArray() override { close(); }
    void key(const std::string& k) override {
        Json* object = stack_.back();
        for (const auto& [name, value] : object->members)
            if (name == k) throw JsonError("duplicate key \"" + k + "\"");
        pending_key_ = k;
    }
    void null() override { add(Json{}); }
    void value(int v) override { add(number(static_cast<double>(v), true)); }
    void value(unsigned v) override { add(number(static_cast<double>(v), true)); }
    void value(Poco::Int64 v) override { add(number(static_cast<double>(v), true)); }
    void value(Poco::UInt64 v) override { add(number(static_cast<double>(v), true)); }
    void value(double d) override { add(number(d, false)); }
    void value(const std::string& s) override {
        Json j;
        j.type = Json::Type::String;
        j.text = s;
        add(std::move(j));
    }
    void value(bool b) override {
        Json j;
        j.type = Json::Type::Bool;
        j.boolean = b;
        add(std::move(j));
    }

    Json take() {
        if (!have_root_) throw JsonError("no JSON value");
        return std::move(root_);
    }

  private:
    static Json number(double d, bool integral) {
        Json j;
        j.type = Json::Type::Number;
        j.number = d;
        j.integral = integral;
        return j;
    }
    Json* add(Json value) {
        if (stack_.empty()) {
            if (have_root_) throw JsonError("unexpected data after the JSON document");
            root_ = std::move(value);
            have_root_ = true;
            return &root_;
        }
        Json* parent = stack_.back();
        if (parent->type == Json::Type::Array) {
            parent->items.push_back(std::move(value));
            return &parent->items.back();
        }
        parent->members.push_back(JsonMember{pending_key_, std::move(value)});
        return &parent->members.back().second;
    }
    void open(Json::Type type) {
        if (stack_.size() >= kMaxDepth) throw JsonError("JSON nested deeper than 64 levels");
        Json j;
        j.type = type;
        stack_.push_back(add(std::move(j)));
    }
    void close() {
        if (!stack_.empty()) stack_.pop_back();
    }

    Json root_;
    bool have_root_ = false;
    std::vector<Json*> stack_;  // pointers stay valid: a container is only appended to while open
    std::string pending_key_;
};

}  // namespace

const char* type_name(Json::Type type) noexcept {
    switch (type) {
        case Json::Type::Null:
            return "null";
        case Json::Type::Bool:
            return "boolean";
        case Json::Type::Number:
            return "number";
        case Json::Type::String:
            return "string";
        case Json::Type::Array:
            return "array";
        case Json::Type::Object:
            return "object";
    }
    return "value";
}

Json parse_json(std::string_view text) {
    // Poco tolerates a NUL as the end of the text; a document with one is not what it seems.
    if (text.find('\0') != std::string_view::npos) throw JsonError("the text contains a NUL byte");
    Poco::SharedPtr<TreeBuilder> builder = new TreeBuilder;
    Poco::JSON::Parser parser(builder);
    parser.setDepth(kMaxDepth + 1);
    try {
        parser.parse(std::string(text));
    } catch (const JsonError&) {
        throw;
    } catch (const Poco::Exception& e) {
        throw JsonError(e.displayText());
    } catch (const std::exception& e) {
        throw JsonError(e.what());
    }
    return builder->take();
}

StrictObject::StrictObject(const Json& value, std::string where) : object_(value), where_(std::move(where)) {
    if (!value.is(Json::Type::Object))
        throw JsonError(where_ + " must be a JSON object, not " + type_name(value.type));
    used_.assign(value.members.size(), false);
}

const Json* StrictObject::find(std::string_view key) {
    for (std::size_t i = 0; i < object_.members.size(); ++i)
        if (object_.members[i].first == key) {
            used_[i] = true;
            return &object_.members[i].second;
        }
    return nullptr;
}

const Json& StrictObject::require(std::string_view key) {
    const Json* v = find(key);
    if (!v) fail("key \"" + std::string(key) + "\" is missing");
    return *v;
}

std::string StrictObject::string(std::string_view key, bool* present) {
    const Json* v = find(key);
    if (present) *present = v != nullptr;
    if (!v) return {};
    if (!v->is(Json::Type::String))
        fail("\"" + std::string(key) + "\" must be a string, not " + type_name(v->type));
    return v->text;
}

std::string StrictObject::required_string(std::string_view key) {
    require(key);
    return string(key);
}

void StrictObject::finish() const {
    for (std::size_t i = 0; i < used_.size(); ++i)
        if (!used_[i]) fail("unknown key \"" + object_.members[i].first + "\"");
}

void StrictObject::fail(const std::string& why) const {
    throw JsonError(where_ + ": " + why);
}

}  // namespace boxtool::trust
