#include "harness/certificates.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "harness/files.hpp"
#include "harness/process.hpp"

namespace boxtool::harness {
namespace {

void check_name(const std::string& name) {
    bool ok = !name.empty() && name[0] != '.' && std::all_of(name.begin(), name.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '.' || c == '_' || c == '-';
    });
    if (!ok) throw std::invalid_argument("certificate names are file names: " + name);
}

void openssl(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"openssl"};
    argv.insert(argv.end(), args.begin(), args.end());
    // The CLI's own config stays out of it: every command gets -config with what it needs.
    RunResult r = run(argv, {.unset_env = {"OPENSSL_CONF"}, .timeout = std::chrono::seconds(60)});
    if (r.exit_code != 0) throw std::runtime_error("openssl failed:\n" + r.describe());
}

// "/CN=<name>" for -subj, which splits at unescaped '/', '+' and '='.
std::string subject(const std::string& common_name) {
    std::string text = "/CN=";
    for (char c : common_name) {
        if (c == '/' || c == '+' || c == '=' || c == '\\') text += '\\';
        text += c;
    }
    return text;
}

// -newkey arguments for a fresh unencrypted key.
const std::vector<std::string> kNewKey = {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                          "-noenc"};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
    args.insert(args.end(), more.begin(), more.end());
    return args;
}

}  // namespace

Certificate make_certificate_authority(const std::filesystem::path& dir, const std::string& name) {
    check_name(name);
    std::filesystem::create_directories(dir);
    Certificate ca{dir / (name + ".pem"), dir / (name + ".key")};
    auto config = dir / (name + ".openssl.cnf");
    write_file(config,
               "[req]\ndistinguished_name = dn\n[dn]\n"
               "[ca_ext]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\n"
               "subjectKeyIdentifier = hash\n");
    openssl(with({"req", "-config", config.string(), "-x509"},
                 with(kNewKey, {"-keyout", ca.key.string(), "-out", ca.cert.string(), "-days", "30", "-subj",
                                subject(name), "-extensions", "ca_ext"})));
    return ca;
}

Certificate make_server_certificate(const Certificate& ca, const std::filesystem::path& dir,
                                    const std::string& name, const ServerCertificateOptions& options) {
    check_name(name);
    if (options.names.empty()) throw std::invalid_argument("a server certificate needs a name");
    std::string alt_names;
    for (const auto& entry : options.names) {
        if (entry.find(':') == std::string::npos || entry.find_first_of(",\n") != std::string::npos)
            throw std::invalid_argument("not a subjectAltName entry: " + entry);
        alt_names += (alt_names.empty() ? "" : ",") + entry;
    }
    const std::string common_name = options.names.front().substr(options.names.front().find(':') + 1);

    // `openssl ca` rather than `openssl x509 -req`: only it sets arbitrary validity dates.
    std::filesystem::create_directories(dir);
    Certificate cert{dir / (name + ".pem"), dir / (name + ".key")};
    auto work = dir / (name + ".openssl");
    std::filesystem::create_directories(work);
    auto config = work / "openssl.cnf";
    write_file(work / "index.txt", "");
    write_file(config,
               "[req]\ndistinguished_name = dn\n[dn]\n"
               "[ca]\ndefault_ca = issuer\n"
               "[issuer]\ndatabase = " +
                   (work / "index.txt").string() + "\nnew_certs_dir = " + work.string() +
                   "\nserial = " + (work / "serial").string() +
                   "\ndefault_md = sha256\npolicy = any\nunique_subject = no\n"
                   "[any]\ncommonName = supplied\n"
                   "[server_ext]\nbasicConstraints = critical,CA:FALSE\n"
                   "keyUsage = critical,digitalSignature\nextendedKeyUsage = " +
                   options.usage +
                   "\n"
                   "subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid\n"
                   "subjectAltName = " +
                   alt_names + "\n");
    auto request = work / "request.csr";
    openssl(with({"req", "-config", config.string(), "-new"},
                 with(kNewKey, {"-keyout", cert.key.string(), "-out", request.string(), "-subj",
                                subject(common_name)})));
    std::vector<std::string> validity = {"-days", std::to_string(options.days)};
    if (options.expired) validity = {"-startdate", "20200101000000Z", "-enddate", "20200102000000Z"};
    openssl(with({"ca", "-config", config.string(), "-batch", "-notext", "-create_serial", "-cert",
                  ca.cert.string(), "-keyfile", ca.key.string(), "-in", request.string(), "-out",
                  cert.cert.string(), "-extensions", "server_ext"},
                 validity));
    return cert;
}

Certificate make_client_certificate(const Certificate& ca, const std::filesystem::path& dir,
                                    const std::string& name) {
    return make_server_certificate(ca, dir, name, {.names = {"DNS:" + name}, .usage = "clientAuth"});
}

}  // namespace boxtool::harness
