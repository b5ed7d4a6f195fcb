// One HTTP exchange on a libcurl easy handle: the handle's options, the
// header/body/debug/open-socket callbacks that fill the exchange, and what
// the finished transfer amounts to (failure class, error text, the
// FetchedExchange fields). The fetcher (curl_fetcher.cc) owns the multi
// handle, the jobs and their chains; a Transfer knows nothing of them.
#ifndef ROTGUARD_FETCH_CURL_TRANSFER_H_
#define ROTGUARD_FETCH_CURL_TRANSFER_H_

#include <curl/curl.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rotguard/config.h"
#include "rotguard/failure.h"
#include "rotguard/fetch.h"
#include "rotguard/response_body.h"
#include "rotguard/status.h"
#include "util/handles.h"

namespace rotguard::fetch_internal {

// Settings shared by every transfer of a run (owned by the fetcher, which
// outlives its transfers).
struct TransferDefaults {
  FetchConfig fetch;
  int low_speed_bytes = 1;
  int low_speed_time_s = 30;
  std::string cacert;              // "" none
  std::string proxy;               // fetch.proxy, "" none
  std::string proxy_cacert;        // CA bundle for an https proxy, "" none
  const curl_slist* base_headers;  // "Accept-Encoding: gzip"
  const curl_slist* connect_to;    // may be null
  ResponseBodyFactory new_body;    // empty: MemoryResponseBody
};

// One hop's request.
struct HopRequest {
  std::string url;
  std::string method = "GET";
  std::string body;                  // POST only
  std::vector<std::string> headers;  // extra "Name: value" lines
  std::string user_agent;
  const curl_slist* resolve = nullptr;  // CURLOPT_RESOLVE, may be null
  // Check the connected address with the private-address guard (off with
  // allow_private, or for a (host, port) an explicit mapping names).
  bool guard = true;
};

// What a finished transfer amounts to.
struct TransferResult {
  FailureClass failure = FailureClass::kNone;
  std::string error;           // names the URL; "" on success
  bool have_response = false;  // a final head arrived (body maybe cut)
  int status = 0;              // 0 without a response
};

struct Transfer {
  const TransferDefaults* defaults = nullptr;
  CurlEasyPtr easy;
  uint64_t job = 0;  // the fetcher's id of the job this hop belongs to
  CurlSlistPtr extra_headers;  // when the job has its own headers
  std::chrono::system_clock::time_point started;
  std::string request_head;
  std::string head;  // current response header block
  bool head_done = false;
  bool h2 = false;
  int status = 0;
  std::string location, refresh, retry_after, content_type, content_encoding;
  std::unique_ptr<ResponseBody> response;
  bool too_large = false;
  bool guard = true;
  bool blocked = false;
  std::string blocked_ip;
  Status write_status;
  char error[CURL_ERROR_SIZE] = {};

  // A fresh easy handle; null when libcurl is out of memory.
  static std::unique_ptr<Transfer> New(const TransferDefaults* defaults);
  // Forgets the last exchange (the handle stays, options and all).
  void Clear();
  // Resets the handle's options and sets them for `request`.
  void Configure(const HopRequest& request);
  // Classifies the end of the transfer (`code` from libcurl) of `url`, and
  // marks a response cut by a failure as truncated ("disconnect").
  TransferResult Finish(CURLcode code, const std::string& url);
  // The meta refresh target in the body (HTML, at most 1 MiB, gzip or
  // deflate decoded), resolved against `url`.
  std::optional<std::string> MetaRefreshTarget(const std::string& url) const;
  // Moves what the transfer knows into `ex`: started, ip_address,
  // protocol, request_head (as HTTP/1.1 text), http_status, response.
  void FillExchange(FetchedExchange& ex);

  std::unique_ptr<ResponseBody> NewBody(std::string head) const;
  void StartHead(std::string_view status_line);
  void NoteHeader(std::string_view bare);

  // libcurl callbacks; `user` is the Transfer.
  static size_t OnHeader(char* data, size_t size, size_t n, void* user);
  static size_t OnBody(char* data, size_t size, size_t n, void* user);
  static int OnDebug(CURL*, curl_infotype type, char* data, size_t size,
                     void* user);
  static curl_socket_t OnOpenSocket(void* user, curlsocktype purpose,
                                    curl_sockaddr* address);
};

}  // namespace rotguard::fetch_internal

#endif  // ROTGUARD_FETCH_CURL_TRANSFER_H_
