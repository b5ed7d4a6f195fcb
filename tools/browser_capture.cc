// rotguard_browser_capture: drives the browser module (rotguard/browser.h)
// alone, one Chromium for all the URLs given, so the integration test and
// the benchmark can run it before the archive command uses it.
//
//   rotguard_browser_capture --out DIR [--resolver-rules RULES]
//       [--page-timeout-ms N] [--idle-timeout-ms N] [--memory-cap-mib N]
//       [--window WIDTHxHEIGHT] URL...
//
// --page-timeout-ms and --idle-timeout-ms apply to the URLs after them.
// Writes DIR/browser.json ({"pid", "profile"}) once Chromium answers, then
// per URL (numbered from 0) DIR/N.html (rendered DOM), DIR/N.png
// (screenshot) and one line of DIR/results.jsonl. Exits 0 when every page
// was attempted (a failed page is a line with "error"), 3 when there is no
// Chromium, 1 on bad usage or when Chromium does not start.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "rotguard/browser.h"

namespace {

using nlohmann::json;

struct Args {
  std::string out;
  rotguard::BrowserOptions browser;
  rotguard::CaptureOptions capture;  // as given so far
  // Each URL with the capture options given before it on the command line.
  std::vector<std::pair<std::string, rotguard::CaptureOptions>> pages;
};

bool Parse(int argc, char** argv, Args* args) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    bool has_value = i + 1 < argc;
    if (a == "--out" && has_value) {
      args->out = argv[++i];
    } else if (a == "--resolver-rules" && has_value) {
      args->browser.host_resolver_rules = argv[++i];
    } else if (a == "--page-timeout-ms" && has_value) {
      args->capture.page_timeout =
          std::chrono::milliseconds(std::atol(argv[++i]));
    } else if (a == "--idle-timeout-ms" && has_value) {
      args->capture.idle_timeout =
          std::chrono::milliseconds(std::atol(argv[++i]));
    } else if (a == "--window" && has_value) {
      // WIDTHxHEIGHT
      std::string size = argv[++i];
      std::size_t x = size.find('x');
      if (x == std::string::npos) return false;
      args->browser.window_width = std::atoi(size.substr(0, x).c_str());
      args->browser.window_height = std::atoi(size.substr(x + 1).c_str());
    } else if (a == "--memory-cap-mib" && has_value) {
      args->browser.memory_cap_bytes = std::strtoull(argv[++i], nullptr, 10)
                                       << 20;
    } else if (!a.empty() && a[0] != '-') {
      args->pages.emplace_back(a, args->capture);
    } else {
      return false;
    }
  }
  return !args->out.empty() && !args->pages.empty();
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

json Describe(const rotguard::PageCapture& page) {
  json requests = json::array();
  for (const rotguard::PageRequest& r : page.requests) {
    requests.push_back({{"url", r.url},
                        {"method", r.method},
                        {"type", r.resource_type},
                        {"error", r.error_text},
                        {"blocked", r.blocked_reason}});
  }
  return {{"final_url", page.final_url},
          {"navigation_error", page.navigation_error},
          {"network_idle", page.network_idle},
          {"scroll_steps", page.scroll_steps},
          {"requests_before_scroll", page.requests_before_scroll},
          {"popups_closed", page.popups_closed},
          {"screenshot_cut", page.screenshot_cut},
          {"dom_bytes", page.dom_html.size()},
          {"png_bytes", page.screenshot_png.size()},
          {"elapsed_ms", page.elapsed.count()},
          {"peak_memory_bytes", page.peak_memory_bytes},
          {"requests", requests}};
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  if (!Parse(argc, argv, &args)) {
    std::cerr
        << "usage: rotguard_browser_capture --out DIR [--resolver-rules R]"
           " [--page-timeout-ms N] [--idle-timeout-ms N]"
           " [--memory-cap-mib N] [--window WxH] URL...\n";
    return 1;
  }
  rotguard::Result<std::filesystem::path> chromium = rotguard::FindChromium();
  if (!chromium.ok()) {
    std::cerr << chromium.status().message() << "\n";
    return 3;
  }
  args.browser.chromium = *chromium;
  args.browser.log_path = args.out + "/chromium.log";
  auto browser = rotguard::Browser::Launch(args.browser);
  if (!browser.ok()) {
    std::cerr << browser.status().message() << "\n";
    return 1;
  }
  WriteFile(args.out + "/browser.json",
            json({{"pid", (*browser)->process_group()},
                  {"profile", (*browser)->profile_dir().string()}})
                .dump());
  std::ofstream results(args.out + "/results.jsonl");
  for (std::size_t i = 0; i < args.pages.size(); ++i) {
    const auto& [url, options] = args.pages[i];
    auto page = (*browser)->CapturePage(url, options);
    json line = {{"url", url}};
    if (page.ok()) {
      line.update(Describe(*page));
      std::string base = args.out + "/" + std::to_string(i);
      WriteFile(base + ".html", page->dom_html);
      WriteFile(base + ".png", page->screenshot_png);
    } else {
      line["error"] = page.status().message();
    }
    results << line.dump() << std::endl;
  }
  return 0;
}
