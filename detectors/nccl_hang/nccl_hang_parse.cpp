// File: nccl_hang_parse.cpp
// The grammar of the PyTorch ProcessGroupNCCL and NCCL debug lines the nccl_hang detector
// reads. Every form here was printed by some released PyTorch or NCCL version; the parser is
// strict about the fields it uses (a truncated line is malformed, not half-read) and lenient
// about what surrounds them (any prefix a log collector adds, extra WorkNCCL fields).
#include "internal/nccl_hang_parse.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>
#include <system_error>

#include "detectors/phase.h"

namespace detectors::internal {
namespace {

using std::string_view;

constexpr std::size_t npos = string_view::npos;

// A fixed phrase to search for, with the offset of a byte of it that is rare in these logs.
// libstdc++'s string_view::find scans (memchr) for the first byte and compares at each hit;
// the phrases below start with a space or a common letter, which stops that scan every few
// bytes of every line. Scanning for the rare byte instead stops about once a line.
struct phrase {
  // `rare` must occur in `text` (else this does not compile); its first position is scanned.
  consteval phrase(string_view t, char rare) : text(t), anchor(t.find(rare)) {
    if (anchor == npos) throw "the rare byte is not in the phrase";
  }
  string_view text;
  std::size_t anchor;  // text[anchor] is the byte scanned for
};

// string_view::find(p.text, from): the first occurrence at or after `from`. Candidates come in
// the order of their anchor byte, which is the order of their starts, so the first that
// matches is the first occurrence. Always inlined: with the phrase a constant, the comparison
// of a candidate becomes a few loads instead of a call to memcmp.
[[gnu::always_inline]] inline std::size_t find(string_view s, const phrase& p,
                                               std::size_t from = 0) noexcept {
  const std::size_t n = p.text.size();
  if (from > s.size() || s.size() - from < n) return npos;
  const char* const begin = s.data();
  const char* hit = begin + from + p.anchor;
  const char* const end = begin + (s.size() - n) + p.anchor + 1;  // past the last anchor
  while (hit < end) {
    hit = static_cast<const char*>(
        std::memchr(hit, p.text[p.anchor], static_cast<std::size_t>(end - hit)));
    if (hit == nullptr) return npos;
    const char* const start = hit - p.anchor;
    if (std::memcmp(start, p.text.data(), n) == 0) return static_cast<std::size_t>(start - begin);
    ++hit;
  }
  return npos;
}

// The searched-for phrases of the hot path, each with its rarest byte in a sample of the
// benchmark corpus's NCCL lines (occurrences per line: W 0.33, F 0.42, q 0.5, G 1.35; the
// first bytes, ' ', 'c', 'a', occur 20-30 times a line).
constexpr phrase nccl_warn{" NCCL WARN ", 'W'};
constexpr phrase nccl_info{" NCCL INFO ", 'F'};
constexpr phrase process_group_nccl{"ProcessGroupNCCL", 'G'};
constexpr phrase timeout_phrase{"collective operation timeout: WorkNCCL(", 'W'};
constexpr phrase work_work_nccl{"Work WorkNCCL(", 'W'};
constexpr phrase work_nccl{"WorkNCCL(", 'W'};
constexpr phrase last_enqueued{"ast enqueued ", 'q'};

// string_view::find_first_of for a set of bytes known at compile time. libstdc++'s calls memchr
// on the set for every byte of `s`; this compares each byte with the few of the set.
template <char... Set>
std::size_t find_first_of(string_view s) noexcept {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (((s[i] == Set) || ...)) return i;
  }
  return npos;
}

// The small helpers below run several times per line: always inlined, so that a literal
// prefix compares as a few instructions instead of a call to memcmp.
[[gnu::always_inline]] inline bool consume(string_view& s, string_view prefix) noexcept {
  if (!s.starts_with(prefix)) return false;
  s.remove_prefix(prefix.size());
  return true;
}

[[gnu::always_inline]] inline void skip_spaces(string_view& s) noexcept {
  while (!s.empty() && s.front() == ' ')
    s.remove_prefix(1);
}

[[gnu::always_inline]] inline bool is_digit(char c) noexcept {
  return c >= '0' && c <= '9';
}

// An optionally negative decimal integer; fails without digits or on int64 overflow (PyTorch
// has printed uninitialised 17-digit "last completed" values: those still fit).
bool parse_int(string_view& s, std::int64_t& out) noexcept {
  const bool negative = s.starts_with('-');
  const char* const first = s.data() + (negative ? 1 : 0);
  const char* const last = s.data() + s.size();
  std::uint64_t value = 0;
  // Unsigned: from_chars takes no sign and no spaces then, only digits, as the formats say.
  const auto [end, error] = std::from_chars(first, last, value);
  constexpr auto limit = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (error != std::errc{} || value > limit) return false;
  out = negative ? -static_cast<std::int64_t>(value) : static_cast<std::int64_t>(value);
  s.remove_prefix(static_cast<std::size_t>(end - s.data()));
  return true;
}

// The integer right after `key` somewhere in `s`.
bool int_after(string_view s, const phrase& key, std::int64_t& out) noexcept {
  const std::size_t p = find(s, key);
  if (p == npos) return false;
  s.remove_prefix(p + key.text.size());
  return parse_int(s, out);
}

// The keys of the numbers read with int_after.
constexpr phrase seq_num_key{"SeqNum=", 'q'};
constexpr phrase at_nccl_work_key{"at NCCL work: ", 'N'};
constexpr phrase at_work_key{"at work: ", 'k'};
constexpr phrase sequence_id_key{"sequence id: ", 'q'};
constexpr phrase vendor_err_key{"vendor err ", 'v'};
constexpr phrase vendor_err_eq_key{"vendor_err=", '_'};
constexpr phrase retcode_key{"retcode ", 'd'};
constexpr phrase res_key{"res=", '='};

// A line cut inside one of our fixed phrases: `text` is a non-empty proper prefix of one.
template <std::size_t N>
bool is_cut_phrase(string_view text, const std::array<string_view, N>& phrases) noexcept {
  if (text.empty()) return false;
  for (string_view p : phrases) {
    if (text.size() < p.size() && p.starts_with(text)) return true;
  }
  return false;
}

// A non-negative decimal integer (ranks, PG ids).
bool parse_index(string_view& s, std::int64_t& out) noexcept {
  return !s.starts_with('-') && parse_int(s, out);
}

// [Rank R] | [PG P Rank R] | [PG P (name) Rank R] | [PG ID P PG GUID G(name) Rank R] |
// [PG ID P PG GUID G Rank R]. On success `s` is advanced past the ']'.
bool parse_tag(string_view& s, nccl_pg_tag& tag) noexcept {
  string_view t = s;
  if (!consume(t, "[")) return false;
  nccl_pg_tag out;
  if (consume(t, "PG ")) {
    out.has_pg = true;
    if (consume(t, "ID ")) {
      if (!parse_index(t, out.pg_id) || !consume(t, " PG GUID ")) return false;
      // The GUID is printed as a string (a number in practice): up to '(' or ' '.
      const std::size_t end = find_first_of<'(', ' ', ']'>(t);
      if (end == 0 || end == npos) return false;
      t.remove_prefix(end);
    } else {
      if (!parse_index(t, out.pg_id)) return false;
      consume(t, " ");
    }
    if (consume(t, "(")) {
      const std::size_t close = t.find(')');
      if (close == npos) return false;
      out.pg_name = t.substr(0, close);
      t.remove_prefix(close + 1);
    }
    skip_spaces(t);
  }
  if (!consume(t, "Rank ") || !parse_index(t, out.rank) || !consume(t, "]")) return false;
  tag = out;
  s = t;
  return true;
}

// The first `[Rank ` or `[PG ` tag of a line without a ProcessGroupNCCL header (an exception's
// what(), a Python traceback): it precedes the phrase that made the line ours.
nccl_pg_tag find_tag(string_view s) noexcept {
  for (std::size_t p = s.find('['); p != npos; p = s.find('[', p + 1)) {
    string_view t = s.substr(p);
    nccl_pg_tag tag;
    if ((t.starts_with("[Rank ") || t.starts_with("[PG ")) && parse_tag(t, tag)) return tag;
  }
  return {};
}

// WorkNCCL(SeqNum=S, OpType=OP[, NumelIn=N, NumelOut=N], Timeout(ms)=T) followed by either
// " ran for M milliseconds" (watchdog, old blocking wait) or " timed out in blocking wait".
// `s` starts at "WorkNCCL(".
bool parse_work(string_view s, nccl_line& out) noexcept {
  string_view fields;
  std::size_t end = s.find(") ran for ");
  if (end != npos) {
    string_view rest = s.substr(end + 10);
    if (!parse_int(rest, out.ran_ms) || !rest.starts_with(" millisecond")) return false;
  } else {
    end = s.find(") timed out in blocking wait");
    if (end == npos) return false;
    out.blocking_wait = true;
    out.ran_ms = -1;  // filled from the timeout below
  }
  fields = s.substr(0, end + 1);  // keeps the ')' closing Timeout(ms)=T
  // PyTorch 1.x prints no SeqNum.
  if (const std::size_t seq = find(fields, seq_num_key); seq != npos) {
    string_view t = fields.substr(seq + seq_num_key.text.size());
    if (!parse_int(t, out.seq)) return false;
  }
  const std::size_t op = fields.find("OpType=");
  if (op == npos) return false;
  out.op = fields.substr(op + 7);
  out.op = out.op.substr(0, find_first_of<',', ')'>(out.op));
  if (out.op.empty()) return false;
  string_view t = fields;
  const std::size_t tp = t.find("Timeout(ms)=");
  if (tp == npos) return false;
  t.remove_prefix(tp + 12);
  // Timeout(ms) is the last field today; a later one after a comma is tolerated.
  if (!parse_int(t, out.timeout_ms) || !(t.starts_with(")") || t.starts_with(","))) return false;
  if (out.ran_ms < 0) out.ran_ms = out.timeout_ms;
  return out.seq >= -1 && out.timeout_ms >= 0 && out.ran_ms >= 0;
}

// "last enqueued [NCCL ]work: E, last completed [NCCL ]work: C" (either capitalisation), and
// the work the line is about: "at [NCCL ]work: S" / "work sequence id: S".
nccl_line_kind parse_progress(string_view s, nccl_line& out) noexcept {
  const std::size_t e = find(s, last_enqueued);
  string_view t = s.substr(e + last_enqueued.text.size());
  consume(t, "NCCL ");
  if (!consume(t, "work: ") || !parse_int(t, out.enqueued)) return nccl_line_kind::malformed;
  if (!consume(t, ", last completed ")) return nccl_line_kind::malformed;
  consume(t, "NCCL ");
  if (!consume(t, "work: ") || !parse_int(t, out.completed)) return nccl_line_kind::malformed;
  if (out.enqueued < -1 || out.completed < -1) return nccl_line_kind::malformed;
  const string_view head = s.substr(0, e);
  if (!int_after(head, at_nccl_work_key, out.work_seq) &&
      !int_after(head, at_work_key, out.work_seq) &&
      !int_after(head, sequence_id_key, out.work_seq)) {
    out.work_seq = -1;
  }
  return nccl_line_kind::progress;
}

// The body of a PyTorch line once its tag is off. `bare`: the line has no ProcessGroupNCCL
// header (an exception's what(), a traceback), so only a complete data-carrying phrase makes
// it ours.
nccl_line_kind classify_torch_body(string_view body, bool bare, nccl_line& out) noexcept {
  constexpr std::size_t work_len = 9;  // "WorkNCCL("
  // Both timeout forms contain "WorkNCCL(": where its first occurrence is bounds where theirs
  // can start, and most lines have none, which rules both out in one scan.
  const std::size_t work = find(body, work_nccl);
  const auto from = [work](const phrase& p) {
    return work - std::min(work, p.text.size() - work_len);
  };
  std::size_t p = work == npos ? npos : find(body, timeout_phrase, from(timeout_phrase));
  if (p != npos) {
    // "Watchdog caught ..." is the watchdog; "Caught ..." is the blocking-wait exception.
    out.blocking_wait = !(p >= 16 && body.substr(p - 16, 16) == "Watchdog caught ");
    if (!parse_work(body.substr(p + timeout_phrase.text.size() - work_len), out)) {
      return nccl_line_kind::malformed;
    }
    return nccl_line_kind::timeout;
  }
  p = work == npos ? npos : find(body, work_work_nccl, from(work_work_nccl));
  if (p != npos && body.find("timed out in blocking wait", p) != npos) {
    if (!parse_work(body.substr(p + 5), out)) return nccl_line_kind::malformed;
    return nccl_line_kind::timeout;
  }
  if (find(body, last_enqueued) != npos) {
    const nccl_line_kind k = parse_progress(body, out);
    // A bare line that merely talks about enqueued work (a human summary) is not ours.
    return bare && k == nccl_line_kind::malformed ? nccl_line_kind::none : k;
  }
  if (body.find("Heartbeat monitor timed out") != npos) return nccl_line_kind::heartbeat;
  p = body.find("watchdog got stuck for ");
  if (p != npos) {
    string_view t = body.substr(p + 23);
    if (!parse_int(t, out.stuck_s)) out.stuck_s = -1;
    return nccl_line_kind::heartbeat;
  }
  return nccl_line_kind::none;
}

// --- NCCL debug lines: host:pid:tid [dev] [file:line ]NCCL WARN|INFO message ---------------

// string_view::rfind(c) on glibc's vectorised memrchr: the header's tokens are searched from
// the end, and the host:pid:tid token holds no space, so the byte-by-byte loop ran through it.
// An empty view (a header with no token left, e.g. "[0] NCCL WARN ...") may have a null data():
// memrchr's first argument is declared nonnull even for a length of 0, so it is not called.
std::size_t rfind(string_view s, char c) noexcept {
  if (s.empty()) return npos;
  const void* const p = memrchr(s.data(), c, s.size());
  return p == nullptr ? npos : static_cast<std::size_t>(static_cast<const char*>(p) - s.data());
}

// Checks the header that ends right before " NCCL <LEVEL>" at `level_pos`.
// Whether `tok` ends in ':' and one or more digits; if so, cuts them off. The same as finding
// the last ':' and checking that only digits follow, without a memrchr call for a token of a
// few bytes: walking back over the digits stops at that last ':' or at what makes it fail.
bool strip_colon_number(string_view& tok) noexcept {
  std::size_t i = tok.size();
  while (i > 0 && is_digit(tok[i - 1]))
    --i;
  if (i == tok.size() || i == 0 || tok[i - 1] != ':') return false;
  tok = tok.substr(0, i - 1);
  return true;
}

bool valid_nccl_header(string_view line, std::size_t level_pos) noexcept {
  string_view head = line.substr(0, level_pos);
  auto last_token = [](string_view& h) {
    const std::size_t sp = rfind(h, ' ');
    string_view tok = sp == npos ? h : h.substr(sp + 1);
    h = sp == npos ? string_view{} : h.substr(0, sp);
    return tok;
  };
  string_view tok = last_token(head);
  if (!tok.starts_with('[')) {  // file:line (NCCL >= 2.9 on WARN)
    if (!strip_colon_number(tok)) return false;
    tok = last_token(head);
  }
  // [dev]
  if (tok.size() < 3 || tok.front() != '[' || tok.back() != ']') return false;
  // A single-digit device ("[0]" .. "[7]", nearly every line) is valid without from_chars.
  if (tok.size() != 3 || !is_digit(tok[1])) {
    string_view dev = tok.substr(1, tok.size() - 2);
    std::int64_t d = 0;
    if (!parse_int(dev, d) || !dev.empty()) return false;
  }
  // host:pid:tid (the host may carry a collector's prefix; only the numbers are checked)
  tok = last_token(head);
  return strip_colon_number(tok) && strip_colon_number(tok) && !tok.empty();
}

// The peer address right after `key`: "10.0.3.14<41232>", "gpu-node-4<45123>".
string_view peer_after(string_view s, string_view key) noexcept {
  const std::size_t p = s.find(key);
  if (p == npos) return {};
  s.remove_prefix(p + key.size());
  return s.substr(0, find_first_of<' ', ','>(s));
}

nccl_line_kind classify_warn(string_view msg, nccl_line& out) noexcept {
  std::size_t p = msg.find("Got completion from peer ");
  if (p != npos) {
    out.net = nccl_net_kind::ib_completion;
    out.peer = peer_after(msg, "Got completion from peer ");
    string_view t = msg.substr(p);
    const std::size_t w = t.find(" with ");
    if (w == npos || out.peer.empty()) return nccl_line_kind::malformed;
    t.remove_prefix(w + 6);
    if (consume(t, "error ")) {  // NCCL <= 2.11: "with error 12, opcode 0, len 0, vendor err 129"
      if (!parse_int(t, out.ibv_status) || !t.starts_with(",")) return nccl_line_kind::malformed;
      if (!int_after(t, vendor_err_key, out.vendor_err)) return nccl_line_kind::malformed;
    } else if (consume(t, "status=")) {
      // "status=12 opcode=0 len=0 vendor err 129 (Recv)" or, since 2.23,
      // "status=IBV_WC_RETRY_EXC_ERR(12) opcode=IBV_WC_SEND(0) vendor_err=129"
      if (!parse_int(t, out.ibv_status)) {
        const std::size_t open = t.find('(');
        const std::size_t space = t.find(' ');
        if (open == npos || (space != npos && space < open)) return nccl_line_kind::malformed;
        t.remove_prefix(open + 1);
        if (!parse_int(t, out.ibv_status) || !t.starts_with(")")) return nccl_line_kind::malformed;
      }
      if (!int_after(t, vendor_err_key, out.vendor_err) &&
          !int_after(t, vendor_err_eq_key, out.vendor_err)) {
        return nccl_line_kind::malformed;
      }
    } else {
      return nccl_line_kind::malformed;
    }
    return out.ibv_status >= 0 ? nccl_line_kind::net_warn : nccl_line_kind::malformed;
  }
  if (msg.find("Got async event") != npos) {
    out.net = nccl_net_kind::ib_async;
    return nccl_line_kind::net_warn;
  }
  for (string_view key : {"Connection closed by remote peer", "Connection reset by peer"}) {
    p = msg.find(key);
    if (p != npos) {
      out.net = nccl_net_kind::socket_closed;
      string_view rest = msg.substr(p + key.size());
      skip_spaces(rest);
      out.peer = rest.substr(0, find_first_of<' ', ','>(rest));
      return nccl_line_kind::net_warn;
    }
  }
  // [Proxy Service 1] Failed to execute operation Connect from rank 1, retcode 6
  p = msg.find("Failed to execute operation ");
  if (p != npos && msg.find("Proxy") != npos) {
    out.net = nccl_net_kind::proxy;
    const std::size_t from = msg.find(" from rank ", p);
    if (from == npos || !int_after(msg.substr(p), retcode_key, out.retcode)) {
      return nccl_line_kind::malformed;
    }
    out.peer = msg.substr(from + 6);
    out.peer = out.peer.substr(0, out.peer.find(','));
    return nccl_line_kind::net_warn;
  }
  // [Service thread] Error encountered progressing operation=Connect, res=3, closing connection
  // Proxy Call to rank 3 failed (Connect)
  if (msg.find("Error encountered progressing operation") != npos ||
      (msg.find("Proxy Call to rank ") != npos && msg.find(" failed") != npos)) {
    out.net = nccl_net_kind::proxy;
    if (!int_after(msg, res_key, out.retcode)) out.retcode = -1;
    out.peer = peer_after(msg, "Proxy Call to ");
    return nccl_line_kind::net_warn;
  }
  static constexpr std::array<string_view, 6> cut_network_phrases = {
      "NET/IB : Got completion from peer ",
      "NET/IB: Got completion from peer ",
      "NET/Socket : Connection closed by remote peer ",
      "socketProgress: Connection closed by remote peer ",
      "[Proxy Service ",
      "[Service thread] Error encountered progressing operation"};
  if (is_cut_phrase(msg, cut_network_phrases)) return nccl_line_kind::malformed;
  return nccl_line_kind::benign;
}

nccl_line parse_nccl_debug(string_view line, std::size_t level_pos, bool warn) noexcept {
  nccl_line out;
  if (!valid_nccl_header(line, level_pos)) return out;  // prose that mentions NCCL WARN
  if (!warn) {
    out.kind = nccl_line_kind::benign;
    return out;
  }
  string_view msg = line.substr(level_pos + 11);  // " NCCL WARN "
  skip_spaces(msg);
  if (msg.empty()) {
    out.kind = nccl_line_kind::malformed;
    return out;
  }
  out.kind = classify_warn(msg, out);
  return out;
}

// A NCCL debug line cut inside its " NCCL WARN " / " NCCL INFO " level token.
bool is_cut_nccl_level(string_view line) noexcept {
  const std::size_t p = line.rfind(" NCCL");
  if (p == npos) return false;
  static constexpr std::array<string_view, 2> levels = {" NCCL WARN ", " NCCL INFO "};
  return is_cut_phrase(line.substr(p), levels) && valid_nccl_header(line, p);
}

// --- PyTorch lines -------------------------------------------------------------------------

nccl_line parse_torch(string_view line) noexcept {
  nccl_line out;
  // The c10 log header "...ProcessGroupNCCL.cpp:L] " (any level, any date form before it).
  // "ProcessGroupNCCL.cpp:1418 (most recent call first)" in a traceback is not a header.
  const std::size_t h = find(line, process_group_nccl);
  bool has_header = false;
  string_view body = line;
  if (h != npos) {
    string_view t = line.substr(h + 16);
    static constexpr std::array<string_view, 2> files = {".cpp:", ".hpp:"};
    bool cut = t.empty() || is_cut_phrase(t, files);
    if (!cut && (consume(t, ".cpp:") || consume(t, ".hpp:"))) {
      std::int64_t src_line = 0;
      if (t.empty()) {
        cut = true;
      } else if (parse_int(t, src_line)) {
        if (consume(t, "]")) {
          has_header = true;
          body = t;
        } else {
          cut = t.empty();
        }
      }
    }
    if (cut) {
      out.kind = nccl_line_kind::malformed;
      return out;
    }
  }

  if (!has_header) {
    out.kind = classify_torch_body(line, true, out);
    if (out.kind != nccl_line_kind::none) out.tag = find_tag(line);
    return out;
  }

  skip_spaces(body);
  if (body.empty()) {
    out.kind = nccl_line_kind::malformed;
    return out;
  }
  static constexpr std::array<string_view, 2> tag_starts = {"[PG ", "[Rank "};
  if (body.starts_with("[PG ") || body.starts_with("[Rank ")) {
    if (!parse_tag(body, out.tag)) {
      out.kind = nccl_line_kind::malformed;
      return out;
    }
  } else if (is_cut_phrase(body, tag_starts)) {
    out.kind = nccl_line_kind::malformed;
    return out;
  }
  skip_spaces(body);
  out.kind = classify_torch_body(body, false, out);
  if (out.kind == nccl_line_kind::none) {
    static constexpr std::array<string_view, 9> cut_phrases = {
        "Watchdog caught collective operation timeout: WorkNCCL(",
        "Caught collective operation timeout: WorkNCCL(",
        "Work WorkNCCL(",
        "Timeout at NCCL work: ",
        "Exception (either an error or timeout) detected by watchdog at work: ",
        "failure detected by watchdog at work sequence id: ",
        "Received a dump signal due to a collective timeout from ",
        "Heartbeat monitor timed out",
        "ProcessGroupNCCL's watchdog got stuck for "};
    out.kind = body.empty() || is_cut_phrase(body, cut_phrases) ? nccl_line_kind::malformed
                                                                : nccl_line_kind::benign;
  }
  return out;
}

}  // namespace

