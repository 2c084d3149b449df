// Unit tests for net::TlsCertificate: loading a certificate chain and key, the error messages that
// name the file at fault, and reloading (a good pair replaces the certificate, a bad one leaves
// it; a context taken before a reload stays usable). Keys and certificates are made here with
// OpenSSL.
#include "net/tls_certificate.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <boost/asio/ssl/context.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>

namespace switchboard::net {
namespace {

namespace fs = std::filesystem;

struct Pair {
  std::string cert_pem;
  std::string key_pem;
};

// A self-signed certificate for localhost with this serial, and its key.
Pair make_pair(long serial) {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  X509* cert = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert), 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert, name);
  X509_sign(cert, key, EVP_sha256());
  Pair pair;
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  pair.cert_pem.assign(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  size = BIO_get_mem_data(bio, &data);
  pair.key_pem.assign(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  X509_free(cert);
  EVP_PKEY_free(key);
  return pair;
}

class TlsCertificateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sb-tls-unit-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    const auto path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  std::string error_of(const std::string& cert, const std::string& key) {
    try {
      TlsCertificate loaded(cert, key);
    } catch (const TlsError& e) {
      return e.what();
    }
    return "";
  }
  fs::path dir_;
};

TEST_F(TlsCertificateTest, LoadsAMatchingPairAndDescribesIt) {
  const auto pair = make_pair(0x1001);
  TlsCertificate tls(write("c.pem", pair.cert_pem), write("k.pem", pair.key_pem));
  EXPECT_NE(tls.context(), nullptr);
  EXPECT_FALSE(tls.leaf_der().empty());
  EXPECT_NE(tls.describe().find("CN=localhost"), std::string::npos) << tls.describe();
  EXPECT_NE(tls.describe().find("serial 1001"), std::string::npos) << tls.describe();
}

TEST_F(TlsCertificateTest, ErrorsNameTheFileAtFault) {
  const auto pair = make_pair(1);
  const auto other = make_pair(2);
  const auto cert = write("c.pem", pair.cert_pem);
  const auto key = write("k.pem", pair.key_pem);
  const auto missing = (dir_ / "missing.pem").string();
  EXPECT_EQ(error_of(missing, key),
            "Cannot read the TLS certificate file '" + missing + "': No such file or directory");
  EXPECT_EQ(error_of(cert, missing),
            "Cannot read the TLS key file '" + missing + "': No such file or directory");
  EXPECT_EQ(error_of(key, key).rfind(
                "The TLS certificate file '" + key + "' holds no usable PEM certificate: ", 0),
            0u)
      << error_of(key, key);
  EXPECT_EQ(error_of(cert, cert)
                .rfind("The TLS key file '" + cert + "' holds no usable PEM private key: ", 0),
            0u)
      << error_of(cert, cert);
  const auto other_key = write("other.pem", other.key_pem);
  EXPECT_EQ(error_of(cert, other_key), "The TLS key file '" + other_key +
                                           "' does not match the certificate in '" + cert + "'");
}

TEST_F(TlsCertificateTest, ReloadSwapsForNewContextsAndKeepsTheCurrentOnFailure) {
  const auto first = make_pair(0x1001);
  const auto second = make_pair(0x2002);
  const auto cert = write("c.pem", first.cert_pem);
  const auto key = write("k.pem", first.key_pem);
  TlsCertificate tls(cert, key);
  const auto first_der = tls.leaf_der();
  auto held = tls.context();  // a connection's context, taken before the reload

  write("c.pem", second.cert_pem);
  write("k.pem", second.key_pem);
  EXPECT_EQ(tls.reload(), "");
  EXPECT_NE(tls.leaf_der(), first_der);
  EXPECT_NE(tls.describe().find("serial 2002"), std::string::npos) << tls.describe();
  EXPECT_NE(tls.context(), held);
  EXPECT_NE(SSL_CTX_get0_certificate(held->native_handle()), nullptr) << "the old context lives on";

  const auto second_der = tls.leaf_der();
  write("c.pem", "garbage\n");
  EXPECT_EQ(tls.reload().rfind("The TLS certificate file '" + cert + "' holds no usable", 0), 0u);
  EXPECT_EQ(tls.leaf_der(), second_der);
  write("c.pem", first.cert_pem);  // with the second key: a mismatch
  EXPECT_NE(tls.reload().find("does not match"), std::string::npos);
  EXPECT_EQ(tls.leaf_der(), second_der);
}

}  // namespace
}  // namespace switchboard::net
