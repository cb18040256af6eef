// Test-only: a throwaway CA, a server certificate for 127.0.0.1/localhost and a client
// certificate, made with the `openssl` CLI (scripts/install-deps.sh installs it) in a fresh
// temporary directory. Header-only; link nothing.
#pragma once

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace th::testing {

struct TestCerts {
  std::string dir;
  std::string ca_cert, server_cert, server_key, client_cert, client_key;  // paths
  bool ok = false;

  static std::string Read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  static TestCerts Make() {
    TestCerts c;
    char tmpl[] = "/tmp/th-certs-XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) return c;
    c.dir = tmpl;
    c.ca_cert = c.dir + "/ca.crt";
    c.server_cert = c.dir + "/server.crt";
    c.server_key = c.dir + "/server.key";
    c.client_cert = c.dir + "/client.crt";
    c.client_key = c.dir + "/client.key";
    std::string d = c.dir;
    std::string script =
        "set -e; cd '" + d + "';"
        "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 2 "
        "-subj /CN=tracehouse-test-ca 2>/dev/null;"
        "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost' > server.ext;"
        "openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
        "-subj /CN=localhost 2>/dev/null;"
        "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial "
        "-out server.crt -days 2 -extfile server.ext 2>/dev/null;"
        "openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr "
        "-subj /CN=client 2>/dev/null;"
        "openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial "
        "-out client.crt -days 2 2>/dev/null";
    c.ok = std::system(("bash -c \"" + script + "\"").c_str()) == 0;
    return c;
  }

  ~TestCerts() {
    if (!dir.empty()) std::system(("rm -rf '" + dir + "'").c_str());
  }
  TestCerts() = default;
  TestCerts(TestCerts&& o) noexcept { *this = std::move(o); }
  TestCerts& operator=(TestCerts&& o) noexcept {
    dir = std::move(o.dir);
    o.dir.clear();
    ca_cert = o.ca_cert;
    server_cert = o.server_cert;
    server_key = o.server_key;
    client_cert = o.client_cert;
    client_key = o.client_key;
    ok = o.ok;
    return *this;
  }
};

}  // namespace th::testing
