// RecordingProxy's state, shared by its listener (recording_proxy.cc) and
// its connection handling (proxy_connection.cc).
#ifndef ROTGUARD_PROXY_PROXY_REP_H_
#define ROTGUARD_PROXY_PROXY_REP_H_

#include <atomic>
#include <condition_variable>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "proxy/http_request.h"
#include "proxy/openssl_handles.h"
#include "rotguard/recording_proxy.h"
#include "util/handles.h"

namespace rotguard {

struct RecordingProxy::Rep {
  Rep(RecordingProxyOptions o, EphemeralCa& c, UpstreamFetch& u)
      : options(std::move(o)), ca(c), upstream(u) {}

  RecordingProxyOptions options;
  EphemeralCa& ca;
  UpstreamFetch& upstream;
  SslCtxPtr ssl_ctx;
  Fd listener;
  Fd wake_read;
  Fd wake_write;
  int port = 0;
  std::thread acceptor;

  struct Connection {
    std::thread thread;
    Fd fd;
    bool done = false;
  };
  std::mutex mu;  // guards connections, live, stopping, stopped
  std::condition_variable cv;
  std::list<Connection> connections;
  int live = 0;
  bool stopping = false;
  bool stopped = false;

  std::atomic<uint64_t> budget_used{0};
  struct Counters {
    std::atomic<uint64_t> connections{0}, requests{0}, fetched{0},
        refused_scope{0}, blocked{0}, bad_requests{0}, bytes_out{0};
  } counters;

  proxy_internal::HeadLimits Limits() const;
  void AcceptLoop();
  void ReapDone();  // with mu held
  // One client connection, start to end (proxy_connection.cc).
  void Serve(int fd);
};

}  // namespace rotguard

#endif  // ROTGUARD_PROXY_PROXY_REP_H_
