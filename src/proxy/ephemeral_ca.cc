// EphemeralCa (rotguard/recording_proxy.h): a per-run CA made in memory
// with OpenSSL, and the leaf certificates it signs for the hosts the
// browser opens tunnels to.
#include <arpa/inet.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "proxy/openssl_handles.h"
#include "rotguard/recording_proxy.h"
#include "util/ascii.h"
#include "util/file.h"

namespace rotguard {

std::string TakeOpenSslErrors() {
  std::string text;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!text.empty()) text += "; ";
    text += buf;
  }
  return text.empty() ? "unknown OpenSSL error" : text;
}

namespace {

constexpr long kDay = 24 * 60 * 60;
// Leaves of one run: enough for every host a long page list touches;
// beyond it the cache starts again (a re-mint costs a signature).
constexpr size_t kMaxCachedLeaves = 4096;

Status SslError(const std::string& what) {
  return Status::Internal("ephemeral CA: " + what + ": " + TakeOpenSslErrors());
}

bool SetRandomSerial(X509* x) {
  unsigned char raw[16];
  if (RAND_bytes(raw, sizeof raw) != 1) return false;
  raw[0] &= 0x7f;  // positive
  std::unique_ptr<BIGNUM, CallFree<BN_free>> bn(
      BN_bin2bn(raw, sizeof raw, nullptr));
  return bn && BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x));
}

bool AddExtension(X509* subject, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, subject, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  if (!ext) return false;
  const bool ok = X509_add_ext(subject, ext, -1) == 1;
  X509_EXTENSION_free(ext);
  return ok;
}

// Version 3, random serial, validity from a day ago for 30 days, CN.
X509Ptr NewCertificate(EVP_PKEY* key, const std::string& common_name) {
  X509Ptr x(X509_new());
  if (!x || X509_set_version(x.get(), 2) != 1 || !SetRandomSerial(x.get()) ||
      !X509_gmtime_adj(X509_getm_notBefore(x.get()), -kDay) ||
      !X509_gmtime_adj(X509_getm_notAfter(x.get()), 30 * kDay) ||
      X509_set_pubkey(x.get(), key) != 1) {
    return nullptr;
  }
  X509_NAME* name = X509_get_subject_name(x.get());
  if (!common_name.empty() &&
      X509_NAME_add_entry_by_txt(
          name, "CN", MBSTRING_UTF8,
          reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
          0) != 1) {
    return nullptr;
  }
  return x;
}

std::string PemOf(X509* x) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), x) != 1) return "";
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string SpkiHash(X509* x) {
  unsigned char* der = nullptr;
  int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &der);
  if (len <= 0) return "";
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(der, static_cast<size_t>(len), digest);
  OPENSSL_free(der);
  unsigned char b64[4 * ((SHA256_DIGEST_LENGTH + 2) / 3) + 1];
  int n = EVP_EncodeBlock(b64, digest, SHA256_DIGEST_LENGTH);
  return std::string(reinterpret_cast<char*>(b64), static_cast<size_t>(n));
}

// A name we put in a certificate: letters, digits, '-', '_' and '.'
// (what a CONNECT host can sensibly be), or an IP literal.
bool IsCertifiableName(const std::string& host) {
  if (host.empty() || host.size() > 253) return false;
  for (char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_' || c == '.';
    if (!ok) return false;
  }
  return true;
}

// The SAN: one DNS name, or one IP address for a literal.
bool AddSubjectAltName(X509* x, const std::string& host) {
  unsigned char ip[16];
  int ip_len = 0;
  if (inet_pton(AF_INET, host.c_str(), ip) == 1) {
    ip_len = 4;
  } else if (inet_pton(AF_INET6, host.c_str(), ip) == 1) {
    ip_len = 16;
  }
  GENERAL_NAMES* names = sk_GENERAL_NAME_new_null();
  GENERAL_NAME* name = GENERAL_NAME_new();
  ASN1_STRING* value = ip_len ? ASN1_OCTET_STRING_new() : ASN1_IA5STRING_new();
  bool ok = names && name && value;
  if (ok) {
    ok = ip_len ? ASN1_OCTET_STRING_set(value, ip, ip_len) == 1
                : ASN1_STRING_set(value, host.data(),
                                  static_cast<int>(host.size())) == 1;
  }
  if (ok) {
    GENERAL_NAME_set0_value(name, ip_len ? GEN_IPADD : GEN_DNS, value);
    value = nullptr;
    ok = sk_GENERAL_NAME_push(names, name) > 0;
    if (ok) name = nullptr;
  }
  ok = ok && X509_add1_ext_i2d(x, NID_subject_alt_name, names, 0,
                               X509V3_ADD_DEFAULT) == 1;
  ASN1_STRING_free(value);
  GENERAL_NAME_free(name);
  GENERAL_NAMES_free(names);
  return ok;
}

}  // namespace

struct EphemeralCa::Rep {
  EvpPkeyPtr ca_key;
  X509Ptr ca_cert;
  EvpPkeyPtr leaf_key;  // one key for every leaf of the run
  std::string pem;
  std::string spki;
  std::mutex mu;
  std::map<std::string, std::shared_ptr<const MintedLeaf>> leaves;