nccl_line parse_nccl_line(string_view line) noexcept {
  // Every line of ours says NCCL somewhere (ProcessGroupNCCL, WorkNCCL, NCCL WARN, NCCL work):
  // one search rejects the rest of the stream.
  if (line.find("NCCL") == npos) return {};
  DETECTORS_PHASE(parse);
  std::size_t p = find(line, nccl_warn);
  if (p != npos) {
    nccl_line out = parse_nccl_debug(line, p, true);
    if (out.kind != nccl_line_kind::none) return out;
  }
  p = find(line, nccl_info);
  if (p != npos) {
    nccl_line out = parse_nccl_debug(line, p, false);
    if (out.kind != nccl_line_kind::none) return out;
  }
  nccl_line out = parse_torch(line);
  if (out.kind == nccl_line_kind::none && is_cut_nccl_level(line)) {
    out.kind = nccl_line_kind::malformed;
  }
  return out;
}

std::string_view ibv_wc_status_name(std::int64_t status) noexcept {
  static constexpr std::array<string_view, 24> names = {"IBV_WC_SUCCESS",
                                                        "IBV_WC_LOC_LEN_ERR",
                                                        "IBV_WC_LOC_QP_OP_ERR",
                                                        "IBV_WC_LOC_EEC_OP_ERR",
                                                        "IBV_WC_LOC_PROT_ERR",
                                                        "IBV_WC_WR_FLUSH_ERR",
                                                        "IBV_WC_MW_BIND_ERR",
                                                        "IBV_WC_BAD_RESP_ERR",
                                                        "IBV_WC_LOC_ACCESS_ERR",
                                                        "IBV_WC_REM_INV_REQ_ERR",
                                                        "IBV_WC_REM_ACCESS_ERR",
                                                        "IBV_WC_REM_OP_ERR",
                                                        "IBV_WC_RETRY_EXC_ERR",
                                                        "IBV_WC_RNR_RETRY_EXC_ERR",
                                                        "IBV_WC_LOC_RDD_VIOL_ERR",
                                                        "IBV_WC_REM_INV_RD_REQ_ERR",
                                                        "IBV_WC_REM_ABORT_ERR",
                                                        "IBV_WC_INV_EECN_ERR",
                                                        "IBV_WC_INV_EEC_STATE_ERR",
                                                        "IBV_WC_FATAL_ERR",
                                                        "IBV_WC_RESP_TIMEOUT_ERR",
                                                        "IBV_WC_GENERAL_ERR",
                                                        "IBV_WC_TM_ERR",
                                                        "IBV_WC_TM_RNDV_INCOMPLETE"};
  if (status < 0 || status >= static_cast<std::int64_t>(names.size())) return {};
  return names[static_cast<std::size_t>(status)];
}

