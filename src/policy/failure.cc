// Failure classes (SPEC §6): names and transience.
#include "rotguard/failure.h"

namespace rotguard {

const char* FailureClassName(FailureClass failure) {
  switch (failure) {
    case FailureClass::kNone:
      return "";
    case FailureClass::kDns:
      return "dns";
    case FailureClass::kConnect:
      return "connect";
    case FailureClass::kTls:
      return "tls";
    case FailureClass::kTimeout:
      return "timeout";
    case FailureClass::kReset:
      return "reset";
    case FailureClass::kTruncated:
      return "truncated";
    case FailureClass::kTooLarge:
      return "too-large";
    case FailureClass::kBlockedAddress:
      return "blocked-address";
    case FailureClass::kRedirectLoop:
      return "redirect-loop";
    case FailureClass::kTooManyRedirects:
      return "too-many-redirects";
    case FailureClass::kBadUrl:
      return "bad-url";
    case FailureClass::kBadResponse:
      return "bad-response";
    case FailureClass::kHttp4xx:
      return "http-4xx";
    case FailureClass::kHttp5xx:
      return "http-5xx";
    case FailureClass::kCancelled:
      return "cancelled";
    case FailureClass::kProxy:
      return "proxy";
    case FailureClass::kForgotten:
      return "forgotten";
    case FailureClass::kOther:
      return "other";
  }
  return "other";
}

FailureClass FailureClassOfStatus(int http_status) {
  if (http_status >= 400 && http_status < 500) return FailureClass::kHttp4xx;
  if (http_status >= 500 && http_status < 600) return FailureClass::kHttp5xx;
  if (http_status >= 600 || (http_status > 0 && http_status < 100)) {
    return FailureClass::kBadResponse;
  }
  return FailureClass::kNone;
}

bool IsTransient(FailureClass failure, int http_status) {
  switch (failure) {
    case FailureClass::kTimeout:
    case FailureClass::kReset:
    case FailureClass::kTruncated:
    case FailureClass::kConnect:
      return true;
    default:
      break;
  }
  switch (http_status) {
    case 408:
    case 425:
    case 429:
    case 500:
    case 502:
    case 503:
    case 504:
      return true;
    default:
      return false;
  }
}

}  // namespace rotguard
