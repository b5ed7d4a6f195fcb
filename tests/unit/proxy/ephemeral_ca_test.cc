// The run's ephemeral CA: leaves verify against it (and only against it),
// name their host, and the SPKI hash is the one Chromium's flag wants.
#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "proxy/openssl_handles.h"
#include "rotguard/recording_proxy.h"
#include "unit/temp_dir.h"

namespace rotguard {
namespace {

X509Ptr ReadPem(const std::string& pem) {
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

// X509_verify_cert of `leaf` against `ca` alone, checking `host` (name or
// IP) as a TLS client would; the error code (X509_V_OK when it passes).
int Verify(X509* leaf, X509* ca, const std::string& host, bool ip) {
  std::unique_ptr<X509_STORE, CallFree<X509_STORE_free>> store(
      X509_STORE_new());
  X509_STORE_add_cert(store.get(), ca);
  std::unique_ptr<X509_STORE_CTX, CallFree<X509_STORE_CTX_free>> ctx(
      X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), leaf, nullptr);
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_purpose(param, X509_PURPOSE_SSL_SERVER);
  if (ip) {
    X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
  } else {
    X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
  }
  X509_verify_cert(ctx.get());
  return X509_STORE_CTX_get_error(ctx.get());
}

std::unique_ptr<EphemeralCa> NewCa() {
  Result<std::unique_ptr<EphemeralCa>> ca = EphemeralCa::Create();
  EXPECT_TRUE(ca.ok()) << ca.status().ToString();
  return ca.ok() ? std::move(*ca) : nullptr;
}

TEST(EphemeralCaTest, LeafForAHostVerifiesAgainstTheCaForThatHostOnly) {
  std::unique_ptr<EphemeralCa> ca = NewCa();
  ASSERT_TRUE(ca);
  X509Ptr root = ReadPem(ca->CertPem());
  Result<std::string> pem = ca->LeafPemFor("News.Example.com");
  ASSERT_TRUE(pem.ok()) << pem.status().ToString();
  X509Ptr leaf = ReadPem(*pem);
  ASSERT_TRUE(root && leaf);
  EXPECT_EQ(Verify(leaf.get(), root.get(), "news.example.com", false),
            X509_V_OK);
  EXPECT_EQ(Verify(leaf.get(), root.get(), "other.example.com", false),
            X509_V_ERR_HOSTNAME_MISMATCH);
  EXPECT_EQ(X509_check_ca(leaf.get()), 0);  // a leaf cannot sign
}

TEST(EphemeralCaTest, LeafOfAnotherRunsCaDoesNotVerify) {
  std::unique_ptr<EphemeralCa> ca = NewCa();
  std::unique_ptr<EphemeralCa> other = NewCa();
  ASSERT_TRUE(ca && other);
  X509Ptr leaf = ReadPem(*other->LeafPemFor("a.example"));
  X509Ptr root = ReadPem(ca->CertPem());
  EXPECT_NE(Verify(leaf.get(), root.get(), "a.example", false), X509_V_OK);
  EXPECT_NE(ca->SpkiSha256Base64(), other->SpkiSha256Base64());
}

TEST(EphemeralCaTest, IpLiteralsGetAnIpSubjectAltName) {
  std::unique_ptr<EphemeralCa> ca = NewCa();
  ASSERT_TRUE(ca);
  X509Ptr root = ReadPem(ca->CertPem());
  X509Ptr v4 = ReadPem(*ca->LeafPemFor("192.0.2.7"));
  X509Ptr v6 = ReadPem(*ca->LeafPemFor("[2001:db8::1]"));
  EXPECT_EQ(Verify(v4.get(), root.get(), "192.0.2.7", true), X509_V_OK);
  EXPECT_EQ(Verify(v6.get(), root.get(), "2001:db8::1", true), X509_V_OK);
  EXPECT_NE(Verify(v4.get(), root.get(), "192.0.2.8", true), X509_V_OK);
}

TEST(EphemeralCaTest, LeavesAreCachedPerHost) {
  std::unique_ptr<EphemeralCa> ca = NewCa();
  ASSERT_TRUE(ca);
  auto a = ca->LeafFor("a.example");
  auto b = ca->LeafFor("A.EXAMPLE");
  auto c = ca->LeafFor("c.example");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->get(), b->get());
  EXPECT_NE(a->get(), c->get());
}

TEST(EphemeralCaTest, HostsThatCouldInjectCertificateFieldsAreRefused) {
  std::unique_ptr<EphemeralCa> ca = NewCa();
  ASSERT_TRUE(ca);
  for (const char* host : {"a.example,DNS:evil.example", "a b", "", "a/b",
                           "*.example.com", "a\nb"}) {
    EXPECT_FALSE(ca->LeafFor(host).ok()) << host;
  }
}

TEST(EphemeralCaTest, SpkiHashEqualsTheOpensslCommandLinePipeline) {
  std::unique_ptr<EphemeralCa> ca = NewCa();
  ASSERT_TRUE(ca);
  testing::TempDir dir;
  const std::string pem = (dir.path() / "ca.pem").string();
  ASSERT_TRUE(ca->WriteCertPem(pem).ok());
  // round2.md §5: the value --ignore-certificate-errors-spki-list takes.
  const std::string cmd =
      "openssl x509 -in " + pem +
      " -pubkey -noout | openssl pkey -pubin -outform der | "
      "openssl dgst -sha256 -binary | openssl enc -base64";
  FILE* out = ::popen(cmd.c_str(), "r");
  ASSERT_NE(out, nullptr);
  char line[256] = {};
  ASSERT_NE(std::fgets(line, sizeof line, out), nullptr);
  ASSERT_EQ(::pclose(out), 0);
  std::string expected(line);
  while (!expected.empty() && expected.back() == '\n') expected.pop_back();
  EXPECT_EQ(ca->SpkiSha256Base64(), expected);
  std::ifstream written(pem);
  std::string first;
  std::getline(written, first);
  EXPECT_EQ(first, "-----BEGIN CERTIFICATE-----");  // no key in the file
}

}  // namespace
}  // namespace rotguard
