"""The fixture web's pages under /js/ (any host): one static page per
capture-quality class (issue #16 item 1) and the JavaScript pages the
browser lane will be tested on (issue #16 item 4). fixture_server.py routes
/js/<name> here; every answer is bounded in time and size, so no test can
hang on them.

  /js/article          full: a plain article, its text in the HTML
  /js/app              thin: an empty <div id="root"> whose script fetch()es
                       /js/app/article.json and renders it (create-react-app
                       shape, with its "enable JavaScript" <noscript>)
  /js/app/app.js       that script
  /js/app/article.json the article as JSON: title, paragraphs, image
  /js/lazy             full: an article whose images carry data-src and are
                       loaded by an IntersectionObserver script (the static
                       pass captures data-src too)
  /js/lazy/<n>.png     the lazy images (PNG)
  /js/challenge        challenge: a Cloudflare-like "Just a moment..." page,
                       403 with cf-mitigated: challenge, as Cloudflare sends
  /js/not-found        error-page: a 200 page whose title says "Page not
                       found" (a soft 404)
  /js/ssrf             a page whose script tries to reach 127.0.0.1,
                       169.254.169.254 (cloud metadata) and [::1]: the
                       browser lane must refuse and record them as blocked
  /js/endless          a page that never stops loading: its script
                       long-polls /js/endless/poll in a loop and adds an
                       image each round
  /js/endless/poll?n=N held for at most 2 s (server side), then JSON; so a
                       poll never outlives a test
  /js/popup            a page whose script opens a popup (/js/popup/window)
                       and starts a download (/js/popup/file.bin)
  /js/popup/window     the popup's page
  /js/popup/file.bin   64 KiB with Content-Disposition: attachment
"""

import html
import json
import time

# A poll is held this long at most: the "endless" page keeps polling, but
# each request ends, so the server never has a request open for long.
MAX_POLL_SECONDS = 2.0

ARTICLE_TEXT = (
    "Link rot is the slow decay of the web a blog points to. Pages move, "
    "domains lapse, and the article a post once cited answers 404 or, "
    "worse, a parked page. An archive taken when the post was written "
    "keeps what the reader was meant to see. ")


def _page(title, body, head=""):
    return ("<!DOCTYPE html>\n<html lang=en><head><meta charset=utf-8>"
            "<title>%s</title>%s</head>\n<body>%s</body></html>\n"
            % (html.escape(title), head, body)).encode("utf-8")


def _paragraphs(count):
    return "".join("<p>%s</p>\n" % html.escape(ARTICLE_TEXT) for _ in range(count))


def article():
    body = ("<header><a href=/>News</a></header>\n<article><h1>Why links rot</h1>\n"
            + _paragraphs(8) + "</article>\n<footer>(c) News</footer>\n")
    return 200, "text/html; charset=utf-8", _page("Why links rot", body), []


def app():
    head = '<script defer src="/js/app/app.js"></script>'
    body = ("<noscript>You need to enable JavaScript to run this app.</noscript>\n"
            '<div id="root"></div>\n')
    return 200, "text/html; charset=utf-8", _page("News app", head=head, body=body), []


APP_JS = """\
fetch('/js/app/article.json').then(function (r) { return r.json(); }).then(function (a) {
  var root = document.getElementById('root');
  var h1 = document.createElement('h1');
  h1.textContent = a.title;
  root.appendChild(h1);
  a.paragraphs.forEach(function (text) {
    var p = document.createElement('p');
    p.textContent = text;
    root.appendChild(p);
  });
  var img = document.createElement('img');
  img.src = a.image;
  root.appendChild(img);
});
"""


def app_json():
    doc = {"title": "Why links rot (rendered)", "paragraphs": [ARTICLE_TEXT] * 8,
           "image": "/js/lazy/9.png"}
    return 200, "application/json", json.dumps(doc).encode("utf-8"), []


LAZY_JS = """\
var io = new IntersectionObserver(function (entries) {
  entries.forEach(function (e) {
    if (e.isIntersecting) { e.target.src = e.target.dataset.src; io.unobserve(e.target); }
  });
});
document.querySelectorAll('img[data-src]').forEach(function (img) { io.observe(img); });
"""


def lazy():
    images = "".join(
        '<p>%s</p><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" '
        'data-src="/js/lazy/%d.png" alt="figure %d" width=320 height=200>\n'
        % (html.escape(ARTICLE_TEXT), n, n) for n in range(1, 5))
    body = "<article><h1>Lazy pictures</h1>\n%s</article>\n<script>%s</script>\n" % (images, LAZY_JS)
    return 200, "text/html; charset=utf-8", _page("Lazy pictures", body), []


