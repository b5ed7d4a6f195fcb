#include <gtest/gtest.h>

#include <set>
#include <string>

#include "rotguard/restore.h"
#include "util/ascii.h"

namespace rotguard {
namespace {

// Every component of a restore path is safe on POSIX and Windows.
void ExpectSafe(const std::string& path) {
  ASSERT_FALSE(path.empty());
  EXPECT_NE(path.front(), '/') << path;
  EXPECT_LE(path.size(), 240u) << path;
  EXPECT_EQ(path.rfind("assets/", 0), 0u) << path;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string c = path.substr(start, end - start);
    EXPECT_FALSE(c.empty()) << path;
    EXPECT_NE(c, ".") << path;
    EXPECT_NE(c, "..") << path;
    EXPECT_LE(c.size(), 100u) << path;
    EXPECT_NE(c.front(), '.') << path;
    EXPECT_NE(c.back(), '.') << path;
    for (char ch : c) {
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' ||
                  ch == '_' || ch == '-' || ch == '~')
          << path;
    }
    std::string stem = AsciiLowercase(c.substr(0, c.find('.')));
    for (const char* device : {"con", "prn", "aux", "nul", "com1", "lpt9"}) {
      EXPECT_NE(stem, device) << path;
    }
    start = end + 1;
  }
}

TEST(SafeAssetPath, HostPathAndQueryHash) {
  EXPECT_EQ(SafeAssetPath("https://cdn.example.net/img/a.png", "image/png"),
            "assets/cdn.example.net/img/a.png");
  std::string q = SafeAssetPath("https://cdn.example.net/img/a.png?w=1", "");
  EXPECT_EQ(q.rfind("assets/cdn.example.net/img/a__", 0), 0u) << q;
  EXPECT_EQ(q.substr(q.size() - 4), ".png");
}

TEST(SafeAssetPath, PagesBecomeIndexHtml) {
  EXPECT_EQ(SafeAssetPath("https://example.com/", "text/html"),
            "assets/example.com/index.html");
  EXPECT_EQ(SafeAssetPath("https://example.com/a/b", "text/html; charset=x"),
            "assets/example.com/a/b/index.html");
  EXPECT_EQ(SafeAssetPath("https://example.com/2020/02/x.html", "text/html"),
            "assets/example.com/2020/02/x.html");
}

TEST(SafeAssetPath, ExtensionFromContentTypeWhenTheUrlHasNone) {
  EXPECT_EQ(SafeAssetPath("https://lh3.googleusercontent.com/abc=s1600",
                          "image/jpeg"),
            "assets/lh3.googleusercontent.com/abc_s1600.jpg");
  EXPECT_EQ(SafeAssetPath("https://example.com/font", "font/woff2"),
            "assets/example.com/font.woff2");
  EXPECT_EQ(SafeAssetPath("https://example.com/blob", "x/unknown"),
            "assets/example.com/blob.bin");
}

TEST(SafeAssetPath, HostileUrlsStayInsideAssets) {
  const char* hostile[] = {
      "https://example.com/../../etc/passwd",
      "https://example.com/%2e%2e/%2e%2e/etc/passwd",
      "https://example.com/a%2f..%2f..%2fb",
      "https://example.com/a%5c..%5c..%5cwin.ini",
      "https://example.com/a%00b.png",
      "https://example.com/CON",
      "https://example.com/nul.txt",
      "https://example.com/aux/com1.png",
      "https://example.com/LPT1",
      "https://example.com/trailing.",
      "https://example.com/.hidden",
      "https://example.com/a%0d%0ab%09c",
      "https://user:pw@example.com:8443/x",
      "file:///etc/passwd",
      "file:content/../../x.md",
      "javascript:alert(1)",
      "https://example.com/%E2%80%AEgnp.exe",
  };
  for (const char* url : hostile) {
    SCOPED_TRACE(url);
    ExpectSafe(SafeAssetPath(url, "text/html"));
    ExpectSafe(SafeAssetPath(url, "image/png"));
  }
}

TEST(SafeAssetPath, LongComponentsAndPathsAreCappedWithAHash) {
  std::string longseg(300, 'a');
  std::string a = SafeAssetPath("https://example.com/" + longseg, "image/png");
  std::string b =
      SafeAssetPath("https://example.com/" + longseg + "b", "image/png");
  ExpectSafe(a);
  ExpectSafe(b);
  EXPECT_NE(a, b);
  std::string deep = "https://example.com";
  for (int i = 0; i < 60; ++i) deep += "/segment" + std::to_string(i);
  std::string d = SafeAssetPath(deep, "image/png");
  ExpectSafe(d);
  EXPECT_EQ(d.substr(d.size() - 4), ".png");
}

TEST(AssetNamer, CollisionsIncludingCaseFoldingGetDistinctStableNames) {
  AssetNamer namer;
  std::set<std::string> folded;
  const char* urls[] = {
      "https://example.com/A.png", "https://example.com/a.png",
      "https://example.com/a%20.png", "https://example.com/a%21.png"};
  for (const char* url : urls) {
    std::string name = namer.NameFor(url, "image/png");
    ExpectSafe(name);
    EXPECT_TRUE(folded.insert(AsciiLowercase(name)).second) << name;
  }
  EXPECT_EQ(namer.NameFor("https://example.com/a.png", "image/png"),
            namer.NameFor("https://example.com/a.png", "image/png"));
}

TEST(AssetNamer, AFileNeverSitsWhereADirectoryIsNeeded) {
  AssetNamer namer;
  std::string file = namer.NameFor("https://example.com/x.html", "text/html");
  std::string page = namer.NameFor("https://example.com/x.html/y", "text/html");
  EXPECT_NE(page.rfind(file + "/", 0), 0u) << file << " " << page;
}

TEST(RelativePath, WalksUpToTheCommonDirectory) {
  EXPECT_EQ(RelativePath("posts/2020/a.md.html", "assets/h/x.png"),
            "../../assets/h/x.png");
  EXPECT_EQ(RelativePath("index.html", "assets/h/x.png"), "assets/h/x.png");
  EXPECT_EQ(RelativePath("assets/h/p/index.html", "assets/h/x.png"),
            "../x.png");
}

}  // namespace
}  // namespace rotguard
