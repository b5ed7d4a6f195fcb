// `rotguard inspect FILE.warc[.gz]...`: lists the records of WARC (and ARC)
// files like `warcio index`, with the digests checked and damage reported by
// offset (SPEC §3, §13 "inspect output"). Needs no store.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "rotguard/warc_reader.h"
#include "util/terminal_text.h"

namespace rotguard::cli {
namespace {

constexpr const char* kInspectDescription =
    "List the records of WARC files (.warc or .warc.gz, WARC/1.0 or 1.1) "
    "and ARC files (.arc or .arc.gz, ARC 1.0 and 1.1), checking every block "
    "and payload digest (sha1, sha256, md5 or sha512; base16, base32, base64 "
    "or base64url, padded or not). Needs no store.";

constexpr const char* kInspectFooter =
    "Output, one line per record:\n"
    "  text    tab-separated columns: offset, length (compressed, for .gz),\n"
    "          type, target URI, date, HTTP status, block digest, payload\n"
    "          digest; '-' for an empty field. With several files each file's\n"
    "          lines follow a '# FILE' line. Problems go to stderr as\n"
    "          'rotguard: warning: FILE:OFFSET: code: message' (errors) or\n"
    "          'rotguard: note: ...' (notes, e.g. a wget-style payload digest\n"
    "          over chunked bytes; hidden by -q).\n"
    "  --json  JSON Lines with warcio's index key names: offset, length,\n"
    "          warc-type, warc-target-uri, warc-date, warc-record-id,\n"
    "          warc-block-digest, warc-payload-digest, http:status,\n"
    "          content-type, warc-ip-address (null when absent), plus\n"
    "          filename and problems: [{code, offset, severity\n"
    "          (error|note), message}]. A problem outside any record (e.g.\n"
    "          trailing garbage) gets a line of its own, with length null.\n"
    "ARC records read as warcio converts them: the file header as\n"
    "warcinfo, HTTP responses as response, others (dns:) as resource; the\n"
    "ARC content type and IP in content-type and warc-ip-address; no digests.\n"
    "Exit: 0 clean (notes allowed); 3 damaged or not a WARC file; 5 a file\n"
    "is missing or unreadable. Inspect goes on after each problem.\n";

struct InspectOptions {
  std::vector<std::string> files;
};

bool IsError(const WarcProblem& problem) {
  return problem.severity == WarcProblem::Severity::kError;
}

std::string_view SeverityName(const WarcProblem& problem) {
  return IsError(problem) ? "error" : "note";
}

// Identifies a problem across the record lists and the reader's full list.
using ProblemKey = std::tuple<uint64_t, std::string, std::string>;
ProblemKey KeyOf(const WarcProblem& problem) {
  return {problem.offset, problem.code, problem.message};
}

// Prints records and problems in the chosen format.
class InspectPrinter {
 public:
  InspectPrinter(bool json, bool quiet) : json_(json), quiet_(quiet) {}

  void BeginFile(const std::string& file, bool several_files) const {
    if (!json_ && several_files) {
      std::cout << "# " << TerminalSafe(file) << '\n';
    }
  }

  void PrintRecord(const std::string& file, const WarcRecordInfo& record) {
    if (json_) {
      PrintJsonLine(RecordJson(file, record), record.problems);
    } else {
      PrintTextLine(record);
      PrintProblemsToStderr(record.problems);
    }
  }

  // A problem no record owns (garbage between or after records).
  void PrintStrayProblem(const std::string& file, const WarcProblem& problem) {
    if (json_) {
      nlohmann::ordered_json line = EmptyRecordJson(file);
      line["offset"] = problem.offset;
      PrintJsonLine(std::move(line), {problem});
    } else {
      PrintProblemsToStderr({problem});
    }
  }

 private:
  // A text column: "-" when empty; control bytes (a hostile header could
  // hold a tab) as %XX so every record stays one line of 8 columns.
  static std::string OrDash(const std::string& value) {
    return value.empty() ? "-" : TerminalSafe(value);
  }

  static nlohmann::ordered_json OrNull(const std::string& value) {
    return value.empty() ? nlohmann::ordered_json(nullptr)
                         : nlohmann::ordered_json(value);
  }

  static nlohmann::ordered_json EmptyRecordJson(const std::string& file) {
    nlohmann::ordered_json line = nlohmann::ordered_json::object();
    for (const char* key :
         {"offset", "length", "warc-type", "warc-target-uri", "warc-date",
          "warc-record-id", "warc-block-digest", "warc-payload-digest",
          "http:status", "content-type", "warc-ip-address"}) {
      line[key] = nullptr;
    }
    line["filename"] = file;
    return line;
  }

  static nlohmann::ordered_json RecordJson(const std::string& file,
                                           const WarcRecordInfo& record) {
    nlohmann::ordered_json line = EmptyRecordJson(file);
    line["offset"] = record.offset;
    line["length"] = record.length;
    line["warc-type"] = OrNull(record.type);
    line["warc-target-uri"] = OrNull(record.target_uri);
    line["warc-date"] = OrNull(record.date);
    line["warc-record-id"] = OrNull(record.record_id);
    line["warc-block-digest"] = OrNull(record.block_digest);
    line["warc-payload-digest"] = OrNull(record.payload_digest);
    if (record.http_status != 0) line["http:status"] = record.http_status;
    line["content-type"] = OrNull(record.content_type);
    line["warc-ip-address"] = OrNull(record.ip_address);
    return line;
  }