def challenge():
    # The shape of Cloudflare's managed challenge interstitial.
    body = ("<div class=main-wrapper><h1>news.example.com</h1>"
            "<h2>Checking if the site connection is secure</h2>"
            "<noscript><div>Enable JavaScript and cookies to continue</div></noscript>"
            "</div>\n<script>(function(){window._cf_chl_opt={cvId:'3',cType:'managed'};"
            "var s=document.createElement('script');"
            "s.src='/cdn-cgi/challenge-platform/h/g/orchestrate/chl_page/v1';"
            "document.head.appendChild(s);})();</script>\n")
    return (403, "text/html; charset=UTF-8", _page("Just a moment...", body),
            [("cf-mitigated", "challenge"), ("Cache-Control", "no-store")])


def not_found():
    body = ("<nav><a href=/>Home</a> <a href=/news>News</a></nav>\n"
            "<h1>Oops!</h1><p>We could not find the page you were looking for.</p>\n")
    return 200, "text/html; charset=utf-8", _page("Page not found - News", body), []


SSRF_JS = """\
['http://127.0.0.1/', 'http://169.254.169.254/latest/meta-data/',
 'http://[::1]/'].forEach(function (url) {
  fetch(url).then(function () { document.body.dataset.reached = url; },
                  function () {});
});
"""


def ssrf():
    body = ("<article><h1>A page that probes the network</h1>" + _paragraphs(3) +
            "</article>\n<script>%s</script>\n" % SSRF_JS)
    return 200, "text/html; charset=utf-8", _page("Probing", body), []


ENDLESS_JS = """\
(function poll(n) {
  fetch('/js/endless/poll?n=' + n).then(function (r) { return r.json(); }).then(function () {
    var img = document.createElement('img');
    img.src = '/js/lazy/' + (1 + n % 4) + '.png?round=' + n;
    document.body.appendChild(img);
    poll(n + 1);
  }, function () { setTimeout(function () { poll(n + 1); }, 100); });
})(0);
"""


def endless():
    body = ("<article><h1>Live ticker</h1>" + _paragraphs(3) +
            "</article>\n<script>%s</script>\n" % ENDLESS_JS)
    return 200, "text/html; charset=utf-8", _page("Live ticker", body), []


def endless_poll(query):
    time.sleep(MAX_POLL_SECONDS)
    round_number = query.get("n", ["0"])[0]
    body = json.dumps({"round": round_number, "more": True}).encode("utf-8")
    return 200, "application/json", body, [("Cache-Control", "no-store")]


POPUP_JS = """\
window.open('/js/popup/window', 'popup', 'width=400,height=300');
var a = document.createElement('a');
a.href = '/js/popup/file.bin';
a.download = 'file.bin';
document.body.appendChild(a);
a.click();
"""


def popup():
    body = ("<article><h1>Popups and downloads</h1>" + _paragraphs(3) +
            "</article>\n<script>%s</script>\n" % POPUP_JS)
    return 200, "text/html; charset=utf-8", _page("Popup", body), []


def popup_window():
    return 200, "text/html; charset=utf-8", _page("Popup window", "<p>a popup</p>"), []


def popup_file(pattern_bytes):
    return (200, "application/octet-stream", pattern_bytes(64 * 1024),
            [("Content-Disposition", 'attachment; filename="file.bin"')])


def route(parts, query, png_bytes, pattern_bytes):
    """(status, content type, body, headers) for /js/<parts...>, or None."""
    name = "/".join(parts)
    simple = {
        "article": article,
        "app": app,
        "app/article.json": app_json,
        "lazy": lazy,
        "challenge": challenge,
        "not-found": not_found,
        "ssrf": ssrf,
        "endless": endless,
        "popup": popup,
        "popup/window": popup_window,
    }
    if name in simple:
        return simple[name]()
    if name == "app/app.js":
        return 200, "text/javascript", APP_JS.encode("utf-8"), []
    if name == "endless/poll":
        return endless_poll(query)
    if name == "popup/file.bin":
        return popup_file(pattern_bytes)
    if len(parts) == 2 and parts[0] == "lazy" and parts[1].endswith(".png"):
        return 200, "image/png", png_bytes("js-lazy:" + parts[1], 2048), []
    return None
