// `rotguard forget URL... [--reason TEXT] [--purge]`, `forget --list`,
// `forget --undo URL`: takedowns (rotguard/forget.h). Takes the exclusive
// lock, except --list (shared).
#include <CLI/CLI.hpp>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/store_access.h"
#include "rotguard/forget.h"
#include "rotguard/url.h"
#include "util/terminal_text.h"
#include "util/time_format.h"

namespace rotguard::cli {
namespace {

constexpr const char* kForgetDescription =
    "Take URLs down: remove their captures from the manifest, with the hops "
    "of the redirect chains they start and the page requisites nothing kept "
    "needs, and write a tombstone, so they are never fetched (archive, "
    "rescue, verify --live), exported, extracted or restored again (a "
    "restored post keeps the original link). With --purge, also rewrite "
    "the WARC files without their records.";

constexpr const char* kForgetFooter =
    "A URL with no capture still gets its tombstone. Without --purge the "
    "records stay\n"
    "in the WARC files, marked forgotten (export leaves them out; --wacz "
    "refuses\n"
    "until they are purged). --purge writes each affected file anew (a new "
    "name, the\n"
    "kept records byte for byte, fdatasynced and read back), switches the "
    "manifest\n"
    "in one transaction, then unlinks the old file; it refuses while a kept "
    "revisit\n"
    "needs a forgotten record. 'forget --purge' alone purges what earlier "
    "forgets left\n"
    "and finishes an interrupted purge.\n"
    "Output: 'forget: URL: N captures, M dependents, R records'; 'purge: OLD "
    "-> NEW:\n"
    "K records kept, D dropped'; --list: 'URL<TAB>TIME<TAB>REASON'. --json: "
    "JSON Lines.\n"
    "Exit: 0 done; 1 usage (a URL that is not http(s), a purge refused); 4 "
    "locked;\n"
    "5 I/O error.\n";

struct ForgetFlags {
  std::vector<std::string> urls;
  std::string input_file;
  std::string reason;
  bool purge = false;
  bool list = false;
  std::vector<std::string> undo;
};

void PrintJson(const nlohmann::ordered_json& line) {
  std::cout << line.dump(-1, ' ', false,
                         nlohmann::ordered_json::error_handler_t::replace)
            << '\n';
}

void Check(const Status& status) {
  if (!status.ok()) throw CliError(ExitCodeFor(status), status.message());
}

void ReadUrlFile(const std::string& path, std::vector<std::string>* urls) {
  std::ifstream file;
  if (path != "-") {
    file.open(path);
    if (!file) throw CliError(kExitIoError, path + ": cannot read");
  }
  std::istream& in = path == "-" ? std::cin : file;
  std::string line;
  while (std::getline(in, line)) {
    size_t begin = line.find_first_not_of(" \t\r");
    if (begin == std::string::npos || line[begin] == '#') continue;
    size_t end = line.find_last_not_of(" \t\r");
    urls->push_back(line.substr(begin, end - begin + 1));
  }
}

int RunList(const GlobalOptions& global) {
  std::unique_ptr<Store> store = OpenStoreOrThrow(global, LockMode::kShared);
  Result<std::vector<TombstoneRow>> rows = store->manifest().ListTombstones();
  Check(rows.status());
  for (const TombstoneRow& t : *rows) {
    std::string when = FormatUtc(t.created_unix, UtcStyle::kIso);
    if (global.json) {
      PrintJson({{"url", t.url},
                 {"normalized", t.normalized},
                 {"created", when},
                 {"reason", t.reason}});
    } else {
      std::cout << TerminalSafe(t.url) << '\t' << when << '\t'
                << TerminalSafe(t.reason) << '\n';
    }
  }
  return kExitOk;
}

void Undo(Store& store, const std::string& url, const GlobalOptions& global) {
  std::optional<std::string> key = NormalizeUrl(url);
  if (!key) throw CliError(kExitUsage, url + ": not an absolute http(s) URL");
  Result<bool> removed = store.manifest().RemoveTombstone(*key);
  Check(removed.status());
  if (global.json) {
    PrintJson({{"undo", url}, {"removed", *removed}});
  } else if (global.verbosity >= 0 || !*removed) {
    std::cout << "forget: " << TerminalSafe(url)
              << (*removed ? ": tombstone removed (archive fetches it again)"
                           : ": no tombstone")
              << '\n';
  }
}

void Forget(Store& store, const std::string& url, const ForgetFlags& flags,
            const GlobalOptions& global) {
  ForgetOptions options;
  options.reason = flags.reason;
  Result<ForgetResult> r = ForgetUrl(store, url, options);
  Check(r.status());
  if (global.json) {
    PrintJson({{"url", r->url},
               {"normalized", r->normalized},
               {"captures", r->captures},
               {"dependents", r->dependents},
               {"records", r->records}});
  } else if (global.verbosity >= 0) {
    std::cout << "forget: " << TerminalSafe(r->url) << ": " << r->captures
              << " captures, " << r->dependents << " dependents, " << r->records
              << " records\n";
  }
}

void Purge(Store& store, const GlobalOptions& global) {
  Result<PurgeResult> r = PurgeForgotten(store);
  Check(r.status());
  for (const PurgeResult::File& f : r->files) {
    if (global.json) {
      PrintJson({{"purged", f.old_name},
                 {"into", f.new_name},
                 {"kept", f.kept},
                 {"dropped", f.dropped}});
    } else if (global.verbosity >= 0) {
      std::cout << "purge: " << TerminalSafe(f.old_name) << " -> "
                << TerminalSafe(f.new_name) << ": " << f.kept
                << " records kept, " << f.dropped << " dropped\n";
    }
  }
  if (!global.json && global.verbosity >= 0 && r->leftovers_removed > 0) {
    std::cout << "purge: removed " << r->leftovers_removed
              << " files an interrupted purge left\n";
  }
}

int RunForget(ForgetFlags& flags, const GlobalOptions& global) {
  if (flags.list) return RunList(global);
  if (!flags.input_file.empty()) ReadUrlFile(flags.input_file, &flags.urls);
  if (flags.urls.empty() && flags.undo.empty() && !flags.purge) {
    throw CliError(kExitUsage,
                   "forget: give URLs, -i FILE, --undo URL, --purge or --list");
  }
  std::unique_ptr<Store> store = OpenStoreOrThrow(global, LockMode::kExclusive);
  for (const std::string& url : flags.undo) Undo(*store, url, global);
  for (const std::string& url : flags.urls) Forget(*store, url, flags, global);
  if (flags.purge) Purge(*store, global);
  return kExitOk;
}

}  // namespace

void AddForgetCommand(CLI::App& app, const GlobalOptions& global,
                      CommandResult& result) {
  auto flags = std::make_shared<ForgetFlags>();
  CLI::App* command = app.add_subcommand("forget", kForgetDescription);
  command->footer(kForgetFooter);
  command->add_option("URL", flags->urls, "URLs to take down");
  command->add_option("-i,--input", flags->input_file,
                      "read URLs from FILE, one a line ('-': stdin)");
  command->add_option("--reason", flags->reason,
                      "why (kept with the tombstone, shown by --list)");
  command->add_flag("--purge", flags->purge,
                    "rewrite the WARC files without the forgotten records");
  command->add_flag("--list", flags->list, "list the tombstones");
  command->add_option("--undo", flags->undo,
                      "remove the tombstone of URL (its captures do not "
                      "come back; archive fetches it again)");
  command->callback([flags, &global, &result] {
    result.exit_code = RunForget(*flags, global);
  });
}

}  // namespace rotguard::cli
