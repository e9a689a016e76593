// A third-party credential plugin built only from the installed headers, with the C++ helper.
#include <boxtool/credential_plugin.hpp>

namespace {
class FixedSource : public boxtool_plugin::CredentialSource {
  public:
    explicit FixedSource(const boxtool_plugin::Host&) {}
    boxtool_plugin::Status get(std::string_view registry, std::string_view,
                               boxtool_plugin::Answer& answer) override {
        if (registry != "fixed.example") return boxtool_plugin::Status::NotFound;
        answer.username = "fixed";
        answer.password = "fixed-pass";
        return boxtool_plugin::Status::Found;
    }
};
}  // namespace

BOXTOOL_CREDENTIAL_PLUGIN(FixedSource, "third-party", "1.0")
