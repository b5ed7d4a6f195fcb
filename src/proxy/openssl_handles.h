// RAII owners for the OpenSSL objects of the proxy module (the module is
// the only one that links libssl), and the minted leaf they make up.
#ifndef ROTGUARD_PROXY_OPENSSL_HANDLES_H_
#define ROTGUARD_PROXY_OPENSSL_HANDLES_H_

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

#include "rotguard/recording_proxy.h"
#include "util/handles.h"

namespace rotguard {

using X509Ptr = std::unique_ptr<X509, CallFree<X509_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, CallFree<EVP_PKEY_free>>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, CallFree<SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, CallFree<SSL_free>>;
using BioPtr = std::unique_ptr<BIO, CallFree<BIO_free_all>>;

// A leaf certificate for one host, signed by the run's CA, with the key
// it certifies and the CA certificate to send after it.
struct MintedLeaf {
  X509Ptr cert;
  EvpPkeyPtr key;      // shared by every leaf of the run (up-ref'd)
  X509* ca = nullptr;  // owned by the EphemeralCa
};

// The OpenSSL error queue as text (and cleared), for messages.
std::string TakeOpenSslErrors();

}  // namespace rotguard

#endif  // ROTGUARD_PROXY_OPENSSL_HANDLES_H_
