// Loading, checking and reloading the server's TLS certificate: see tls_certificate.hpp.
#include "net/tls_certificate.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace switchboard::net {

namespace ssl = boost::asio::ssl;

struct TlsCertificate::Loaded {
  std::shared_ptr<ssl::context> context;
  std::string leaf_der;
  std::string description;
};

namespace {

std::string read_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    throw TlsError("Cannot read the TLS " + std::string(what) + " file '" + path +
                   "': " + std::strerror(error));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// OpenSSL's reason for the last failure, without the error-queue noise.
std::string openssl_reason(const boost::system::error_code& ec) {
  ERR_clear_error();
  const std::string message = ec.message();
  return message.empty() ? "unknown error" : message;
}

std::string serial_of(X509* cert) {
  const ASN1_INTEGER* serial = X509_get0_serialNumber(cert);
  BIGNUM* number = ASN1_INTEGER_to_BN(serial, nullptr);
  if (!number) return "?";
  char* hex = BN_bn2hex(number);
  std::string out = hex ? hex : "?";
  OPENSSL_free(hex);
  BN_free(number);
  return out;
}

std::string subject_of(X509* cert) {
  char buffer[256] = {};
  X509_NAME_oneline(X509_get_subject_name(cert), buffer, sizeof buffer);
  return buffer;
}

}  // namespace

TlsCertificate::TlsCertificate(std::string cert_file, std::string key_file)
    : cert_file_(std::move(cert_file)), key_file_(std::move(key_file)) {
  auto loaded = std::make_shared<Loaded>();
  const std::string chain = read_file(cert_file_, "certificate");
  const std::string key = read_file(key_file_, "key");
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  bool mismatch = false;
  context->use_certificate_chain(boost::asio::buffer(chain), ec);
  if (ec)
    throw TlsError("The TLS certificate file '" + cert_file_ +
                   "' holds no usable PEM certificate: " + openssl_reason(ec));
  context->use_private_key(boost::asio::buffer(key), ssl::context::pem, ec);
  // OpenSSL checks the key against the certificate as it takes it.
  if (ec && ec.category() == boost::asio::error::get_ssl_category() &&
      ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_VALUES_MISMATCH)
    ec = {}, mismatch = true;
  if (ec)
    throw TlsError("The TLS key file '" + key_file_ +
                   "' holds no usable PEM private key: " + openssl_reason(ec));
  if (mismatch || SSL_CTX_check_private_key(context->native_handle()) != 1) {
    ERR_clear_error();
    throw TlsError("The TLS key file '" + key_file_ + "' does not match the certificate in '" +
                   cert_file_ + "'");
  }
  X509* leaf = SSL_CTX_get0_certificate(context->native_handle());
  unsigned char* der = nullptr;
  const int size = leaf ? i2d_X509(leaf, &der) : -1;
  if (size <= 0) {
    ERR_clear_error();
    throw TlsError("The TLS certificate file '" + cert_file_ + "' holds no usable certificate");
  }
  loaded->leaf_der.assign(reinterpret_cast<const char*>(der), static_cast<std::size_t>(size));
  OPENSSL_free(der);
  loaded->description = subject_of(leaf) + ", serial " + serial_of(leaf);
  loaded->context = std::move(context);
  current_ = std::move(loaded);
}

TlsCertificate::~TlsCertificate() = default;

std::string TlsCertificate::reload() {
  try {
    TlsCertificate fresh(cert_file_, key_file_);
    std::lock_guard lock(mutex_);
    current_ = std::move(fresh.current_);
    return {};
  } catch (const TlsError& e) {
    return e.what();
  }
}

std::shared_ptr<ssl::context> TlsCertificate::context() const {
  std::lock_guard lock(mutex_);
  return current_->context;
}

std::string TlsCertificate::leaf_der() const {
  std::lock_guard lock(mutex_);
  return current_->leaf_der;
}

std::string TlsCertificate::describe() const {
  std::lock_guard lock(mutex_);
  return current_->description;
}

}  // namespace switchboard::net
