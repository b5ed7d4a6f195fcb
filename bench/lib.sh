#!/usr/bin/env bash
# Shared by the bench scripts (sourced, not run). Needs $WORK.
#
# measure LABEL N CMD...: runs CMD N times (wall from date +%N; CPU from
# /usr/bin/time, 10 ms resolution; BEFORE, if set, runs untimed before
# each), stops the script if it fails, and appends
# "label<TAB>wall<TAB>cpu<TAB>load" (the run with the median wall, the
# 1-minute load average right after it) to $WORK/rows.
BEFORE=${BEFORE:-:}
measure() {
  local label=$1 n=$2
  shift 2
  local runs=() t0 t1 user sys wall
  for _ in $(seq "$n"); do
    $BEFORE
    t0=$(date +%s.%N)
    if ! /usr/bin/time -f '%U %S' -o "$WORK/time" "$@" >"$WORK/stdout" 2>"$WORK/stderr"; then
      echo "bench: '$label' failed:" >&2
      tail -n 20 "$WORK/stdout" "$WORK/stderr" >&2
      exit 1
    fi
    t1=$(date +%s.%N)
    read -r user sys <"$WORK/time"
    wall=$(echo "$t1 - $t0" | bc -l)
    runs+=("$wall $(echo "$user + $sys" | bc -l) $(cut -d' ' -f1 /proc/loadavg)")
  done
  printf '%s\n' "${runs[@]}" | sort -n | sed -n "$(((n + 1) / 2))p" |
    { read -r wall cpu load; printf '%s\t%s\t%s\t%s\n' "$label" "$wall" "$cpu" "$load" >>"$WORK/rows"; }
}

# summary ROW ROTGUARD_S PEER PEER_S RSS_MIB TARGET MET: one line for the
# table bench/run.sh prints across rows. ROW names what was measured
# ("archive-small-http"), PEER the peer tool; TARGET is the issue's rule in
# words ("ratio>=10, rss<=48"), MET is yes/no as the script judged it.
# Appends a TSV line to $BENCH_SUMMARY when that is set; the ratio is
# peer/rotguard (how many times faster rotguard is); PEER "-" (a row with
# no peer, such as a memory bound) leaves it "-".
summary() {
  [ -n "${BENCH_SUMMARY:-}" ] || return 0
  local row=$1 ours=$2 peer=$3 theirs=$4 rss=$5 target=$6 met=$7 ratio
  ratio=-
  [ "$peer" = - ] || ratio=$(echo "scale=2; $theirs / $ours" | bc -l)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$row" "$ours" "$peer" \
    "$theirs" "$ratio" "$rss" "$target" "$met" >>"$BENCH_SUMMARY"
}

# nginx_conf_head DIR: the top of the loopback nginx.conf the archive and
# workers benches share (a daemon with its pid, logs and temp files under
# DIR, keep-alive without limit, no access log), up to and including the
# `http {` block's settings; the caller appends its types, servers and the
# two closing braces.
nginx_conf_head() {
  cat <<CONF
worker_processes 2;
daemon on;
pid $1/nginx.pid;
error_log $1/error.log;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $1/tmp;
  proxy_temp_path $1/tmp;
  fastcgi_temp_path $1/tmp;
  uwsgi_temp_path $1/tmp;
  scgi_temp_path $1/tmp;
CONF
}
