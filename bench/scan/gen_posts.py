#!/usr/bin/env python3
"""Writes a deterministic Hugo-like site for the scan benchmark.

    gen_posts.py OUT_DIR [--posts 10000] [--seed 1]

OUT_DIR/content/posts/YYYY/MM/<slug>.md (plus one HTML page in 50) with a
realistic mix: YAML or TOML front matter (title, date, draft, images),
paragraphs of prose, inline and reference links, images, Blogger
image-inside-link pairs, autolinks, bare URLs (the ift.tt line of SPEC §1),
raw HTML with srcset, fenced code holding URLs that must NOT be taken,
and Hugo shortcodes. About 5 KB per post: 10,000 posts ≈ 50 MB.
The same arguments always give the same bytes.
"""
import argparse
import os
import random

WORDS = (
    "archive link rot web page post blog image capture server request "
    "response header digest record manifest crawler browser history "
    "offline copy mirror source reader writer network cache policy time "
    "the a of and to in is that for on with as by at from this be or an "
    "it are was which not have has but all can more one will about out"
).split()

HOSTS = [
    "example.com", "www.example.org", "news.example.net", "blog.example.io",
    "en.wikipedia.org", "github.com", "www.nytimes.com", "medium.com",
    "docs.python.org", "developer.mozilla.org", "www.youtube.com",
    "stackoverflow.com", "arxiv.org", "www.bbc.co.uk", "lwn.net",
    "b\u00fccher.example", "xn--bcher-kva.example", "www.iana.org",
]
SHORTENERS = ["ift.tt", "bit.ly", "t.co", "goo.gl", "buff.ly", "ow.ly"]


def sentence(rng, n_min=8, n_max=20):
    words = [rng.choice(WORDS) for _ in range(rng.randint(n_min, n_max))]
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def path(rng):
    parts = [rng.choice(WORDS) for _ in range(rng.randint(1, 4))]
    return "/" + "/".join(parts)


def url(rng):
    scheme = "https" if rng.random() < 0.85 else "http"
    u = f"{scheme}://{rng.choice(HOSTS)}{path(rng)}"
    if rng.random() < 0.2:
        u += f"?id={rng.randint(1, 99999)}&ref={rng.choice(WORDS)}"
    if rng.random() < 0.05:
        u += f"#{rng.choice(WORDS)}"
    return u


def blogger_image(rng, size):
    key = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop0123456789_-")
                  for _ in range(11))
    return (f"https://{rng.randint(1, 4)}.bp.blogspot.com/-{key}/XjZ{key[:6]}I/"
            f"AAAAAAAAAAA/{key[3:9]}CLcBGAsYHQ/s{size}/"
            f"{rng.choice(WORDS)}-{rng.randint(1000000, 9999999)}_960_720.jpg")


def front_matter(rng, index, title, date):
    draft = "true" if index % 17 == 0 else "false"
    if index % 5 == 0:
        return (f'+++\ntitle = "{title}"\ndate = {date}T08:{index % 60:02d}:00Z\n'
                f"draft = {draft}\n"
                f'images = ["{url(rng)}.jpg"]\n+++\n')
    return (f'---\ntitle: "{title}"\ndate: {date}T08:{index % 60:02d}:00+01:00\n'
            f"draft: {draft}\ntags: [{rng.choice(WORDS)}, {rng.choice(WORDS)}]\n"
            f"featured_image: {url(rng)}.png\n---\n")


def paragraph(rng, refs):
    pieces = []
    for _ in range(rng.randint(3, 6)):
        roll = rng.random()
        s = sentence(rng)
        if roll < 0.30:
            s += f" See [{rng.choice(WORDS)} {rng.choice(WORDS)}]({url(rng)})."
        elif roll < 0.40:
            label = f"ref{len(refs) + 1}"
            refs.append((label, url(rng)))
            s += f" More in [{rng.choice(WORDS)}][{label}]."
        elif roll < 0.48:
            s += f" <{url(rng)}>"
        elif roll < 0.56:
            s += f" Read {url(rng)} today."
        elif roll < 0.60:
            s += f" `{url(rng)}` is code, not a link."
        pieces.append(s)
    return " ".join(pieces)