std::string_view ibv_wc_status_meaning(std::int64_t status) noexcept {
  // The operator's reading, after ibv_wc_status_str() and NCCL's troubleshooting notes.
  static constexpr std::array<string_view, 24> meanings = {
      "success",
      "local length error",
      "local QP operation error",
      "local EE context operation error",
      "local protection error",
      "work request flushed (QP already in error)",
      "memory window bind error",
      "bad response",
      "local access error",
      "remote invalid request",
      "remote access error",
      "remote operation error",
      "retry exceeded (peer unreachable: link, switch or cable)",
      "RNR retry exceeded (peer not receiving)",
      "local RDD violation",
      "remote invalid RD request",
      "remote aborted",
      "invalid EE context number",
      "invalid EE context state",
      "fatal error",
      "response timeout",
      "general error",
      "tag matching error",
      "tag matching rendezvous incomplete"};
  if (status < 0 || status >= static_cast<std::int64_t>(meanings.size())) return "unknown status";
  return meanings[static_cast<std::size_t>(status)];
}

std::string_view nccl_result_name(std::int64_t code) noexcept {
  static constexpr std::array<string_view, 8> names = {
      "ncclSuccess",         "ncclUnhandledCudaError", "ncclSystemError", "ncclInternalError",
      "ncclInvalidArgument", "ncclInvalidUsage",       "ncclRemoteError", "ncclInProgress"};
  if (code < 0 || code >= static_cast<std::int64_t>(names.size())) return {};
  return names[static_cast<std::size_t>(code)];
}

}  // namespace detectors::internal
