// A credential plugin of one's own: registry passwords from a netrc-style file
// ("machine HOST login USER password SECRET" per line), named by the "file" setting:
//
//   {"plugin": "netrc", "file": "/etc/app/registries.netrc"}
//
// Built with the installed SDK only (boxtool/credential_plugin.hpp, C++17, header-only).
#include <boxtool/credential_plugin.hpp>

#include <fstream>
#include <sstream>

namespace {

// The one setting this plugin takes, from the settings JSON the host hands to create(). A real
// plugin would use a JSON library; this example keeps to the standard library.
std::string file_setting(const std::string& json) {
    auto key = json.find("\"file\"");
    if (key == std::string::npos) throw std::runtime_error("the netrc plugin needs a \"file\" setting");
    auto open = json.find('"', json.find(':', key) + 1);
    auto close = json.find('"', open + 1);
    if (open == std::string::npos || close == std::string::npos)
        throw std::runtime_error("the \"file\" setting must be a string");
    return json.substr(open + 1, close - open - 1);
}

class NetrcSource final : public boxtool_plugin::CredentialSource {
  public:
    explicit NetrcSource(const boxtool_plugin::Host& host) : file_(file_setting(host.settings_json())) {}

    boxtool_plugin::Status get(std::string_view registry, std::string_view,
                               boxtool_plugin::Answer& answer) override {
        std::ifstream in(file_);
        if (!in) throw std::runtime_error("cannot read " + file_);  // an error, not "not found"
        std::string line;
        while (std::getline(in, line)) {
            std::istringstream words(line);
            std::string key, machine, login, password;
            std::string k1, k2;
            if (!(words >> key >> machine >> k1 >> login >> k2 >> password)) continue;
            if (key != "machine" || k1 != "login" || k2 != "password" || machine != registry) continue;
            answer.username = login;
            answer.password = password;
            answer.source = "netrc (" + file_ + ", machine " + machine + ")";
            boxtool_plugin::wipe(password);
            return boxtool_plugin::Status::Found;
        }
        return boxtool_plugin::Status::NotFound;
    }
    std::string describe() const override { return file_; }

  private:
    std::string file_;
};

}  // namespace

BOXTOOL_CREDENTIAL_PLUGIN(NetrcSource, "netrc", "1.0")
