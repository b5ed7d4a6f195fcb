// The store's log: spdlog's default logger writes to a rotating file at
// <store>/logs/rotguard.log while a StoreLogger lives (SPEC §2: cron runs
// log to the store). Keeps spdlog out of the public headers.
#ifndef ROTGUARD_STORE_STORE_LOGGER_H_
#define ROTGUARD_STORE_STORE_LOGGER_H_

#include <filesystem>
#include <memory>

#include "rotguard/status.h"

namespace spdlog {
class logger;
}

namespace rotguard {

class StoreLogger {
 public:
  // Rotates at 5 MiB, keeping 3 old files. `verbosity`: 0 info, 1 debug,
  // 2+ trace, negative warnings only. `json`: one JSON object per line
  // (time, pid, level, msg) instead of text; `color`: text lines with the
  // level in ANSI colour. IOError naming the file when it cannot be opened.
  static Result<std::unique_ptr<StoreLogger>> Install(
      const std::filesystem::path& log_file, int verbosity, bool json = false,
      bool color = false);

  StoreLogger(const StoreLogger&) = delete;
  StoreLogger& operator=(const StoreLogger&) = delete;
  // Flushes, and silences the default logger if it is still this one (so
  // nothing writes into a store that is closed).
  ~StoreLogger();

 private:
  explicit StoreLogger(std::shared_ptr<spdlog::logger> logger)
      : logger_(std::move(logger)) {}
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace rotguard

#endif  // ROTGUARD_STORE_STORE_LOGGER_H_
