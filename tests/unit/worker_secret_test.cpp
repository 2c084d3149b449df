// Unit tests for the worker secret's proof (functions/runtime/worker_secret): the proof's value
// (a known answer, as the workers compute it), the readiness probe's challenge (fresh, and no
// secret on the probe), and which proofs the host accepts (this start's secret, this challenge,
// lower-case hex, nothing else).
#include <gtest/gtest.h>

#include <cctype>
#include <string>

#include "functions/runtime/worker_secret.hpp"

namespace {

using namespace switchboard::functions;
namespace http = boost::beast::http;

TEST(WorkerSecret, TheProofIsHmacSha256KeyedWithTheSecretsSha256InLowerCaseHex) {
  // python3: hmac.new(hashlib.sha256(b"s3cret-of-a-worker").digest(), b"challenge-1",
  //                   hashlib.sha256).hexdigest()
  EXPECT_EQ(worker_proof("s3cret-of-a-worker", "challenge-1"),
            "25c785a446537b1a5bffff203ca31e254b2deeb793205fe0b3f16be32113f8be");
}

TEST(WorkerSecret, AProbeCarriesAFreshChallengeAndNoSecret) {
  WorkerSecret secret;
  secret.renew();
  switchboard::net::Request first{http::verb::get, "/", 11};
  switchboard::net::Request second{http::verb::get, "/", 11};
  const std::string a = secret.challenge(first);
  const std::string b = secret.challenge(second);
  EXPECT_GE(a.size(), 20u);
  EXPECT_NE(a, b);
  EXPECT_EQ(first[kWorkerChallengeHeader], a);
  EXPECT_EQ(first.count(kWorkerSecretHeader), 0u);
}

TEST(WorkerSecret, OnlyThisStartsSecretAnsweringThisChallengeProvesIt) {
  WorkerSecret secret;
  const std::string old_value = secret.renew();
  const std::string value = secret.renew();
  switchboard::net::Request probe{http::verb::get, "/", 11};
  const std::string challenge = secret.challenge(probe);
  const std::string proof = worker_proof(value, challenge);
  EXPECT_TRUE(secret.proven(challenge, proof));
  EXPECT_FALSE(secret.proven(challenge, worker_proof(old_value, challenge)))
      << "the previous start's secret";
  EXPECT_FALSE(secret.proven(challenge, worker_proof(value, challenge + "x")))
      << "another challenge's proof";
  std::string upper = proof;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_FALSE(secret.proven(challenge, upper)) << "upper-case hex";
  EXPECT_FALSE(secret.proven(challenge, proof.substr(0, 32))) << "a prefix";
  EXPECT_FALSE(secret.proven(challenge, "")) << "nothing";
  EXPECT_FALSE(secret.proven(challenge, value)) << "the secret itself";
}

}  // namespace