  Result<std::shared_ptr<const MintedLeaf>> Mint(const std::string& host);
};

Result<std::unique_ptr<EphemeralCa>> EphemeralCa::Create() {
  auto rep = std::make_unique<Rep>();
  rep->ca_key.reset(EVP_EC_gen("P-256"));
  rep->leaf_key.reset(EVP_EC_gen("P-256"));
  if (!rep->ca_key || !rep->leaf_key) return SslError("key generation");
  unsigned char tag[6];
  RAND_bytes(tag, sizeof tag);
  char hex[sizeof tag * 2 + 1];
  for (size_t i = 0; i < sizeof tag; ++i) {
    std::snprintf(hex + 2 * i, 3, "%02x", tag[i]);
  }
  X509Ptr ca = NewCertificate(rep->ca_key.get(),
                              std::string("rotguard ephemeral CA ") + hex);
  if (!ca) return SslError("CA certificate");
  X509* x = ca.get();
  if (X509_set_issuer_name(x, X509_get_subject_name(x)) != 1 ||
      !AddExtension(x, x, NID_basic_constraints,
                    "critical,CA:TRUE,pathlen:0") ||
      !AddExtension(x, x, NID_key_usage, "critical,keyCertSign,cRLSign") ||
      !AddExtension(x, x, NID_subject_key_identifier, "hash") ||
      X509_sign(x, rep->ca_key.get(), EVP_sha256()) <= 0) {
    return SslError("CA certificate");
  }
  rep->pem = PemOf(x);
  rep->spki = SpkiHash(x);
  if (rep->pem.empty() || rep->spki.empty()) return SslError("CA encoding");
  rep->ca_cert = std::move(ca);
  return std::unique_ptr<EphemeralCa>(new EphemeralCa(std::move(rep)));
}

EphemeralCa::EphemeralCa(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}
EphemeralCa::~EphemeralCa() = default;

const std::string& EphemeralCa::CertPem() const { return rep_->pem; }
const std::string& EphemeralCa::SpkiSha256Base64() const { return rep_->spki; }

Status EphemeralCa::WriteCertPem(const std::string& path) const {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return Status::FromErrno("writing " + path, errno);
  FilePtr file(f);
  if (std::fwrite(rep_->pem.data(), 1, rep_->pem.size(), f) !=
      rep_->pem.size()) {
    return Status::FromErrno("writing " + path, errno);
  }
  ::chmod(path.c_str(), 0644);
  if (std::fclose(file.release()) != 0) {
    return Status::FromErrno("writing " + path, errno);
  }
  return Status::Ok();
}

Result<std::shared_ptr<const MintedLeaf>> EphemeralCa::Rep::Mint(
    const std::string& host) {
  X509Ptr leaf =
      NewCertificate(leaf_key.get(), host.size() <= 64 ? host : std::string());
  if (!leaf) return SslError("leaf for " + host);
  X509* x = leaf.get();
  X509* ca = ca_cert.get();
  if (X509_set_issuer_name(x, X509_get_subject_name(ca)) != 1 ||
      !AddExtension(x, ca, NID_basic_constraints, "critical,CA:FALSE") ||
      !AddExtension(x, ca, NID_key_usage, "critical,digitalSignature") ||
      !AddExtension(x, ca, NID_ext_key_usage, "serverAuth") ||
      !AddExtension(x, ca, NID_subject_key_identifier, "hash") ||
      !AddExtension(x, ca, NID_authority_key_identifier, "keyid:always") ||
      !AddSubjectAltName(x, host) ||
      X509_sign(x, ca_key.get(), EVP_sha256()) <= 0) {
    return SslError("leaf for " + host);
  }
  auto minted = std::make_shared<MintedLeaf>();
  minted->cert = std::move(leaf);
  EVP_PKEY_up_ref(leaf_key.get());
  minted->key.reset(leaf_key.get());
  minted->ca = ca;
  return std::shared_ptr<const MintedLeaf>(std::move(minted));
}

Result<std::shared_ptr<const MintedLeaf>> EphemeralCa::LeafFor(
    const std::string& raw_host) {
  std::string host = AsciiLowercase(raw_host);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  unsigned char buf[16];
  const bool v6 = inet_pton(AF_INET6, host.c_str(), buf) == 1;
  if (!v6 && !IsCertifiableName(host)) {
    return Status::InvalidArgument("no certificate for host \"" +
                                   raw_host.substr(0, 80) + "\"");
  }
  std::lock_guard<std::mutex> lock(rep_->mu);
  if (auto it = rep_->leaves.find(host); it != rep_->leaves.end()) {
    return it->second;
  }
  Result<std::shared_ptr<const MintedLeaf>> minted = rep_->Mint(host);
  if (!minted.ok()) return minted.status();
  if (rep_->leaves.size() >= kMaxCachedLeaves) rep_->leaves.clear();
  rep_->leaves.emplace(host, *minted);
  return minted;
}

Result<std::string> EphemeralCa::LeafPemFor(const std::string& host) {
  Result<std::shared_ptr<const MintedLeaf>> leaf = LeafFor(host);
  if (!leaf.ok()) return leaf.status();
  return PemOf((*leaf)->cert.get());
}

}  // namespace rotguard