  static void PrintJsonLine(nlohmann::ordered_json line,
                            const std::vector<WarcProblem>& problems) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const WarcProblem& problem : problems) {
      list.push_back({{"code", problem.code},
                      {"offset", problem.offset},
                      {"severity", SeverityName(problem)},
                      {"message", problem.message}});
    }
    line["problems"] = std::move(list);
    // Header values may hold invalid UTF-8; never let that abort the run.
    std::cout << line.dump(-1, ' ', false,
                           nlohmann::ordered_json::error_handler_t::replace)
              << '\n';
  }

  static void PrintTextLine(const WarcRecordInfo& record) {
    std::cout << record.offset << '\t' << record.length << '\t'
              << OrDash(record.type) << '\t' << OrDash(record.target_uri)
              << '\t' << OrDash(record.date) << '\t'
              << (record.http_status != 0 ? std::to_string(record.http_status)
                                          : "-")
              << '\t' << OrDash(record.block_digest) << '\t'
              << OrDash(record.payload_digest) << '\n';
  }

  void PrintProblemsToStderr(const std::vector<WarcProblem>& problems) const {
    for (const WarcProblem& problem : problems) {
      if (!IsError(problem) && quiet_) continue;
      std::cout.flush();  // keep stdout and stderr in record order on a TTY
      std::cerr << "rotguard: " << (IsError(problem) ? "warning" : "note")
                << ": " << TerminalSafe(problem.file) << ':' << problem.offset
                << ": " << problem.code << ": " << TerminalSafe(problem.message)
                << '\n';
    }
  }

  bool json_;
  bool quiet_;
};

// The message of a failed Open/Next, naming the file once.
std::string NameFile(const std::string& file, const Status& status) {
  if (status.message().rfind(file, 0) == 0) return status.message();
  return file + ": " + status.message();
}

void PrintFileError(const std::string& message) {
  std::cout.flush();
  std::cerr << "rotguard: error: " << TerminalSafe(message) << '\n';
}

// Why a file that yielded no record is rejected, as one line:
// "F: not a WARC file (missing version line at offset 0)".
std::string NoRecordsMessage(const std::string& file,
                             const std::vector<WarcProblem>& problems) {
  constexpr std::string_view kNotWarc = "not a WARC file";
  if (problems.empty()) return file + ": " + std::string(kNotWarc) + " (empty)";
  const WarcProblem& first = problems.front();
  // The reader's message may already conclude "...: not a WARC file".
  std::string reason = first.message;
  for (std::string_view tail : {": not a WARC file", ": not a WARC record"}) {
    if (reason.size() > tail.size() && reason.ends_with(tail)) {
      reason.resize(reason.size() - tail.size());
    }
  }
  return file + ": " + std::string(kNotWarc) + " (" + reason + " at offset " +
         std::to_string(first.offset) + ")";
}

// Lists one file; returns its exit code (0, 3 or 5).
int InspectFile(const std::string& file, InspectPrinter& printer) {
  Result<std::unique_ptr<WarcReader>> opened = WarcReader::Open(file);
  if (!opened.ok()) {
    PrintFileError(NameFile(file, opened.status()));
    return kExitIoError;
  }
  WarcReader& reader = **opened;
  std::set<ProblemKey> owned;  // problems printed with their record
  uint64_t records = 0;
  while (true) {
    Result<bool> more = reader.Next();
    if (!more.ok()) {
      PrintFileError(NameFile(file, more.status()));
      return kExitIoError;
    }
    if (!*more) break;
    Status finished = reader.FinishRecord();
    if (!finished.ok()) {
      PrintFileError(NameFile(file, finished));
      return kExitIoError;
    }
    const WarcRecordInfo& record = reader.record();
    printer.PrintRecord(file, record);
    for (const WarcProblem& problem : record.problems) {
      owned.insert(KeyOf(problem));
    }
    ++records;
  }

  const std::vector<WarcProblem>& all = reader.problems();
  if (records == 0) {
    PrintFileError(NoRecordsMessage(file, all));
    return kExitIntegrity;
  }
  bool damaged = false;
  for (const WarcProblem& problem : all) {
    damaged = damaged || IsError(problem);
    if (!owned.contains(KeyOf(problem))) {
      printer.PrintStrayProblem(file, problem);
    }
  }
  return damaged ? kExitIntegrity : kExitOk;
}

int RunInspect(const InspectOptions& options, const GlobalOptions& global) {
  InspectPrinter printer(global.json, global.verbosity < 0);
  bool several_files = options.files.size() > 1;
  int worst = kExitOk;
  for (const std::string& file : options.files) {
    printer.BeginFile(file, several_files);
    // 5 (unreadable) outranks 3 (damaged), which outranks 0.
    worst = std::max(worst, InspectFile(file, printer));
  }
  return worst;
}

}  // namespace

void AddInspectCommand(CLI::App& app, const GlobalOptions& global,
                       CommandResult& result) {
  auto options = std::make_shared<InspectOptions>();
  CLI::App* command = app.add_subcommand("inspect", kInspectDescription);
  command->footer(kInspectFooter);
  command
      ->add_option("FILE", options->files,
                   "WARC or ARC files (.warc, .warc.gz, .arc, .arc.gz)")
      ->required();
  command->callback([options, &global, &result] {
    result.exit_code = RunInspect(*options, global);
  });
}

}  // namespace rotguard::cli
