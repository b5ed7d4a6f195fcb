// UnifiedDiff (rotguard/fix.h): the diff `fix --dry-run` prints. `fix`
// changes a few spans inside lines, so the lines that differ are found by
// comparing the common head and tail of the two texts line by line, per
// changed region, without a general LCS.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "rotguard/fix.h"

namespace rotguard {
namespace {

constexpr size_t kContext = 3;

// Lines with their terminators ("\n" or "\r\n"); the last may have none.
std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(start, end - start));
    start = end;
  }
  return lines;
}

// One changed region: old lines [a_begin, a_end) became new lines
// [b_begin, b_end).
struct Change {
  size_t a_begin, a_end, b_begin, b_end;
};

// The changed regions of two line lists: lines are matched greedily,
// resynchronizing on the next line that appears in both within a window.
// Enough for span rewrites (a changed line is replaced by one line).
std::vector<Change> Changes(const std::vector<std::string_view>& a,
                            const std::vector<std::string_view>& b) {
  std::vector<Change> changes;
  size_t i = 0, j = 0;
  while (i < a.size() || j < b.size()) {
    if (i < a.size() && j < b.size() && a[i] == b[j]) {
      ++i, ++j;
      continue;
    }
    // Find the nearest (i2, j2) with a[i2] == b[j2], smallest i2 + j2.
    constexpr size_t kWindow = 200;
    size_t best_i = a.size(), best_j = b.size();
    for (size_t d = 1; d <= 2 * kWindow && best_i == a.size(); ++d) {
      for (size_t di = 0; di <= d; ++di) {
        size_t i2 = i + di, j2 = j + (d - di);
        if (i2 < a.size() && j2 < b.size() && a[i2] == b[j2]) {
          best_i = i2, best_j = j2;
          break;
        }
      }
    }
    changes.push_back({i, best_i, j, best_j});
    i = best_i, j = best_j;
  }
  return changes;
}

void AppendLine(char sign, std::string_view line, std::string* out) {
  out->push_back(sign);
  out->append(line);
  if (line.empty() || line.back() != '\n') {
    out->append("\n\\ No newline at end of file\n");
  }
}

std::string HunkRange(size_t begin, size_t count) {
  // A range of 0 lines names the line before it (diff(1) convention).
  size_t first = count == 0 ? begin : begin + 1;
  return std::to_string(first) + "," + std::to_string(count);
}

// One hunk over changes [first, last] with their context.
void AppendHunk(const std::vector<std::string_view>& a,
                const std::vector<std::string_view>& b,
                const std::vector<Change>& changes, size_t first, size_t last,
                std::string* out) {
  const Change& c0 = changes[first];
  const Change& cn = changes[last];
  size_t lead = std::min(kContext, c0.a_begin);
  size_t trail = std::min(kContext, a.size() - cn.a_end);
  size_t a_begin = c0.a_begin - lead, b_begin = c0.b_begin - lead;
  size_t a_end = cn.a_end + trail, b_end = cn.b_end + trail;
  *out += "@@ -" + HunkRange(a_begin, a_end - a_begin) + " +" +
          HunkRange(b_begin, b_end - b_begin) + " @@\n";
  size_t i = a_begin;
  for (size_t k = first; k <= last; ++k) {
    const Change& c = changes[k];
    for (; i < c.a_begin; ++i) AppendLine(' ', a[i], out);
    for (size_t x = c.a_begin; x < c.a_end; ++x) AppendLine('-', a[x], out);
    for (size_t y = c.b_begin; y < c.b_end; ++y) AppendLine('+', b[y], out);
    i = c.a_end;
  }
  for (; i < a_end; ++i) AppendLine(' ', a[i], out);
}

}  // namespace

std::string UnifiedDiff(std::string_view path, std::string_view before,
                        std::string_view after) {
  if (before == after) return "";
  std::vector<std::string_view> a = SplitLines(before);
  std::vector<std::string_view> b = SplitLines(after);
  std::vector<Change> changes = Changes(a, b);
  std::string out =
      "--- a/" + std::string(path) + "\n+++ b/" + std::string(path) + "\n";
  size_t first = 0;
  for (size_t k = 1; k <= changes.size(); ++k) {
    // Changes whose contexts touch share a hunk.
    if (k < changes.size() &&
        changes[k].a_begin - changes[k - 1].a_end <= 2 * kContext) {
      continue;
    }
    AppendHunk(a, b, changes, first, k - 1, &out);
    first = k;
  }
  return out;
}

}  // namespace rotguard
