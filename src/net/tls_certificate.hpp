// The server's TLS certificate and key (--tls-cert, --tls-key): PEM files read at start, checked
// (a certificate chain, a private key, and that the key belongs to the first certificate), and
// re-read on demand (SIGHUP). New connections take the context current when they start; a
// connection keeps the one it started with. A failed reload keeps the previous certificate.
#pragma once

#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

namespace boost::asio::ssl {
class context;
}

namespace switchboard::net {

// A certificate or key file that cannot be used; the message names the file and why.
class TlsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class TlsCertificate {
 public:
  // Reads and checks both files; throws TlsError naming the file at fault.
  TlsCertificate(std::string cert_file, std::string key_file);
  ~TlsCertificate();

  // Re-reads both files. On success new connections use them; on failure the current certificate
  // stays and the error is returned ("" on success).
  std::string reload();

  // The server context for a new connection (kept alive by the connection).
  std::shared_ptr<boost::asio::ssl::context> context() const;
  // The DER encoding of the current leaf certificate (for pinning it on a loopback call).
  std::string leaf_der() const;
  // A one-line description of the current leaf: subject and serial number, for the log.
  std::string describe() const;

  const std::string& cert_file() const { return cert_file_; }
  const std::string& key_file() const { return key_file_; }

 private:
  struct Loaded;
  const std::string cert_file_;
  const std::string key_file_;
  mutable std::mutex mutex_;
  std::shared_ptr<const Loaded> current_;
};

}  // namespace switchboard::net
