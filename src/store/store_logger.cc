#include "store/store_logger.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "util/color.h"
#include "util/terminal_text.h"

namespace rotguard {
namespace {

constexpr size_t kMaxLogBytes = 5 * 1024 * 1024;
constexpr size_t kMaxLogFiles = 3;

spdlog::level::level_enum LevelFor(int verbosity) {
  if (verbosity < 0) return spdlog::level::warn;
  if (verbosity == 0) return spdlog::level::info;
  if (verbosity == 1) return spdlog::level::debug;
  return spdlog::level::trace;
}

// %* : the message with control characters escaped (TerminalSafe). Log
// lines carry URLs and file names from posts and WARCs; one with a
// newline or an ESC sequence must not forge a line or drive the terminal
// of whoever runs `tail -f` on the log.
class SafeMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm& /*time*/,
              spdlog::memory_buf_t& dest) override {
    std::string safe =
        TerminalSafe(std::string_view(msg.payload.data(), msg.payload.size()));
    dest.append(safe.data(), safe.data() + safe.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<SafeMessageFlag>();
  }
};

// %J : the message as the inside of a JSON string: quotes, backslashes
// and control characters escaped, invalid UTF-8 replaced (U+FFFD), so each
// line stays one valid JSON object whatever a URL or file name holds.
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm& /*time*/,
              spdlog::memory_buf_t& dest) override {
    std::string quoted =
        nlohmann::json(std::string(msg.payload.data(), msg.payload.size()))
            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    dest.append(quoted.data() + 1, quoted.data() + quoted.size() - 1);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

// %L : the level name, coloured (errors red, warnings yellow, debug and
// trace dim), for a log read with `tail -f` on a terminal.
class ColorLevelFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm& /*time*/,
              spdlog::memory_buf_t& dest) override {
    const auto name = spdlog::level::to_string_view(msg.level);
    std::string_view view(name.data(), name.size());
    std::string text(view);
    if (msg.level >= spdlog::level::err) {
      text = Paint(view, Color::kRed, true);
    } else if (msg.level == spdlog::level::warn) {
      text = Paint(view, Color::kYellow, true);
    } else if (msg.level <= spdlog::level::debug) {
      text = Paint(view, Color::kDim, true);
    }
    dest.append(text.data(), text.data() + text.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<ColorLevelFlag>();
  }
};

std::unique_ptr<spdlog::formatter> LineFormatter(bool json, bool color) {
  auto formatter = std::make_unique<spdlog::pattern_formatter>();
  // Several runs share one file: the pid tells their lines apart.
  if (json) {
    formatter->add_flag<JsonMessageFlag>('J').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z","pid":%P,"level":"%l","msg":"%J"})");
  } else if (color) {
    formatter->add_flag<SafeMessageFlag>('*');
    formatter->add_flag<ColorLevelFlag>('L').set_pattern(
        "%Y-%m-%dT%H:%M:%S.%e%z [%P] %L: %*");
  } else {
    formatter->add_flag<SafeMessageFlag>('*').set_pattern(
        "%Y-%m-%dT%H:%M:%S.%e%z [%P] %l: %*");
  }
  return formatter;
}

}  // namespace

Result<std::unique_ptr<StoreLogger>> StoreLogger::Install(
    const std::filesystem::path& log_file, int verbosity, bool json,
    bool color) {
  std::shared_ptr<spdlog::sinks::rotating_file_sink_mt> sink;
  try {
    sink = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(
        log_file.string(), kMaxLogBytes, kMaxLogFiles);
  } catch (const spdlog::spdlog_ex& e) {
    return Status::IOError(log_file.string() +
                           ": cannot open the log: " + e.what());
  }
  auto logger = std::make_shared<spdlog::logger>("rotguard", std::move(sink));
  logger->set_formatter(LineFormatter(json, color));
  logger->set_level(LevelFor(verbosity));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
  return std::unique_ptr<StoreLogger>(new StoreLogger(std::move(logger)));
}

StoreLogger::~StoreLogger() {
  logger_->flush();
  if (spdlog::default_logger_raw() == logger_.get()) {
    // A logger without sinks: later log calls are cheap no-ops.
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("rotguard"));
  }
}

}  // namespace rotguard
