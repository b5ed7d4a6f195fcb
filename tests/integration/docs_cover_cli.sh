#!/usr/bin/env bash
# rotguard(1) and the bash/zsh/fish completions are generated at build time
# from the CLI's own command tree (rotguard-docs): every command `rotguard
# --help` lists and every option its `--help` shows must be in the man
# page's section for that command and in each completion; the man page must
# format without groff warnings and each script must parse.
source "$(dirname "$0")/common.sh"
DOCS=$ROTGUARD_BUILD_DIR/docs
for f in rotguard.1 rotguard.bash _rotguard rotguard.fish; do
  [ -s "$DOCS/$f" ] || fail "$DOCS/$f was not generated"
done

# options_of HELP_TEXT: the option spellings of the "Options:" section.
options_of() {
  awk '/^Options:/ {f = 1; next} /^[^ ]/ {f = 0} f && /^  -/ {print $1}' |
    tr ',' '\n' | grep -E '^--?[A-Za-z]' | sort -u
}
# man_section CMD: the roff text of CMD's subsection, "-" unescaped.
man_section() {
  awk -v want=".SS \"$1\"" '$0 == want {f = 1; next} /^\.S[SH] / {f = 0} f' \
    "$DOCS/rotguard.1" | sed 's/\\-/-/g'
}
# bash_complete WORDS...: what the bash completion offers for the last word.
bash_complete() {
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
    _rotguard; printf "%s\n" "${COMPREPLY[@]}"' _ "$DOCS/rotguard.bash" "$@"
}

commands=$("$ROTGUARD" --help | awk '/^Subcommands:/ {f = 1; next} /^[^ ]/ {f = 0} f && /^  [a-z]/ {print $1}')
[ "$(wc -w <<<"$commands")" -ge 11 ] || fail "too few commands in --help: $commands"
global=$("$ROTGUARD" --help | options_of)
top=$(awk '/^\.SH "GLOBAL OPTIONS"/ {f = 1; next} /^\.SH / {f = 0} f' "$DOCS/rotguard.1" | sed 's/\\-/-/g')
for opt in $global; do
  grep -qF -- "$opt" <<<"$top" || fail "global option $opt is not in rotguard(1)"
done
checked=0
for cmd in $commands; do
  section=$(man_section "$cmd")
  [ -n "$section" ] || fail "rotguard(1) has no section for '$cmd'"
  bash_complete rotguard "${cmd:0:3}" | grep -x "$cmd" >/dev/null || fail "bash completion misses '$cmd'"
  grep -qF "'$cmd:" "$DOCS/_rotguard" || fail "zsh completion misses '$cmd'"
  grep -qF -- "-a $cmd " "$DOCS/rotguard.fish" || fail "fish completion misses '$cmd'"
  offered=$(bash_complete rotguard "$cmd" -)
  for opt in $("$ROTGUARD" "$cmd" --help | options_of); do
    grep -qF -- "$opt" <<<"$section" || fail "rotguard(1) misses '$cmd $opt'"
    grep -qx -- "$opt" <<<"$offered" || fail "bash completion misses '$cmd $opt'"
    grep -qE -- "'\\*?$opt[=[]" "$DOCS/_rotguard" || fail "zsh completion misses '$cmd $opt'"
    checked=$((checked + 1))
  done
done
[ "$checked" -ge 40 ] || fail "only $checked command options checked"
echo "checked $(wc -w <<<"$commands") commands, $checked command options"

bash -n "$DOCS/rotguard.bash" || fail "rotguard.bash does not parse"
if command -v groff >/dev/null; then
  warnings=$(groff -man -Tutf8 -ww -z "$DOCS/rotguard.1" 2>&1)
  [ -z "$warnings" ] || fail "groff warns about rotguard(1): $warnings"
fi
if command -v zsh >/dev/null; then zsh -n "$DOCS/_rotguard" || fail "_rotguard does not parse"; fi
if command -v fish >/dev/null; then fish -n "$DOCS/rotguard.fish" || fail "rotguard.fish does not parse"; fi
echo ok