def body(rng, index):
    refs = []
    blocks = []
    for _ in range(rng.randint(11, 16)):
        roll = rng.random()
        if roll < 0.55:
            blocks.append(paragraph(rng, refs))
        elif roll < 0.65:
            blocks.append(f"[![]({blogger_image(rng, 640)})]({blogger_image(rng, 1600)})")
        elif roll < 0.72:
            blocks.append(f"![{rng.choice(WORDS)}]({url(rng)}.jpg \"{sentence(rng, 2, 4)}\")")
        elif roll < 0.78:
            a, b = url(rng), url(rng)
            blocks.append(
                f'<figure><img src="{a}.jpg" srcset="{a}-480.jpg 480w, {b}-960.jpg 960w" '
                f'alt="{rng.choice(WORDS)}"><figcaption>{sentence(rng, 3, 6)} '
                f'<a href="{url(rng)}">source</a></figcaption></figure>')
        elif roll < 0.84:
            blocks.append("```sh\ncurl -sL " + url(rng) + " | tar xz\n"
                          "wget " + url(rng) + "\n```")
        elif roll < 0.90:
            choice = rng.randint(0, 3)
            if choice == 0:
                blocks.append('{{< youtube "' + "".join(rng.choice("abcdefXYZ0123_-") for _ in range(11)) + '" >}}')
            elif choice == 1:
                blocks.append('{{< figure src="' + url(rng) + '.png" link="' + url(rng) + '" >}}')
            elif choice == 2:
                blocks.append("{{< tweet user=\"" + rng.choice(WORDS) + "\" id=\"" + str(rng.randint(10**17, 10**18)) + "\" >}}")
            else:
                blocks.append("{{< gist " + rng.choice(WORDS) + " " + "%032x" % rng.getrandbits(128) + " >}}")
        elif roll < 0.95:
            items = "\n".join(f"- [{rng.choice(WORDS)}]({url(rng)}) — {sentence(rng, 4, 8)}"
                              for _ in range(rng.randint(2, 5)))
            blocks.append(items)
        else:
            blocks.append(f"from E Hacking News https://{rng.choice(SHORTENERS)}/"
                          + "".join(rng.choice("abcdefghijkmnopqrstuvwxyz0123456789") for _ in range(7)))
    text = "\n\n".join(blocks) + "\n"
    if refs:
        text += "\n" + "\n".join(f"[{label}]: {target}" for label, target in refs) + "\n"
    return text


def html_page(rng, title):
    links = "\n".join(f'<li><a href="{url(rng)}">{sentence(rng, 2, 5)}</a></li>'
                      for _ in range(rng.randint(10, 30)))
    a = url(rng)
    return (f"<!doctype html>\n<html><head><title>{title}</title>\n"
            f'<link rel="stylesheet" href="{url(rng)}.css">\n'
            f'<script src="{url(rng)}.js"></script></head>\n<body>\n'
            f"<h1>{title}</h1>\n<p>{sentence(rng)} {sentence(rng)}</p>\n"
            f'<img src="{a}.jpg" srcset="{a}-1x.jpg 1x, {a}-2x.jpg 2x">\n'
            f'<iframe src="https://www.youtube.com/embed/abc{rng.randint(0, 999)}"></iframe>\n'
            f"<ul>\n{links}\n</ul>\n"
            + "".join(f"<p>{sentence(rng)} {sentence(rng)} {sentence(rng)}</p>\n"
                      for _ in range(rng.randint(20, 40)))
            + "</body></html>\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--posts", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    total = 0
    for index in range(args.posts):
        year = 2010 + index % 15
        month = 1 + (index // 15) % 12
        day = 1 + index % 28
        date = f"{year}-{month:02d}-{day:02d}"
        title = sentence(rng, 3, 7)[:-1]
        directory = os.path.join(args.out_dir, "content", "posts", str(year), f"{month:02d}")
        os.makedirs(directory, exist_ok=True)
        if index % 50 == 49:
            name = os.path.join(directory, f"page-{index:05d}.html")
            text = html_page(rng, title)
        else:
            name = os.path.join(directory, f"post-{index:05d}.md")
            text = front_matter(rng, index, title, date) + "\n" + body(rng, index)
        data = text.encode("utf-8")
        total += len(data)
        with open(name, "wb") as f:
            f.write(data)
    print(f"{args.posts} files, {total} bytes in {args.out_dir}")


if __name__ == "__main__":
    main()
