// Status and Result<T>: expected failures travel as values; exceptions are
// kept for the edges (the CLI's one top-level handler).
#ifndef ROTGUARD_STATUS_H_
#define ROTGUARD_STATUS_H_

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace rotguard {

enum class ErrorCode {
  kOk = 0,
  kInvalidArgument,    // bad input from the user: flags, config, paths
  kNotFound,           // a file, store or record that should exist does not
  kCorruption,         // bytes on disk do not match what they claim
  kIOError,            // the OS refused a read/write/open
  kNotSupported,       // valid input we do not handle
  kLocked,             // another run holds the store lock
  kResourceExhausted,  // a limit was reached (decoded size, run budget)
  kInternal,           // a bug or a library failure we cannot classify
};

class Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string msg) {
    return Status(ErrorCode::kInvalidArgument, std::move(msg));
  }
  static Status NotFound(std::string msg) {
    return Status(ErrorCode::kNotFound, std::move(msg));
  }
  static Status Corruption(std::string msg) {
    return Status(ErrorCode::kCorruption, std::move(msg));
  }
  static Status IOError(std::string msg) {
    return Status(ErrorCode::kIOError, std::move(msg));
  }
  static Status NotSupported(std::string msg) {
    return Status(ErrorCode::kNotSupported, std::move(msg));
  }
  static Status Locked(std::string msg) {
    return Status(ErrorCode::kLocked, std::move(msg));
  }
  static Status ResourceExhausted(std::string msg) {
    return Status(ErrorCode::kResourceExhausted, std::move(msg));
  }
  static Status Internal(std::string msg) {
    return Status(ErrorCode::kInternal, std::move(msg));
  }
  // "path: strerror(errno)" — the leveldb PosixError convention.
  static Status FromErrno(const std::string& context, int err);

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const;

 private:
  Status(ErrorCode code, std::string msg)
      : code_(code), message_(std::move(msg)) {}
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

// Result<T>: a T or a non-ok Status (std::expected arrives only in C++23).
template <typename T>
class Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {  // NOLINT
    assert(!std::get<Status>(data_).ok());
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  explicit operator bool() const { return ok(); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(data_);
  }
  T& value() & { return std::get<T>(data_); }
  const T& value() const& { return std::get<T>(data_); }
  T&& value() && { return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace rotguard

// Propagate a non-ok Status from the current function.
#define ROTGUARD_RETURN_IF_ERROR(expr)                   \
  do {                                                   \
    ::rotguard::Status rotguard_status_ = (expr);        \
    if (!rotguard_status_.ok()) return rotguard_status_; \
  } while (0)

#endif  // ROTGUARD_STATUS_H_
